"""Fixtures of the oauth tests; the package's whole log output is scanned for secrets at the end."""

from tests.support.oauth_fixtures import (
    clock,
    log_capture,
    oauth_env,
    secret_manager,
    signer,
    standin,
    token_key,
)

__all__ = ["clock", "log_capture", "oauth_env", "secret_manager", "signer", "standin", "token_key"]
