"""A loopback Admin SDK Directory API stand-in (users.get, users.list) in the real REST wire format.

google-api-python-client built with ``client_options={"api_endpoint": standin.endpoint}`` and the shipped
``admin directory_v1`` discovery document talks to it. The caller is whoever its Bearer token was
granted to (:meth:`DirectoryStandIn.grant`), and like Google it only shows the caller's own customer:
``customer=my_customer`` (or the caller's customer id) and ``domain`` of that customer; other customers'
users are 404 on ``users.get`` and 403 on ``users.list``. ``viewType=admin_view`` needs a Workspace admin
caller; ``domain_public`` does not. ``users.list`` supports ``query`` (free-text words and
``field:value`` with a trailing ``*`` for prefixes: email, givenName, familyName, name, isAdmin,
isSuspended), ``orderBy``, ``sortOrder``, ``maxResults`` (1-500) and opaque ``pageToken``s.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import shlex
import threading
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from mail2task.local.licensing_standin import error_body
from mail2task.local.servers import FaultQueue, HttpStandIn, QuietHandler, StandInServer

PREFIX = "/admin/directory/v1/users"
READ_SCOPES = frozenset(
    {
        "https://www.googleapis.com/auth/admin.directory.user.readonly",
        "https://www.googleapis.com/auth/admin.directory.user",
    }
)
NOT_AUTHORIZED = "Not Authorized to access this resource/api"


@dataclass
class _Caller:
    user_id: str
    scopes: frozenset[str]


def _words(text: str) -> list[str]:
    return [w for w in text.lower().replace(".", " ").replace("@", " ").split() if w]


def _field_matches(user: dict[str, Any], name: str, value: str) -> bool:
    prefix = value.endswith("*")
    value = value.rstrip("*").lower()
    if name in ("isAdmin", "isSuspended"):
        actual = user["isAdmin"] if name == "isAdmin" else user["suspended"]
        return str(actual).lower() == value
    fields = {
        "email": [user["primaryEmail"]],
        "givenName": [user["name"]["givenName"]],
        "familyName": [user["name"]["familyName"]],
        "name": [user["name"]["fullName"], *user["name"]["fullName"].split()],
    }.get(name)
    if fields is None:
        raise ValueError(name)
    return any(f.lower().startswith(value) if prefix else f.lower() == value for f in fields)


def matches(user: dict[str, Any], query: str) -> bool:
    """Whether ``user`` satisfies a Directory search ``query`` (every term must match)."""
    for term in shlex.split(query):
        name, sep, value = term.partition(":")
        if sep and name:
            if not _field_matches(user, name, value.strip("'\"")):
                return False
            continue
        local_part = user["primaryEmail"].partition("@")[0]
        candidates = [*_words(user["name"]["fullName"]), user["primaryEmail"].lower(), *_words(local_part)]
        if not any(c.startswith(term.lower().rstrip("*")) for c in candidates):
            return False
    return True


class DirectoryStandIn(HttpStandIn):
    """The server; ``start()``/``stop()`` or a context manager. ``endpoint`` is its base URL."""

    def __init__(
        self, resolver: Callable[[str], tuple[str, Iterable[str]] | None] | None = None, *, port: int = 0
    ) -> None:
        self.resolver = resolver  # token -> (user id, scopes), for tokens not granted here
        self.calls: list[str] = []
        self._users: dict[str, dict[str, Any]] = {}
        self._customers: dict[str, str] = {}  # domain -> customer id
        self._tokens: dict[str, _Caller] = {}
        self._faults = FaultQueue()
        self._lock = threading.Lock()
        super().__init__("directory-standin", _Handler, port)

    # directory contents -----------------------------------------------------------------------------
    def add_user(
        self,
        email: str,
        full_name: str,
        *,
        admin: bool = False,
        user_id: str | None = None,
        suspended: bool = False,
    ) -> dict[str, Any]:
        """A user of the customer that owns ``email``'s domain; returns the stored resource."""
        email = email.lower()
        domain = email.rpartition("@")[2]
        with self._lock:
            customer = self._customers.setdefault(
                domain, "C0" + hashlib.sha256(domain.encode()).hexdigest()[:7]
            )
            uid = user_id or str(
                100000000000000000000 + int(hashlib.sha256(email.encode()).hexdigest()[:12], 16)
            )
            given, _, family = full_name.partition(" ")
            names = {"givenName": given, "familyName": family, "fullName": full_name}
            user = {
                "kind": "admin#directory#user", "id": uid, "etag": f'"{secrets.token_hex(8)}"',
                "primaryEmail": email, "name": names,
                "isAdmin": admin, "isDelegatedAdmin": False, "suspended": suspended, "customerId": customer,
                "orgUnitPath": "/", "isMailboxSetup": True, "includeInGlobalAddressList": True,
            }  # fmt: skip
            self._users[uid] = user
        return user

    def customer_of(self, domain: str) -> str:
        return self._customers[domain.lower()]

    def grant(self, user_id: str, scopes: Iterable[str] = READ_SCOPES, token: str | None = None) -> str:
        """Register an access token for ``user_id`` carrying ``scopes``; returns it."""
        token = token or "ya29.dir-" + secrets.token_urlsafe(18)
        with self._lock:
            self._tokens[token] = _Caller(user_id, frozenset(scopes))
        return token

    def revoke(self, token: str) -> None:
        """The token stops working (as after Google's revoke endpoint)."""
        with self._lock:
            self._tokens.pop(token, None)

    def find(self, email: str) -> dict[str, Any]:
        """The stored user with primary email ``email`` (KeyError when none)."""
        with self._lock:
            for user in self._users.values():
                if user["primaryEmail"] == email.lower():
                    return user
        raise KeyError(email)

    def fail_next(self, count: int = 1, status: int = 500) -> None:
        """Answer the next ``count`` requests with ``status``."""
        self._faults.add(count, status)

    # API --------------------------------------------------------------------------------------------
    def _caller(self, headers: dict[str, str]) -> _Caller | None:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        with self._lock:
            caller = self._tokens.get(token)
        if caller is None and self.resolver is not None:
            resolved = self.resolver(token)
            caller = _Caller(resolved[0], frozenset(resolved[1])) if resolved else None
        return caller

    def handle(self, path: str, query: dict[str, str], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        fault = self._faults.take(path)
        if fault is not None:
            return fault.status, error_body(fault.status, "Internal error encountered.")
        caller = self._caller(headers)
        me = self._users.get(caller.user_id) if caller else None
        if caller is None or me is None:
            return 401, error_body(401, "Request had invalid authentication credentials.")
        if not caller.scopes & READ_SCOPES:
            return 403, error_body(403, "Request had insufficient authentication scopes.")
        if query.get("viewType", "admin_view") == "admin_view" and not me["isAdmin"]:
            return 403, error_body(403, NOT_AUTHORIZED)
        with self._lock:
            self.calls.append(path)
        if path == PREFIX:
            return self._list(me, query)
        if path.startswith(PREFIX + "/"):
            return self._get(me, urllib.parse.unquote(path[len(PREFIX) + 1 :]))
        return 404, error_body(404, "Method not found.")

    def _get(self, me: dict[str, Any], key: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            by_email = {u["primaryEmail"]: u for u in self._users.values()}
            user = self._users.get(key) or by_email.get(key.lower())
        if user is None or user["customerId"] != me["customerId"]:
            return 404, error_body(404, "Resource Not Found: userKey")
        return 200, user

    def _list(self, me: dict[str, Any], query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        customer, domain = query.get("customer"), query.get("domain")
        if customer not in (None, "my_customer", me["customerId"]) or (customer is None and domain is None):
            return 403 if customer else 400, error_body(403 if customer else 400, NOT_AUTHORIZED)
        if domain and self._customers.get(domain.lower()) != me["customerId"]:
            return 403, error_body(403, NOT_AUTHORIZED)
        try:
            size = int(query.get("maxResults", "100"))
            text = query.get("query", "")
            with self._lock:
                users = [u for u in self._users.values() if u["customerId"] == me["customerId"]]
            users = [u for u in users if (not domain or u["primaryEmail"].endswith("@" + domain.lower()))]
            users = [u for u in users if matches(u, text)] if text else users
        except ValueError:
            return 400, error_body(400, "Invalid Input")
        if not 1 <= size <= 500:
            return 400, error_body(400, "Invalid Input: maxResults")
        order = query.get("orderBy", "email")
        key = {"email": lambda u: u["primaryEmail"], "givenName": lambda u: u["name"]["givenName"].lower(),
               "familyName": lambda u: u["name"]["familyName"].lower()}.get(order)  # fmt: skip
        if key is None:
            return 400, error_body(400, "Invalid Input: orderBy")
        users.sort(key=key, reverse=query.get("sortOrder", "ASCENDING").upper() == "DESCENDING")
        start = 0
        if query.get("pageToken"):
            try:
                token = json.loads(base64.urlsafe_b64decode(query["pageToken"].encode()))
                start = int(token["o"])
            except (ValueError, KeyError, TypeError):
                return 400, error_body(400, "Invalid Input: pageToken")
        page = users[start : start + size]
        body: dict[str, Any] = {
            "kind": "admin#directory#users",
            "etag": f'"{secrets.token_hex(8)}"',
            "users": page,
        }
        if start + size < len(users):
            body["nextPageToken"] = base64.urlsafe_b64encode(
                json.dumps({"o": start + size}).encode()
            ).decode()
        return 200, body


class _Handler(QuietHandler):
    server: StandInServer[DirectoryStandIn]

    def do_GET(self) -> None:
        split = urllib.parse.urlsplit(self.path)
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(split.query, keep_blank_values=True).items()}
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.send_json(*self.server.standin.handle(split.path, query, headers))
