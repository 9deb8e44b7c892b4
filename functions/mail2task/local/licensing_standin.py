"""A loopback Marketplace Licensing API (appsmarket v2) stand-in, in the real REST wire format.

Serves ``customerLicense.get`` and ``userLicense.get`` at the paths of the shipped discovery document,
so google-api-python-client built with ``client_options={"api_endpoint": standin.endpoint}`` talks to it.
Licenses are set with :meth:`LicensingStandIn.license_domain` / :meth:`license_user`; anything not set
answers ``UNLICENSED``, like the real API for a customer that never installed the app. Bearer tokens must
be in ``tokens`` (by default the local profile's token). Faults: :meth:`fail_next` answers the next
requests with an HTTP error; :attr:`outage` makes every request fail with 503.
"""

from __future__ import annotations

import threading
import urllib.parse
from dataclasses import dataclass
from typing import Any

from mail2task.google.licensing import LOCAL_ACCESS_TOKEN
from mail2task.local.servers import FaultQueue, HttpStandIn, QuietHandler, StandInServer

PREFIX = "/appsmarket/v2/"
_STATUS = {401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 500: "INTERNAL",
           503: "UNAVAILABLE"}  # fmt: skip


def error_body(status: int, message: str) -> dict[str, Any]:
    reason = {401: "authError", 403: "forbidden", 404: "notFound"}.get(status, "backendError")
    detail = {"message": message, "domain": "global", "reason": reason}
    return {
        "error": {"code": status, "message": message, "errors": [detail], "status": _STATUS.get(status, "")}
    }


@dataclass
class _UserLicense:
    state: str
    enabled: bool


class LicensingStandIn(HttpStandIn):
    """The server; ``start()``/``stop()`` or a context manager. ``endpoint`` is its base URL."""

    def __init__(
        self,
        app_id: str = "123456789012",
        tokens: set[str] | None = None,
        outage: bool = False,
        *,
        port: int = 0,
    ) -> None:
        self.app_id = app_id
        self.tokens = {LOCAL_ACCESS_TOKEN} if tokens is None else tokens
        self.outage = outage
        self.calls: list[str] = []  # "customerLicense <customer>" / "userLicense <user>"
        self._domains: dict[str, str] = {}
        self._users: dict[str, _UserLicense] = {}
        self._faults = FaultQueue()
        self._lock = threading.Lock()
        super().__init__("licensing-standin", _Handler, port)

    # state ----------------------------------------------------------------------------------------
    def license_domain(self, domain: str, state: str = "ACTIVE") -> None:
        """Domain install (``ACTIVE``) or its removal (``UNLICENSED``)."""
        with self._lock:
            self._domains[domain.lower()] = state

    def license_user(self, email: str, state: str = "ACTIVE", *, enabled: bool = False) -> None:
        """Individual install (``ACTIVE``), seat removed (``UNLICENSED``) or ``EXPIRED``."""
        with self._lock:
            self._users[email.lower()] = _UserLicense(state, enabled)

    def fail_next(self, count: int = 1, status: int = 500) -> None:
        """Answer the next ``count`` requests with ``status``."""
        self._faults.add(count, status)

    # API ------------------------------------------------------------------------------------------
    def handle(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        fault = self._faults.take(path)
        if self.outage:
            return 503, error_body(503, "The service is currently unavailable.")
        if fault is not None:
            return fault.status, error_body(fault.status, "Internal error encountered.")
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or token not in self.tokens:
            return 401, error_body(401, "Request had invalid authentication credentials.")
        parts = [urllib.parse.unquote(p) for p in path.removeprefix(PREFIX).split("/")]
        if method != "GET" or not path.startswith(PREFIX) or len(parts) != 3:
            return 404, error_body(404, "Method not found.")
        resource, app_id, key = parts
        if app_id != self.app_id:
            return 404, error_body(404, f"Application {app_id} not found.")
        with self._lock:
            self.calls.append(f"{resource} {key}")
            if resource == "customerLicense":
                state = self._domains.get(key.lower(), "UNLICENSED")
                return 200, {"kind": "appsmarket#customerLicense", "state": state, "applicationId": app_id,
                             "customerId": key, "id": f"{app_id}:{key}", "editions": []}  # fmt: skip
            if resource == "userLicense":
                user = self._users.get(key.lower(), _UserLicense("UNLICENSED", False))
                return 200, {"kind": "appsmarket#userLicense", "state": user.state, "enabled": user.enabled,
                             "applicationId": app_id, "customerId": key.rpartition("@")[2], "userId": key,
                             "id": f"{app_id}:{key}", "editionId": "default_edition"}  # fmt: skip
        return 404, error_body(404, "Method not found.")


class _Handler(QuietHandler):
    server: StandInServer[LicensingStandIn]

    def do_GET(self) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        path = urllib.parse.urlsplit(self.path).path
        self.send_json(*self.server.standin.handle("GET", path, headers))
