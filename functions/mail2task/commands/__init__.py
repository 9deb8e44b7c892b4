"""Command implementations of the `mail2task` CLI (each imported only when its command runs)."""
