"""The `risc` function's HTTP edge: Google's security event tokens (RFC 8935 push) mapped to responses.

POST with a token we accept           202, empty body
not POST                              405 ``{"err": "invalid_request", ...}``
token too large, malformed event      400 ``{"err": "invalid_request", "description": ...}``
token refused (signature, claims)     400 ``{"err": "authentication_failed", ...}``
keys unreachable (retryable refusal)  503 with ``Retry-After`` so Google delivers the event again
another ``Mail2TaskError``            ``errors.to_http`` (database down: 503 with ``Retry-After``)
any other failure                     500 so Google delivers the event again
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from mail2task.errors import BadRequest, Mail2TaskError, Unauthenticated, to_http
from mail2task.http import Response, json_response

if TYPE_CHECKING:
    import flask

log = logging.getLogger(__name__)


def handle(request: flask.Request) -> Response:
    """Receive one security event token; answer in RFC 8935's terms."""
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
