"""mail2task's custom checkov policies (loaded with --external-checks-dir infra/policies)."""
