"""Loopback WSGI servers for the local stack: start in a thread, stop cleanly, log paths without queries."""

from __future__ import annotations

import errno
import logging
import socket
import threading
import urllib.parse
from types import TracebackType
from typing import TYPE_CHECKING, Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

log = logging.getLogger("mail2task.local")


class PortInUse(RuntimeError):
    """A fixed port the stack needs is taken."""


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


class LoopbackServer:
    """A threaded WSGI server on 127.0.0.1; ``port=0`` picks a free port."""

    def __init__(self, name: str, app: WSGIApplication, port: int = 0) -> None:
        self.name = name
        listener = _listen(name, port)  # bound here so a taken port is our clear error, not werkzeug's exit
        try:
            self._server: BaseWSGIServer = make_server(
                "127.0.0.1", port, app, threaded=True, request_handler=_PathOnlyHandler, fd=listener.fileno()
            )
        finally:
            listener.close()  # the server holds its own duplicate of the descriptor
        self._server.daemon_threads = True  # type: ignore[attr-defined]  # threaded=True: ThreadingMixIn
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LoopbackServer:
        self._thread = threading.Thread(target=self._server.serve_forever, name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
