"""Thin builders and verifiers for Google APIs (network lives here, not in the pure modules)."""
