"""Entry point of the `risc` function: Google's security event tokens (RFC 8935 push) -> 202."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mail2task.http import Response

if TYPE_CHECKING:
    import flask


def risc(request: flask.Request) -> Response:
    """Security event tokens pushed by Google's Cross-Account Protection (RISC)."""
    from mail2task.oauth.risc_edge import handle

    return handle(request)
