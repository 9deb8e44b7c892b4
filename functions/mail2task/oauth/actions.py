"""Add-on card actions the `oauth` function answers: connect (open Google's consent) and disconnect.

The request is verified like every add-on request (Google's system token for this function's URL, then
the user's ID token); the user acted on is always the verified user, never a parameter. Connect buttons
are ``openDynamicLinkAction``s (parameters ``scopes``, space-separated, and optionally ``returnTo``), so
a one-time consent start is stored only when someone clicks; ``begin`` refuses any scope outside
``scopes.GRANTABLE`` and any return target outside the configured allowlist.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from mail2task.errors import BadRequest

if TYPE_CHECKING:
    import flask

log = logging.getLogger(__name__)
CONNECT = "connect"
DISCONNECT = "disconnect"


def open_link(url: str) -> dict[str, Any]:
    """The answer to an ``openDynamicLinkAction``: Gmail opens Google's consent page over itself and
    reloads the add-on when the user closes it."""
    return {"renderActions": {"action": {"link": {"url": url, "openAs": "OVERLAY", "onClose": "RELOAD"}}}}


def handle(request: flask.Request) -> dict[str, Any]:
    from mail2task.addon.request import verify_addon_request
    from mail2task.cards.responses import notify
    from mail2task.config import AddonSettings, load
    from mail2task.oauth.consent import begin
    from mail2task.oauth.disconnect import disconnect

    settings = load(AddonSettings)
    event = verify_addon_request(request, audiences=(settings.oauth_url,), settings=settings)
    if event.action == CONNECT:
        wanted = (event.parameters.get("scopes") or "").split()
        return open_link(begin(event.identity, wanted, return_to=event.parameters.get("returnTo")))
    if event.action == DISCONNECT:
        disconnect(event.identity.sub, reason="user")
        return {
            **notify("mail2task is disconnected from your Google account."),
            "stateChanged": True,
        }
    raise BadRequest("unknown action")
