"""mail2task: a Gmail add-on backend that turns email into tasks."""
