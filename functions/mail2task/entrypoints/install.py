"""Entry point of the `install` function."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mail2task.http import Response, json_response

if TYPE_CHECKING:
    import flask


def install(request: flask.Request) -> Response:
    return json_response({"error": {"code": "not_implemented", "message": "not implemented yet"}}, 501)
