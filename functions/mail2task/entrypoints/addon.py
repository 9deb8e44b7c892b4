"""Entry points of the `addon` and `convert` functions: verify, admit, route, render, map errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mail2task.http import Response

if TYPE_CHECKING:
    import flask


def addon(request: flask.Request) -> Response:
    """Homepage and contextual triggers, and the light card actions (status, comments, paging)."""
    from mail2task.addon.edge import serve

    return serve(request, "addon")


def convert(request: flask.Request) -> Response:
    """ "Create task" and "Create task from sender"."""
    from mail2task.addon.edge import serve

    return serve(request, "convert")
