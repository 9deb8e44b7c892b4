"""Tests of the oauth part (consent, vault, refresh, RISC)."""
