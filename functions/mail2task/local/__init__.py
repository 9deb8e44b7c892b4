"""Development-only tooling: local stack, add-on preview, API stand-ins. Never part of the deploy bundle."""
