"""Entry point of the `install` function: app admin actions (who may use the app) and the tenancy sweep."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mail2task.http import Response

if TYPE_CHECKING:
    import flask


def install(request: flask.Request) -> Response:
    """Verified add-on actions of app admins, and Cloud Scheduler's ``?job=sweep``."""
    from mail2task.tenancy.edge import serve

    return serve(request)
