"""The log scan itself finds a secret wherever a record can carry one (so a clean scan means something)."""

from __future__ import annotations

import logging

import pytest

from tests.support.oauth_logscan import CaptureHandler, SecretRegistry, capturing, exempt

SECRET = "1//0a-refresh-token-that-must-not-leak"


def _leaks(emit: object) -> list[str]:
    registry = SecretRegistry()
    registry.add(SECRET, "short")  # too short to scan for: ignored
    with capturing() as handler:
        emit()  # type: ignore[operator]
    return handler.leaks(registry)


def test_finds_secrets_in_arguments_extras_and_tracebacks() -> None:
    log = logging.getLogger("mail2task.somewhere")
    assert _leaks(lambda: log.debug("token %s", SECRET))
    assert _leaks(lambda: log.info("request", extra={"httpRequest": {"body": {"code": SECRET}}}))

    def failing() -> None:
        try:
            raise ValueError(SECRET)
        except ValueError:
            log.exception("failed")

    assert _leaks(failing)
    assert _leaks(lambda: logging.getLogger("google.auth._default").debug("x %r", {"t": SECRET}))
    assert not _leaks(lambda: log.info("nothing to see: short"))


@pytest.mark.parametrize("padding", range(9))
def test_finds_a_secret_at_any_offset(padding: int) -> None:
    for secret in (SECRET, SECRET[:12]):
        registry = SecretRegistry()
        registry.add(secret)
        handler = CaptureHandler()
        handler.handle(logging.LogRecord("x", 10, "", 0, "p" * padding + secret + "s" * padding, None, None))
        assert handler.leaks(registry)


def test_exempt_loggers_are_skipped_only_inside_the_block() -> None:
    registry = SecretRegistry()
    registry.add(SECRET)
    handler = CaptureHandler()
    with exempt(handler, "requests_oauthlib"):
        handler.handle(logging.LogRecord("requests_oauthlib.oauth2_session", 10, "", 0, SECRET, None, None))
    assert not handler.leaks(registry)
    handler.handle(logging.LogRecord("requests_oauthlib.oauth2_session", 10, "", 0, SECRET, None, None))
    assert handler.leaks(registry)
