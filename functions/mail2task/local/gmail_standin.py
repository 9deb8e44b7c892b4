"""A loopback Gmail API stand-in speaking the real REST wire format, for the local stack and tests.

The real google-api-python-client talks to it when built with
``client_options={"api_endpoint": standin.endpoint}``. It serves a :class:`~mail2task.local.mailbox.Mailbox`:
``users.messages.list/get/send``, ``users.messages.attachments.get`` and ``users.threads.get``, with
Google's error bodies. Every call needs ``Authorization: Bearer``; ``messages.get`` and
``attachments.get`` also need the per-message ``X-Goog-Gmail-Access-Token``, as for a Gmail add-on.

By default any non-empty token is accepted with every scope. ``require_known_tokens=True`` accepts only
tokens registered with :meth:`GmailStandIn.grant_user_token` (enforcing the scopes Google's discovery
document lists for each method, and that metadata scopes cannot read bodies) and access tokens from
:meth:`GmailStandIn.issue_access_token` (valid for the messages of one thread).

A 401 makes google-auth try to refresh the caller's credentials (an event's ``userOAuthToken`` cannot be
refreshed: the client raises ``RefreshError``). Media uploads of ``messages.send`` are served at
``/upload/...``, but the client sends those to ``rootUrl`` whatever ``api_endpoint`` says.

Like the real API, ids in the add-on event form ``msg-f:<decimal>`` are refused with 400; callers convert
them to the hex API id. :meth:`GmailStandIn.fail_next` injects errors (500, 429...) for tests.
"""

from __future__ import annotations

import json
import secrets
import threading
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mail2task.local import gmail_api
from mail2task.local.gmail_api import ApiError, Call
from mail2task.local.gmail_sending import SentMessage
from mail2task.local.mailbox import Mailbox
from mail2task.local.servers import FaultQueue, HttpStandIn, QuietHandler, StandInServer

SAMPLES = Path(__file__).with_name("samples")
MAX_REQUEST_BYTES = 36_700_160 + 64 * 1024  # the upload limit of messages.send plus room for framing


@dataclass
class RecordedRequest:
    """One request as the stand-in saw it (tests assert on these)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    status: int = 0


@dataclass
class _Grant:
    scopes: frozenset[str]


@dataclass
class _Tokens:
    user: dict[str, _Grant] = field(default_factory=dict)
    access: dict[str, str] = field(default_factory=dict)  # access token -> thread id


class GmailStandIn(HttpStandIn):
    """The server; ``start()``/``stop()`` or use it as a context manager. ``endpoint`` is its base URL."""

    def __init__(
        self,
        mailbox: Mailbox | None = None,
        *,
        folder: Path | str | None = None,
        port: int = 0,
        require_known_tokens: bool = False,
    ) -> None:
        self.mailbox = mailbox or Mailbox.from_folder(folder or SAMPLES)
        self.require_known_tokens = require_known_tokens
        self.requests: list[RecordedRequest] = []
        self._tokens = _Tokens()
        self._faults = FaultQueue()
        self._sent: list[SentMessage] = []
        self._lock = threading.Lock()
        super().__init__("gmail-standin", _Handler, port, _Server)

    @property
    def sent(self) -> list[SentMessage]:
        """Messages received through ``messages.send``, in order."""
        with self._lock:
            return list(self._sent)

    def record_sent(self, message: SentMessage) -> None:
        with self._lock:
            self._sent.append(message)

    # tokens -------------------------------------------------------------------------------------------
    def grant_user_token(self, scopes: Iterable[str], token: str | None = None) -> str:
        """Register (or mint) a user OAuth access token carrying ``scopes``; returns it."""
        token = token or "ya29.local-" + secrets.token_urlsafe(24)
        with self._lock:
            self._tokens.user[token] = _Grant(frozenset(scopes))
        return token

    def issue_access_token(self, message_id: str) -> str:
        """A per-message Gmail add-on access token, valid for the messages of that message's thread."""
        stored = self.mailbox.get(message_id)
        if stored is None:
            raise KeyError(message_id)
        token = "gmail-access-" + secrets.token_urlsafe(18)
        with self._lock:
            self._tokens.access[token] = stored.thread_id
        return token

    def user_scopes(self, token: str) -> frozenset[str] | None:
        """The scopes of a Bearer token; ``None`` when it is not accepted."""
        with self._lock:
            grant = self._tokens.user.get(token)
        if grant is not None:
            return grant.scopes
        return None if self.require_known_tokens else gmail_api.ALL_SCOPES

    def access_token_thread(self, token: str) -> str | None:
        """The thread an access token opens; ``"*"`` for any token when tokens are not enforced."""
        with self._lock:
            thread = self._tokens.access.get(token)
        if thread is None and not self.require_known_tokens:
            return "*"
        return thread

    # fault injection ----------------------------------------------------------------------------------
    def fail_next(
        self, count: int = 1, status: int = 500, *, match: str | None = None, retry_after: int | None = None
    ) -> None:
        """Answer the next ``count`` requests (whose path contains ``match``, if given) with ``status``."""
        self._faults.add(count, status, match=match, retry_after=retry_after)

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def handle(self, call: Call) -> tuple[int, dict[str, str], bytes]:
        """Answer one request: ``(status, headers, JSON body)``."""
        fault = self._faults.take(call.path)
        if fault is not None:
            error = gmail_api.fault_error(fault.status)
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            return fault.status, headers, json.dumps(error.body()).encode()
        try:
            payload = gmail_api.dispatch(self, call)
        except ApiError as error:
            return error.status, {}, json.dumps(error.body()).encode()
        return 200, {}, json.dumps(payload).encode()


class _Server(StandInServer[GmailStandIn]):
    block_on_close = False  # one request per connection: clients close their sockets as soon as they read


class _Handler(QuietHandler):
    server: _Server

    def _serve(self) -> None:
        split = urllib.parse.urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        length = int(headers.get("content-length") or 0)
        if length > MAX_REQUEST_BYTES:
            self.send_json(413, gmail_api.too_large().body())
            self.close_connection = True
            return
        body = self.rfile.read(length) if length else b""
        query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        recorded = RecordedRequest(self.command, split.path, query, headers)
        call = Call(self.command, split.path, query, headers, body)
        status, extra, payload = self.server.standin.handle(call)
        recorded.status = status
        self.server.standin.record(recorded)
        self.send_json(status, payload, extra)

    do_GET = _serve
    do_POST = _serve
    do_PUT = _serve
    do_DELETE = _serve
    do_PATCH = _serve
