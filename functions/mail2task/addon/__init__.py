"""The Gmail add-on: event model, request verification, routing and the services behind each action."""
