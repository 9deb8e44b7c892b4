"""Gmail API access for one add-on request: the open message (raw or full) and its attachments.

The client is built per request from the static discovery document (its HTTP layer is not thread-safe)
with the user's ``userOAuthToken`` and, on every call, the per-message ``X-Goog-Gmail-Access-Token``.
Message ids from events (``msg-f:<decimal>``) are tried as given, then as the hex API id. Overload and
server errors (429, 5xx, timeouts) are retried a bounded number of times with exponential backoff; after
that, or past a deadline, the call fails with ``UpstreamError`` (a friendly card at the edge); a token
Gmail refuses is ``Forbidden``.
"""

from __future__ import annotations

import base64
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mail2task.errors import BadRequest, Forbidden, NotFound, UpstreamError

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
DEFAULT_ATTEMPTS = 4
DEFAULT_TIMEOUT = 8.0  # per HTTP call
DEFAULT_DEADLINE = 20.0  # all attempts of one call together: Gmail waits about 30 s for a card
MAX_RETRY_AFTER = 4.0
REFUSED = "Gmail did not let {app} read this message. Open it again and retry."
_EVENT_ID = re.compile(r"^(?:msg|thread)-[a-z]:(\d{1,20})$")


def gmail_api_id(value: str) -> str:
    """The hex API id of an add-on event id (``msg-f:<decimal>``, ``thread-f:<decimal>``); others as given."""
    match = _EVENT_ID.match(value)
    return format(int(match.group(1)), "x") if match else value


def b64url_decode(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


@dataclass(frozen=True)
class RawMessage:
    """``users.messages.get(format=raw)``: the API ids and the RFC 5322 bytes."""

    id: str
    thread_id: str
    raw: bytes


class _InvalidId(Exception):
    """Gmail refused the id as given (400/404); the caller may try the hex form."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _backoff(attempt: int, retry_after: str | None) -> float:
    if retry_after is not None and retry_after.isdigit():
        return min(float(retry_after), MAX_RETRY_AFTER)
    delay: float = 0.25 * 2**attempt + random.uniform(0, 0.25)  # noqa: S311 (jitter, not a secret)
    return min(delay, MAX_RETRY_AFTER)


class GmailClient:
    """Reads the message an add-on event names, as that user, through google-api-python-client."""

    def __init__(
        self,
        user_token: str,
        access_token: str | None,
        *,
        endpoint: str,
        timeout: float = DEFAULT_TIMEOUT,
        attempts: int = DEFAULT_ATTEMPTS,
        deadline: float = DEFAULT_DEADLINE,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        app_name: str = "the add-on",
    ) -> None:
        self._refused = REFUSED.format(app=app_name)
        self._user_token = user_token
        self._access_token = access_token
        self._endpoint = endpoint
        self._timeout = timeout
        self._attempts = max(1, attempts)
        self._deadline = deadline
        self._sleep = sleep
        self._clock = clock
        self._service: Any = None
        self.calls = 0

    def _messages(self) -> Any:
        if self._service is None:
            import google_auth_httplib2
            import httplib2
            from google.oauth2.credentials import Credentials
            from googleapiclient.discovery import build

            http = google_auth_httplib2.AuthorizedHttp(
                Credentials(token=self._user_token), http=httplib2.Http(timeout=self._timeout)
            )
            self._service = build(
                "gmail",
                "v1",
                http=http,
                static_discovery=True,
                cache_discovery=False,
                client_options={"api_endpoint": self._endpoint},
            )
        return self._service.users().messages()

    def _execute(self, make_request: Callable[[], Any]) -> dict[str, Any]:
        import httplib2
        from google.auth.exceptions import RefreshError
        from googleapiclient.errors import HttpError

        give_up_at = self._clock() + self._deadline
        for attempt in range(self._attempts):
            request = make_request()
            if self._access_token:
                request.headers["X-Goog-Gmail-Access-Token"] = self._access_token
            self.calls += 1
            retry_after: str | None = None
            try:
                result: dict[str, Any] = request.execute(num_retries=0)
                return result
            except HttpError as error:
                status = int(error.resp.status)
                if status in (400, 404):
                    raise _InvalidId(status) from None
                if status in (401, 403):
                    raise Forbidden(self._refused) from None
                if status not in RETRYABLE_STATUSES:
                    raise UpstreamError(f"Gmail answered {status}", retryable=False) from None
                retry_after = error.resp.get("retry-after")
            except RefreshError:  # Gmail answered 401 and the event's access token cannot be refreshed
                raise Forbidden(self._refused) from None
            except (OSError, httplib2.HttpLib2Error):  # timeouts, refused or reset connections
                pass
            delay = _backoff(attempt, retry_after)
            if attempt + 1 < self._attempts and self._clock() + delay < give_up_at:
                self._sleep(delay)
            else:
                break
        raise UpstreamError(f"Gmail unavailable after {self.calls} attempts")

    def _by_id(self, message_id: str, call: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
        try:
            try:
                return call(message_id)
            except _InvalidId:
                api_id = gmail_api_id(message_id)
                if api_id == message_id:
                    raise
                return call(api_id)
        except _InvalidId as error:
            if error.status == 404:
                raise NotFound("The message is no longer in Gmail.") from None
            raise BadRequest("Gmail did not accept the message id.") from None

    def get_raw(self, message_id: str) -> RawMessage:
        """The open message as RFC 5322 bytes (``format=raw``)."""
        resource = self._by_id(
            message_id,
            lambda mid: self._execute(lambda: self._messages().get(userId="me", id=mid, format="raw")),
        )
        return RawMessage(
            str(resource.get("id", "")),
            str(resource.get("threadId", "")),
            b64url_decode(str(resource.get("raw", ""))),
        )

    def get_full(self, message_id: str) -> dict[str, Any]:
        """The open message's ``Message`` resource in ``format=full`` (attachments by reference)."""
        return self._by_id(
            message_id,
            lambda mid: self._execute(lambda: self._messages().get(userId="me", id=mid, format="full")),
        )

    def get_attachment(self, message_id: str, attachment_id: str) -> bytes:
        """The decoded bytes of one attachment (``users.messages.attachments.get``)."""
        resource = self._by_id(
            message_id,
            lambda mid: self._execute(
                lambda: self._messages().attachments().get(userId="me", messageId=mid, id=attachment_id)
            ),
        )
        return b64url_decode(str(resource.get("data", "")))
