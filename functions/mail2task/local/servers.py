"""Loopback servers for the local stack and tests: WSGI apps and HTTP API stand-ins, each in a thread."""

from __future__ import annotations

import errno
import json
import logging
import socket
import socketserver
import threading
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

log = logging.getLogger("mail2task.local")

POLL_SECONDS = 0.05  # how often a serving thread checks for stop(): how long stop() may wait
StandInT = TypeVar("StandInT")


class PortInUse(RuntimeError):
    """A fixed port the stack needs is taken."""


class ThreadedServer:
    """Serves a socket server on a daemon thread: ``start()``/``stop()`` or use it as a context manager."""

    def __init__(self, name: str, server: socketserver.TCPServer) -> None:
        self.name = name
        self._server = server
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Self:
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(POLL_SECONDS,), name=self.name, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self._server.server_close()

    def serve_forever(self) -> None:
        """Serve on the calling thread until the process ends (a stand-in run as its own program)."""
        self._server.serve_forever(POLL_SECONDS)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


# WSGI apps (the functions and the preview page) ------------------------------------------------------
class _PathOnlyHandler(WSGIRequestHandler):
    """Logs ``METHOD /path status``: query strings may carry OAuth codes and states, never logged."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = urllib.parse.urlsplit(self.path).path
        log.info("%s %s %s", self.command, path, code)

    def log(self, type: str, message: str, *args: Any) -> None:
        if type == "error":
            log.warning("%s", message % args if args else message)


def _listen(name: str, port: int) -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(64)
    except OSError as error:
        listener.close()
        if error.errno == errno.EADDRINUSE:
            raise PortInUse(
                f"port {port} on 127.0.0.1 is already in use, so the {name} cannot start there; "
                "stop whatever uses it (e.g. another `make run`) or choose another port"
            ) from None
        raise
    return listener


class LoopbackServer(ThreadedServer):
    """A threaded WSGI server on 127.0.0.1; ``port=0`` picks a free port."""

    def __init__(self, name: str, app: WSGIApplication, port: int = 0) -> None:
        listener = _listen(name, port)  # bound here so a taken port is our clear error, not werkzeug's exit
        try:
            server: BaseWSGIServer = make_server(
                "127.0.0.1", port, app, threaded=True, request_handler=_PathOnlyHandler, fd=listener.fileno()
            )
        finally:
            listener.close()  # the server holds its own duplicate of the descriptor
        server.daemon_threads = True  # type: ignore[attr-defined]  # threaded=True: ThreadingMixIn
        super().__init__(name, server)


# HTTP API stand-ins (Gmail, OAuth, Directory, Licensing) ---------------------------------------------
class StandInServer(ThreadingHTTPServer, Generic[StandInT]):
    """The HTTP server of a stand-in, on 127.0.0.1; its handlers reach the stand-in as ``server.standin``."""

    daemon_threads = True

    def __init__(self, standin: StandInT, handler: type[BaseHTTPRequestHandler], port: int = 0) -> None:
        self.standin = standin
        super().__init__(("127.0.0.1", port), handler)


class HttpStandIn(ThreadedServer):
    """Base of the API stand-ins: bound to a free (or the given) port when built; ``endpoint`` is its URL."""

    def __init__(
        self,
        name: str,
        handler: type[BaseHTTPRequestHandler],
        port: int = 0,
        server: type[StandInServer[Any]] = StandInServer,
    ) -> None:
        super().__init__(name, server(self, handler, port))

    @property
    def endpoint(self) -> str:
        """The base URL: what ``client_options={"api_endpoint": ...}`` takes."""
        return f"http://127.0.0.1:{self.port}"


class QuietHandler(BaseHTTPRequestHandler):
    """Logs nothing: tokens travel in headers, codes and states in URLs. ``send_json`` answers and closes."""

    def log_message(self, format: str, *args: Any) -> None:
        return

    def send_json(self, status: int, payload: Any, headers: Mapping[str, str] | None = None) -> None:
        """``payload`` (bytes as they are, anything else as JSON) with ``status`` and extra ``headers``."""
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


@dataclass
class Fault:
    """An injected error: ``remaining`` more requests (whose path holds ``match``) get ``status``."""

    status: int
    remaining: int
    match: str | None = None
    retry_after: int | None = None


class FaultQueue:
    """The errors a stand-in was told to answer next (its ``fail_next``), oldest first; thread-safe."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(
        self, count: int, status: int, *, match: str | None = None, retry_after: int | None = None
    ) -> None:
        with self._lock:
            self._faults.append(Fault(status, count, match, retry_after))

    def take(self, path: str = "") -> Fault | None:
        """The fault that answers a request for ``path`` (using one of its answers), or ``None``."""
        with self._lock:
            self._faults = [f for f in self._faults if f.remaining > 0]
            for fault in self._faults:
                if fault.match is None or fault.match in path:
                    fault.remaining -= 1
                    return fault
        return None
