"""A loopback Marketplace Licensing API (appsmarket v2) stand-in, in the real REST wire format.

Serves ``customerLicense.get`` and ``userLicense.get`` at the paths of the shipped discovery document,
so google-api-python-client built with ``client_options={"api_endpoint": standin.endpoint}`` talks to it.
Licenses are set with :meth:`LicensingStandIn.license_domain` / :meth:`license_user`; anything not set
answers ``UNLICENSED``, like the real API for a customer that never installed the app. Bearer tokens must
be in ``tokens`` (by default the local profile's token). Faults: :meth:`fail_next` answers the next
requests with an HTTP error; :attr:`outage` makes every request fail with 503.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from mail2task.google.licensing import LOCAL_ACCESS_TOKEN

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


@dataclass
class LicensingStandIn:
    """The server; ``start()``/``stop()`` or a context manager. ``endpoint`` is its base URL."""

    app_id: str = "123456789012"
    tokens: set[str] = field(default_factory=lambda: {LOCAL_ACCESS_TOKEN})
    outage: bool = False
    calls: list[str] = field(default_factory=list)  # "customerLicense <customer>" / "userLicense <user>"
    _domains: dict[str, str] = field(default_factory=dict)
    _users: dict[str, _UserLicense] = field(default_factory=dict)
    _faults: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

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
        with self._lock:
            self._faults.extend([status] * count)

    # server ---------------------------------------------------------------------------------------
    @property
    def endpoint(self) -> str:
        assert self._server is not None, "start() first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self, port: int = 0) -> LicensingStandIn:
        server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        server.daemon_threads = True
        server.standin = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="licensing-standin", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> LicensingStandIn:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # API ------------------------------------------------------------------------------------------
    def handle(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            fault = self._faults.pop(0) if self._faults else None
            outage = self.outage
        if outage:
            return 503, error_body(503, "The service is currently unavailable.")
        if fault is not None:
            return fault, error_body(fault, "Internal error encountered.")
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


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # quiet: tokens live in headers
        return

    def do_GET(self) -> None:
        standin: LicensingStandIn = self.server.standin  # type: ignore[attr-defined]
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, body = standin.handle("GET", urllib.parse.urlsplit(self.path).path, headers)
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)
