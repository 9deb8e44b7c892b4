"""Every deployed function in one WSGI app: each mounted at ``/<name>`` through the Functions Framework.

Each function gets the same Flask app Cloud Functions runs (``functions_framework.create_app`` over
``functions/main.py``), so every request reaches its entry point as a real ``flask.Request``. As on Cloud
Functions, the function sees the path below its own name (``/oauth/callback`` arrives as ``/callback``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# The deploy bundle's entry points, in the order the banner lists them.
FUNCTIONS = ("addon", "convert", "install", "oauth", "refresh", "risc")
MAIN = Path(__file__).resolve().parents[2] / "main.py"


def _not_found(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    message = f"no function at {environ.get('PATH_INFO')}"
    body = json.dumps({"error": {"code": "not_found", "message": message}})
    start_response("404 Not Found", [("Content-Type", "application/json")])
    return [body.encode()]


class FunctionsDispatcher:
    """Routes ``/<name>[/rest]`` to function ``name`` with ``SCRIPT_NAME=/<name>`` and ``PATH_INFO=/rest``."""

    def __init__(self, apps: dict[str, WSGIApplication]) -> None:
        self.apps = apps

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        name, _, rest = path.lstrip("/").partition("/")
        app = self.apps.get(name)
        if app is None:
            return _not_found(environ, start_response)
        environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + f"/{name}"
        environ["PATH_INFO"] = f"/{rest}"
        return app(environ, start_response)


def functions_app(source: Path = MAIN, names: tuple[str, ...] = FUNCTIONS) -> FunctionsDispatcher:
    """One WSGI app serving each function of ``source`` under ``/<name>``."""
    import functions_framework

    if not source.is_file():
        raise FileNotFoundError(f"{source} not found: the local stack runs from a checkout of the repository")
    apps: dict[str, Any] = {
        name: functions_framework.create_app(target=name, source=str(source), signature_type="http")
        for name in names
    }
    return FunctionsDispatcher(apps)


def function_urls(base_url: str, names: tuple[str, ...] = FUNCTIONS) -> dict[str, str]:
    """``{name: URL}`` of each function served at ``base_url``."""
    return {name: f"{base_url.rstrip('/')}/{name}" for name in names}
