"""Entry point of the `risc` function: Google's security event tokens (RFC 8935 push) -> 202.

Failures use RFC 8935's error body: 400 ``{"err": ..., "description": ...}`` for a token we refuse;
a temporary failure on our side (keys or database unreachable) answers 503 so Google delivers again.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from mail2task.errors import BadRequest, Mail2TaskError, Unauthenticated, to_http
from mail2task.http import Response, json_response

if TYPE_CHECKING:
    import flask

log = logging.getLogger(__name__)


def risc(request: flask.Request) -> Response:
    from mail2task.oauth.risc import MAX_SET_BYTES, receive

    if request.method != "POST":
        return json_response({"err": "invalid_request", "description": "POST only"}, 405, {"Allow": "POST"})
    if (request.content_length or 0) > MAX_SET_BYTES:
        return json_response({"err": "invalid_request", "description": "token too large"}, 400)
    try:
        result = receive(request.stream.read(MAX_SET_BYTES + 1))
    except Unauthenticated as error:
        log.warning("security event token refused: %s", error)
        if error.retryable:
            return to_http(error)[0], 503, {"Content-Type": "application/json", "Retry-After": "30"}
        return json_response({"err": "authentication_failed", "description": "token refused"}, 400)
    except BadRequest as error:
        log.warning("security event refused: %s", error)
        return json_response({"err": "invalid_request", "description": error.public_message}, 400)
    except Mail2TaskError as error:
        log.warning("security event failed: %s (retryable=%s)", error.code, error.retryable)
        return to_http(error)
    except Exception as error:  # the edge: answer 500 so Google delivers the event again
        log.exception("security event failed: %s", type(error).__name__)
        return json_response({"err": "internal", "description": "try again"}, 500)
    log.info("security event accepted: %s", result)
    return "", 202, {"Cache-Control": "no-store"}
