"""Card views, pure: plain data in, Google Workspace add-on card JSON (google.apps.card.v1) out."""
