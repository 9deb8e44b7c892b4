"""The `oauth` function's HTTP edge: Google's consent redirect (GET) and the add-on's consent actions (POST).

GET, the consent redirect             the outcome's HTML page; bad parameters 400, our failures 500/503
POST, a verified add-on action        its JSON result; errors mapped by ``mail2task.http.guarded``
anything else                         405
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from mail2task.errors import Mail2TaskError
from mail2task.http import Response, guarded, json_response

if TYPE_CHECKING:
    import flask

log = logging.getLogger(__name__)
CALLBACK_PARAMETERS = {"state": 128, "code": 2048, "error": 64}


def serve(request: flask.Request) -> Response:
    """Dispatch one request to the `oauth` function by method."""
    if request.method == "GET":
        return callback(request)
    if request.method == "POST":
        from mail2task.oauth.actions import handle

        return guarded(lambda: json_response(handle(request)))
    return json_response(
        {"error": {"code": "method", "message": "GET or POST only"}}, 405, {"Allow": "GET, POST"}
    )


def callback(request: flask.Request) -> Response:
    """Google's redirect back after consent: bounded parameters in, a page out, never a stack trace."""
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
