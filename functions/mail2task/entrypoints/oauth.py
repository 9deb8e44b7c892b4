"""Entry point of the `oauth` function: Google's consent redirect (GET) and add-on actions (POST)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mail2task.http import Response

if TYPE_CHECKING:
    import flask


def oauth(request: flask.Request) -> Response:
    """The consent redirect and the add-on's connect/disconnect actions."""
    from mail2task.oauth.edge import serve

    return serve(request)
