"""The Gmail REST methods the stand-in answers, with Google's error shapes and per-method scope checks."""

from __future__ import annotations

import functools
import json
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mail2task.local.mailbox import (
    FORMATS,
    StoredMessage,
    b64url,
    header_text,
)

if TYPE_CHECKING:
    from mail2task.local.gmail_standin import GmailStandIn

ADDON_SCOPE_PREFIX = "https://www.googleapis.com/auth/gmail.addons.current."
METADATA_ONLY = frozenset(
    {
        "https://www.googleapis.com/auth/gmail.metadata",
        "https://www.googleapis.com/auth/gmail.addons.current.message.metadata",
    }
)
_ID = re.compile(r"^[0-9a-f]{16}$")
_STATUS_TEXT = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


@dataclass
class Call:
    """One HTTP request to the stand-in."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def param(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[-1] if values else default


class ApiError(Exception):
    """An error answered in Google's JSON error format."""

    def __init__(self, status: int, message: str, reason: str, location: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.reason, self.location = status, message, reason, location

    def body(self) -> dict[str, Any]:
        detail: dict[str, str] = {"message": self.message, "domain": "global", "reason": self.reason}
        if self.location:
            detail.update(location=self.location, locationType="header")
        status = _STATUS_TEXT.get(self.status, "UNKNOWN")
        error = {"code": self.status, "message": self.message, "errors": [detail], "status": status}
        return {"error": error}


def fault_error(status: int) -> ApiError:
    if status == 429:
        return ApiError(429, "Too many concurrent requests for user.", "rateLimitExceeded")
    if status == 503:
        return ApiError(503, "The service is currently unavailable.", "backendError")
    return ApiError(status, "Internal error encountered.", "backendError")


def too_large() -> ApiError:
    return ApiError(413, "Request payload size exceeds the limit.", "uploadTooLarge")


@functools.cache
def _discovery() -> dict[str, Any]:
    from importlib.resources import files

    text = files("googleapiclient").joinpath("discovery_cache/documents/gmail.v1.json").read_text()
    resources: dict[str, Any] = json.loads(text)["resources"]["users"]["resources"]
    return resources


def method_scopes(method: str) -> frozenset[str]:
    """The scopes Google's discovery document lists for ``method`` (e.g. ``messages.get``)."""
    node: dict[str, Any] = {"resources": _discovery()}
    *resources, name = method.split(".")
    for resource in resources:
        node = node["resources"][resource]
    return frozenset(node["methods"][name]["scopes"])


ALL_SCOPES = frozenset(
    scope
    for method in ("messages.get", "messages.list", "messages.send", "messages.attachments.get")
    for scope in method_scopes(method)
)


def authorize(standin: GmailStandIn, call: Call, method: str) -> frozenset[str]:
    auth = call.headers.get("authorization", "")
    if not auth.startswith("Bearer ") or not auth[7:].strip():
        raise ApiError(
            401,
            "Request is missing required authentication credential. Expected OAuth 2 access token.",
            "required",
            "Authorization",
        )
    scopes = standin.user_scopes(auth[7:].strip())
    if scopes is None:
        raise ApiError(401, "Request had invalid authentication credentials.", "authError", "Authorization")
    usable = scopes & method_scopes(method)
    if not usable:
        raise ApiError(403, "Request had insufficient authentication scopes.", "insufficientPermissions")
    return usable


def _check_access(standin: GmailStandIn, call: Call, thread_id: str, required: bool) -> None:
    token = call.headers.get("x-goog-gmail-access-token", "").strip()
    if not token:
        if required:
            raise ApiError(403, "Missing access token for authorization.", "forbidden")
        return
    opens = standin.access_token_thread(token)
    if opens is None:
        raise ApiError(403, "Invalid Gmail access token.", "forbidden")
    if opens not in ("*", thread_id):
        raise ApiError(403, "The access token does not grant access to this message.", "forbidden")


def check_user(user_id: str) -> None:
    if urllib.parse.unquote(user_id) != "me":
        raise ApiError(403, f"Delegation denied for {urllib.parse.unquote(user_id)}", "forbidden")


def _message(standin: GmailStandIn, raw_id: str) -> StoredMessage:
    message_id = urllib.parse.unquote(raw_id)
    if not _ID.match(message_id):  # msg-f:<decimal> ids from add-on events are not API ids
        raise ApiError(400, "Invalid id value", "invalidArgument")
    stored = standin.mailbox.get(message_id)
    if stored is None:
        raise ApiError(404, "Requested entity was not found.", "notFound")
    return stored


def _format(call: Call, allowed: tuple[str, ...], usable: frozenset[str]) -> str:
    fmt = call.param("format", "full").lower()
    if fmt not in allowed:
        raise ApiError(400, f"Invalid value at 'format' ({fmt})", "invalidArgument")
    if fmt in ("full", "raw") and usable <= METADATA_ONLY:
        raise ApiError(403, f"Metadata scope doesn't allow format {fmt.upper()}", "forbidden")
    return fmt


def messages_list(standin: GmailStandIn, call: Call, user: str) -> dict[str, Any]:
    check_user(user)
    authorize(standin, call, "messages.list")
    labels = set(call.query.get("labelIds", []))
    words = call.param("q").lower().split()
    found = [
        m
        for m in standin.mailbox.messages()
        if labels <= set(m.label_ids) and all(_matches(m, w) for w in words)
    ]
    try:
        start = int(call.param("pageToken") or 0)
        size = max(1, min(500, int(call.param("maxResults") or 100)))
    except ValueError:
        raise ApiError(400, "Invalid pageToken or maxResults", "invalidArgument") from None
    page = found[start : start + size]
    body: dict[str, Any] = {"resultSizeEstimate": len(found)}
    if page:
        body["messages"] = [{"id": m.id, "threadId": m.thread_id} for m in page]
    if start + size < len(found):
        body["nextPageToken"] = str(start + size)
    return body


def _matches(message: StoredMessage, word: str) -> bool:
    key, _, value = word.partition(":")
    if value and key in ("from", "to", "subject"):
        return value in header_text(message.parsed, key).lower()
    if value and key == "in":
        return value.upper() in message.label_ids
    return word in message.snippet.lower() or word in header_text(message.parsed, "Subject").lower()


def messages_get(standin: GmailStandIn, call: Call, user: str, raw_id: str) -> dict[str, Any]:
    check_user(user)
    usable = authorize(standin, call, "messages.get")
    stored = _message(standin, raw_id)
    _check_access(standin, call, stored.thread_id, required=True)
    fmt = _format(call, FORMATS, usable)
    return stored.resource(fmt, call.query.get("metadataHeaders"))


def attachments_get(standin: GmailStandIn, call: Call, user: str, raw_id: str, att: str) -> dict[str, Any]:
    check_user(user)
    authorize(standin, call, "messages.attachments.get")
    stored = _message(standin, raw_id)
    _check_access(standin, call, stored.thread_id, required=True)
    attachment_id = urllib.parse.unquote(att)
    data = standin.mailbox.attachment(stored.id, attachment_id)
    if data is None:
        raise ApiError(400, "Invalid attachment token", "invalidArgument")
    return {"attachmentId": attachment_id, "size": len(data), "data": b64url(data)}


def threads_get(standin: GmailStandIn, call: Call, user: str, raw_id: str) -> dict[str, Any]:
    check_user(user)
    usable = authorize(standin, call, "threads.get")
    thread_id = urllib.parse.unquote(raw_id)
    if not _ID.match(thread_id):
        raise ApiError(400, "Invalid id value", "invalidArgument")
    messages = standin.mailbox.thread(thread_id)
    if not messages:
        raise ApiError(404, "Requested entity was not found.", "notFound")
    addon_only = all(scope.startswith(ADDON_SCOPE_PREFIX) for scope in usable)
    _check_access(standin, call, thread_id, required=addon_only)
    fmt = _format(call, ("full", "metadata", "minimal"), usable)
    headers = call.query.get("metadataHeaders")
    return {
        "id": thread_id,
        "historyId": str(max(m.history_id for m in messages)),
        "messages": [m.resource(fmt, headers) for m in messages],
    }


def _send(standin: GmailStandIn, call: Call, user: str, upload: bool) -> dict[str, Any]:
    from mail2task.local.gmail_sending import messages_send

    return messages_send(standin, call, user, upload=upload)


_ROUTES: list[tuple[str, re.Pattern[str], Callable[..., dict[str, Any]]]] = [
    ("GET", re.compile(r"^/gmail/v1/users/([^/]+)/messages$"), messages_list),
    ("GET", re.compile(r"^/gmail/v1/users/([^/]+)/messages/([^/]+)$"), messages_get),
    ("GET", re.compile(r"^/gmail/v1/users/([^/]+)/messages/([^/]+)/attachments/([^/]+)$"), attachments_get),
    ("GET", re.compile(r"^/gmail/v1/users/([^/]+)/threads/([^/]+)$"), threads_get),
    ("POST", re.compile(r"^/gmail/v1/users/([^/]+)/messages/send$"),
     lambda s, c, u: _send(s, c, u, upload=False)),
    ("POST", re.compile(r"^/upload/gmail/v1/users/([^/]+)/messages/send$"),
     lambda s, c, u: _send(s, c, u, upload=True)),
]  # fmt: skip


def dispatch(standin: GmailStandIn, call: Call) -> dict[str, Any]:
    """Route ``call`` to its method; raises :class:`ApiError` for every failure."""
    for method, pattern, handler in _ROUTES:
        match = pattern.match(call.path)
        if match and call.method == method:
            return handler(standin, call, *match.groups())
    raise ApiError(404, f"Method not found: {call.method} {call.path}", "notFound")
