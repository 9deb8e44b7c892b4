"""The one error hierarchy of mail2task, and its mapping to HTTP responses.

    Mail2TaskError                 base; ``retryable`` says whether trying again later may succeed
    ├── ConfigError                a setting is missing or malformed (names the variable)
    ├── BadRequest          400    the caller sent something we cannot accept
    │   └── PayloadTooLarge 413    input over a size limit
    ├── Unauthenticated     401    a token is missing or failed verification (no detail leaves the process)
    ├── Forbidden           403    verified, but not allowed (policy, role, tenant)
    │   ├── ConsentRequired 403    the user has not granted (or has lost) the offline consent an action needs
    │   └── ScopesRequired  403    the add-on event lacks Google scopes the action needs (granular consent)
    ├── NotFound            404
    ├── Conflict            409    the state changed underneath the request
    ├── UpstreamError       502    a Google API failed; retryable unless the API said otherwise
    └── StoreUnavailable    503    Firestore unreachable or timing out; retryable

Messages are written for the person reading them and never carry tokens, codes, states or bodies.
"""

from __future__ import annotations

import json
from typing import ClassVar


class Mail2TaskError(Exception):
    """Base of every error mail2task raises on purpose."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal"
    retryable: bool = False

    def __init__(self, message: str = "", *, retryable: bool | None = None) -> None:
        super().__init__(message or self.__class__.__doc__ or self.code)
        if retryable is not None:
            self.retryable = retryable

    @property
    def public_message(self) -> str:
        """Text safe to show a caller."""
        return str(self)


class ConfigError(Mail2TaskError):
    """A setting is missing or malformed."""

    code = "config"

    @property
    def public_message(self) -> str:
        return "The service is not configured correctly."


class BadRequest(Mail2TaskError):
    """The request is malformed."""

    status = 400
    code = "bad_request"


class PayloadTooLarge(BadRequest):
    """The input is larger than allowed."""

    status = 413
    code = "too_large"


class Unauthenticated(Mail2TaskError):
    """Authentication failed."""

    status = 401
    code = "unauthenticated"

    @property
    def public_message(self) -> str:
        return "Unauthenticated."


class Forbidden(Mail2TaskError):
    """Not allowed."""

    status = 403
    code = "forbidden"


class ConsentRequired(Forbidden):
    """The user must grant (or renew) consent first."""

    code = "consent_required"


class ScopesRequired(Forbidden):
    """The user has not granted the add-on every Google scope this action needs."""

    code = "scopes_required"

    def __init__(self, scopes: tuple[str, ...]) -> None:
        super().__init__("Google scopes missing: " + " ".join(scopes))
        self.scopes = scopes


class NotFound(Mail2TaskError):
    """Not found."""

    status = 404
    code = "not_found"


class Conflict(Mail2TaskError):
    """The state changed underneath the request."""

    status = 409
    code = "conflict"


class UpstreamError(Mail2TaskError):
    """A Google API call failed."""

    status = 502
    code = "upstream"
    retryable = True


class StoreUnavailable(Mail2TaskError):
    """The database is unreachable."""

    status = 503
    code = "unavailable"
    retryable = True


def to_http(error: Mail2TaskError) -> tuple[str, int, dict[str, str]]:
    """Map an error to a JSON HTTP response ``(body, status, headers)``: the one place this is decided."""
    body = json.dumps({"error": {"code": error.code, "message": error.public_message}})
    headers = {"Content-Type": "application/json", "Cache-Control": "no-store"}
    if error.retryable and error.status >= 500:
        headers["Retry-After"] = "5"
    return body, error.status, headers
