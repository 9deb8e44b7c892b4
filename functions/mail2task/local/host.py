"""Gmail's side of an add-on request: complete the event with tokens and post it the way Google does.

The browser sends the event without tokens; this adds ``authorizationEventObject`` (a user OAuth token
registered with the Gmail stand-in for the granted scopes, the user's ID token, the system ID token,
``authorizedScopes``) and ``gmail.accessToken``, then posts it with ``Authorization: Bearer <system ID
token>``. Both ID tokens are signed with the development key, so the browser never holds a key.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mail2task.local.devkey import DevSigner, system_claims, user_claims
from mail2task.local.gmail_standin import GmailStandIn
from mail2task.local.identities import LocalUser

USERINFO_EMAIL = "https://www.googleapis.com/auth/userinfo.email"
FORWARD_TIMEOUT = 60.0


class InvokeError(ValueError):
    """The browser asked for something Gmail would never send."""


@dataclass(frozen=True)
class Answer:
    """What the function answered."""

    status: int
    content_type: str
    body: bytes

    def public(self) -> dict[str, Any]:
        """For the page: the JSON body when there is one, else the text."""
        text = self.body.decode("utf-8", errors="replace")
        try:
            parsed: Any = json.loads(text) if "json" in self.content_type else None
        except ValueError:
            parsed = None
        return {"status": self.status, "json": parsed, "text": None if parsed is not None else text[:4000]}


def event_id(hex_id: str, kind: str) -> str:
    """The form Gmail puts ids in HTTP add-on events: ``msg-f:<decimal>`` / ``thread-f:<decimal>``."""
    return f"{kind}-f:{int(hex_id, 16)}"


@dataclass
class GmailHost:
    """Signs and forwards add-on events to the functions served at ``functions_url``."""

    signer: DevSigner
    gmail: GmailStandIn
    functions_url: str
    service_account: str
    oauth_client_id: str
    hex_ids: bool = False  # True: put API hex ids in events instead of Gmail's msg-f:/thread-f: form
    _user_tokens: dict[tuple[str, tuple[str, ...]], str] = field(default_factory=dict, repr=False)
    _access_tokens: dict[str, str] = field(default_factory=dict, repr=False)

    def _user_token(self, user: LocalUser, granted: list[str]) -> str:
        """One OAuth access token per user and set of granted scopes, registered with the Gmail stand-in."""
        key = (user.sub, tuple(granted))
        if key not in self._user_tokens:
            self._user_tokens[key] = self.gmail.grant_user_token(granted)
        return self._user_tokens[key]

    def _access_token(self, message_id: str) -> str:
        if message_id not in self._access_tokens:
            self._access_tokens[message_id] = self.gmail.issue_access_token(message_id)
        return self._access_tokens[message_id]

    def target(self, url: str) -> str:
        """``url`` if it names one of our functions; anything else is refused (no open relay)."""
        if not isinstance(url, str) or not url.startswith(self.functions_url.rstrip("/") + "/"):
            raise InvokeError("the add-on may only call the local functions")
        return url

    def complete(
        self, url: str, event: dict[str, Any], user: LocalUser, scopes: Iterable[str]
    ) -> dict[str, Any]:
        """The full event Gmail would post to ``url`` for ``user`` with ``scopes`` granted."""
        granted = sorted(set(scopes))
        common = dict(event.get("commonEventObject") or {})
        common.update(hostApp="GMAIL", platform="WEB")
        system_token = self.signer.mint(system_claims(url, self.service_account))
        authorization: dict[str, Any] = {
            "userOAuthToken": self._user_token(user, granted),
            "systemIdToken": system_token,
            "authorizedScopes": granted,
        }
        if USERINFO_EMAIL in granted:
            claims = user_claims(self.oauth_client_id, user.sub, user.email, user.hd)
            authorization["userIdToken"] = self.signer.mint({**claims, "name": user.name})
        body: dict[str, Any] = {"commonEventObject": common, "authorizationEventObject": authorization}
        gmail = event.get("gmail")
        if isinstance(gmail, dict) and gmail.get("messageId"):
            message_id = str(gmail["messageId"])
            stored = self.gmail.mailbox.get(message_id)
            if stored is None:
                raise InvokeError("no such message")
            body["gmail"] = {
                "messageId": message_id if self.hex_ids else event_id(message_id, "msg"),
                "threadId": stored.thread_id if self.hex_ids else event_id(stored.thread_id, "thread"),
                "accessToken": self._access_token(message_id),
            }
        return body

    def invoke(self, url: str, event: dict[str, Any], user: LocalUser, scopes: Iterable[str]) -> Answer:
        """Post the completed event to ``url`` and return the answer, whatever its status."""
        body = self.complete(self.target(url), event, user, scopes)
        system_token = body["authorizationEventObject"]["systemIdToken"]
        request = urllib.request.Request(
            url,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {system_token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=FORWARD_TIMEOUT) as response:
                return Answer(response.status, response.headers.get("Content-Type", ""), response.read())
        except urllib.error.HTTPError as error:
            with error:
                return Answer(error.code, error.headers.get("Content-Type", ""), error.read())
