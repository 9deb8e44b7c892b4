"""Log capture for the oauth suites: every record at DEBUG, then a search for every secret they handled.

While an oauth test package runs, one handler on the root logger (and on google-auth's base logger,
which google-auth detaches from the root) records each log record in full: message, arguments,
exception text, stack and every ``extra`` attribute (google-auth puts request bodies and headers
there). Tests register each secret they see — tokens and codes the stand-in issued, states, PKCE
verifiers, key material, bearer tokens — and when the package ends no record may contain one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

# Loggers raised to DEBUG while capturing: ours, the HTTP stacks, the OAuth libraries.
LOGGERS = (
    "", "mail2task", "google", "google.auth", "google.api_core", "google.cloud", "urllib3", "requests",
    "google_auth_oauthlib", "requests_oauthlib", "oauthlib", "werkzeug", "grpc",
)  # fmt: skip
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
MIN_SECRET_CHARS = 12
WINDOW, STRIDE = 8, 4  # WINDOW + STRIDE - 1 <= MIN_SECRET_CHARS


class SecretRegistry:
    """Values that must never appear in a log record."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def add(self, *values: str | bytes | None) -> None:
        with self._lock:
            for value in values:
                if isinstance(value, bytes):
                    value = value.decode("latin-1")
                if value and len(value) >= MIN_SECRET_CHARS:
                    self._values.add(value)

    def index(self) -> dict[str, list[tuple[str, int]]]:
        """Each secret under its ``WINDOW``-character slices at offsets 0..STRIDE-1: any occurrence of a
        secret (>= MIN_SECRET_CHARS long) covers one of those slices at a position divisible by STRIDE."""
        with self._lock:
            values = list(self._values)
        found: dict[str, list[tuple[str, int]]] = {}
        for value in values:
            for offset in range(STRIDE):
                found.setdefault(value[offset : offset + WINDOW], []).append((value, offset))
        return found

    def __len__(self) -> int:
        return len(self._values)


class CaptureHandler(logging.Handler):
    """Keeps the full text of every record it sees (minus those from loggers exempted for a while)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[tuple[str, str]] = []
        self.exempt: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if any(record.name == e or record.name.startswith(e + ".") for e in self.exempt):
            return
        parts = [str(record.msg), repr(record.args)]
        with suppress(TypeError, ValueError):
            parts.append(record.getMessage())
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
        parts += [record.exc_text or "", record.stack_info or ""]
        parts += [f"{k}={v!r}" for k, v in vars(record).items() if k not in _STANDARD]
        self.records.append((record.name, "\n".join(parts)))

    def leaks(self, registry: SecretRegistry) -> list[str]:
        """``logger: ...context...`` for every record holding a registered secret (secret masked)."""
        index = registry.index()
        found = []
        for name, text in self.records:
            match = _find(text, index)
            if match is not None:
                start, end = match
                context = text[max(0, start - 60) : start] + "<SECRET>" + text[end : end + 20]
                found.append(f"{name}: {context!r}")
        return found


def _find(text: str, index: dict[str, list[tuple[str, int]]]) -> tuple[int, int] | None:
    for position in range(0, len(text) - WINDOW + 1, STRIDE):
        candidates = index.get(text[position : position + WINDOW])
        for value, offset in candidates or ():
            start = position - offset
            if start >= 0 and text.startswith(value, start):
                return start, start + len(value)
    return None


REGISTRY = SecretRegistry()


@contextmanager
def capturing() -> Iterator[CaptureHandler]:
    """Capture every record at DEBUG while the block runs; levels are restored afterwards."""
    handler = CaptureHandler()
    loggers = [logging.getLogger(name) for name in LOGGERS]
    levels = [logger.level for logger in loggers]
    google = logging.getLogger("google")
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    google.addHandler(handler)  # google-auth turns off propagation of "google" unless it is configured
    try:
        yield handler
    finally:
        logging.getLogger().removeHandler(handler)
        google.removeHandler(handler)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


@contextmanager
def exempt(handler: CaptureHandler, *loggers: str) -> Iterator[None]:
    """Ignore records of ``loggers`` in the block: only for client libraries standing in for Google's or
    a browser's side of a test (the product never imports them)."""
    handler.exempt.update(loggers)
    try:
        yield
    finally:
        handler.exempt.difference_update(loggers)
