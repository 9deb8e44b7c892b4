"""Entry point of the `oauth` function: Google's consent redirect (GET) and add-on actions (POST)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from mail2task.errors import Mail2TaskError
from mail2task.http import Response, guarded, json_response

if TYPE_CHECKING:
    import flask

log = logging.getLogger(__name__)
CALLBACK_PARAMETERS = {"state": 128, "code": 2048, "error": 64}


def _callback(request: flask.Request) -> Response:
    from mail2task.oauth import consent, pages

    params: dict[str, str] = {}
    for name, limit in CALLBACK_PARAMETERS.items():
        values = request.args.getlist(name)
        if len(values) > 1 or any(len(v) > limit for v in values):
            return pages.render(consent.Outcome("invalid", 400))
        if values:
            params[name] = values[0]
    try:
        return pages.render(consent.complete(params))
    except Mail2TaskError as error:
        log.warning("consent callback failed: %s", error.code)
        return pages.render(consent.Outcome("failed", 503 if error.retryable else 500))
    except Exception as error:  # the edge: a browser gets a page, never a stack trace
        log.exception("consent callback failed: %s", type(error).__name__)
        return pages.render(consent.Outcome("failed", 500))


def oauth(request: flask.Request) -> Response:
    if request.method == "GET":
        return _callback(request)
    if request.method == "POST":
        from mail2task.oauth.actions import handle

        return guarded(lambda: json_response(handle(request)))
    return json_response(
        {"error": {"code": "method", "message": "GET or POST only"}}, 405, {"Allow": "GET, POST"}
    )
