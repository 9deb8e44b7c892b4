"""The one error hierarchy of mail2task, and its mapping to HTTP responses.

    Mail2TaskError                500  base; ``retryable`` says whether trying again later may succeed
    ├── ConfigError               500  a setting is missing or malformed (names the variable)
    ├── VaultError                500  a stored token cannot be opened (wrong owner, tampered, key gone)
    ├── SecretUnavailable         503  a Secret Manager version could not be read; retryable
    ├── BadRequest                400  the caller sent something we cannot accept
    │   └── PayloadTooLarge       413  input over a size limit
    │       └── MessageTooLarge   413  a message over the conversion limit
    ├── Unauthenticated           401  a token is missing or failed verification (no detail leaves)
    ├── Forbidden                 403  verified, but not allowed (policy, role, tenant)
    │   ├── ConsentRequired       403  the offline consent an action needs is not granted (or lost)
    │   ├── ScopesRequired        403  the add-on event lacks Google scopes the action needs
    │   ├── ConsumerAccount       403  a consumer (non-Workspace) account: no verified ``hd``
    │   ├── NotAppAdmin           403  an admin action by someone not an app admin of the tenant
    │   └── OutsideTenant         403  a person named in an admin action is outside the tenant
    ├── NotFound                  404  the thing asked for does not exist
    ├── Conflict                  409  the state changed underneath the request
    ├── UpstreamError             502  a Google API failed; retryable unless the API said otherwise
    │   ├── SendFailed            502  Gmail did not confirm a message; retryable if surely unsent
    │   └── TokenEndpointError    502  Google's OAuth endpoint failed; retryable per ``TokenFailure``
    └── StoreUnavailable          503  Firestore unreachable or timing out; retryable

Messages are written for the person reading them and never carry tokens, codes, states or bodies.
"""

from __future__ import annotations

import enum
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


class VaultError(Mail2TaskError):
    """A stored token could not be opened (wrong owner, tampered, or its key is unavailable)."""

    code = "vault"


class SecretUnavailable(Mail2TaskError):
    """A secret version could not be read."""

    status = 503
    code = "secret_unavailable"
    retryable = True


class BadRequest(Mail2TaskError):
    """The request is malformed."""

    status = 400
    code = "bad_request"


class PayloadTooLarge(BadRequest):
    """The input is larger than allowed."""

    status = 413
    code = "too_large"


class MessageTooLarge(PayloadTooLarge):
    """The message is larger than the conversion limit."""


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


class ConsumerAccount(Forbidden):
    """The add-on works only for Google Workspace accounts."""

    code = "consumer_account"


class NotAppAdmin(Forbidden):
    """Only an app admin of your organization may do this."""

    code = "not_app_admin"


class OutsideTenant(Forbidden):
    """Someone named in the request is not part of your organization."""

    code = "outside_tenant"


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


class SendFailed(UpstreamError):
    """Gmail did not confirm the message."""

    code = "send_failed"

    def __init__(self, message: str, *, definitely_unsent: bool, status: int = 0) -> None:
        super().__init__(message, retryable=definitely_unsent)
        self.definitely_unsent = definitely_unsent
        self.http_status = status


class TokenFailure(enum.Enum):
    """How a call to Google's OAuth token or revoke endpoint failed."""

    RETRYABLE = "retryable"
    FINAL = "final"  # invalid_grant: revoked, expired, password change, token limit, admin policy
    CLIENT = "client"  # our client id/secret is rejected
    REJECTED = "rejected"


class TokenEndpointError(UpstreamError):
    """Google's OAuth endpoint refused or failed a request."""

    code = "oauth_endpoint"

    def __init__(self, failure: TokenFailure, error: str, status: int | None = None) -> None:
        retryable = failure is TokenFailure.RETRYABLE
        super().__init__(f"token endpoint: {error} (HTTP {status})", retryable=retryable)
        self.failure = failure
        self.error = error  # an OAuth error code or "timeout"/"connection"/"malformed_response"
        self.http_status = status

    @property
    def public_message(self) -> str:
        return "Google's sign-in service did not complete the request."


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
