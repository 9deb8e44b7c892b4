"""The HTTP edge shared by every entry point: body size bound, JSON parsing, error mapping, no-store."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mail2task.errors import BadRequest, Mail2TaskError, PayloadTooLarge, to_http

if TYPE_CHECKING:
    import flask

log = logging.getLogger(__name__)

Response = tuple[str | bytes, int, dict[str, str]]
MAX_JSON_BYTES = 256 * 1024


def read_json(request: flask.Request, limit: int = MAX_JSON_BYTES) -> dict[str, Any]:
    """The request's JSON object body, refusing bodies over ``limit`` bytes or not a JSON object."""
    length = request.content_length
    if length is not None and length > limit:
        raise PayloadTooLarge(f"request body over {limit} bytes")
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        raise PayloadTooLarge(f"request body over {limit} bytes")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    return body


def json_response(payload: object, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    merged = {"Content-Type": "application/json", "Cache-Control": "no-store"}
    merged.update(headers or {})
    return json.dumps(payload, separators=(",", ":")), status, merged


def guarded(handler: Callable[[], Response]) -> Response:
    """Run ``handler``; map mail2task errors to their response and anything else to an opaque 500."""
    try:
        return handler()
    except Mail2TaskError as error:
        if error.status >= 500:
            log.warning("request failed: %s (retryable=%s)", error.code, error.retryable)
        return to_http(error)
    except Exception as error:  # the edge: nothing unexpected may escape as a raw 500 page
        log.exception("unhandled %s", type(error).__name__)
        return to_http(Mail2TaskError("internal error"))
