"""Add-on card actions the `oauth` function answers: connect (open Google's consent) and disconnect.

The request is verified like every add-on request (Google's system token for this function's URL, then
the user's ID token); the user acted on is always the verified user, never a parameter. Connect buttons
are ``openDynamicLinkAction``s (parameters ``scopes``, space-separated, and optionally ``returnTo``), so
a one-time consent start is stored only when someone clicks; ``begin`` refuses any scope outside
``scopes.GRANTABLE`` and any return target outside the configured allowlist. Before that, admission
runs again (``tenancy.consent_gate``): someone removed or outside the policy gets the no-access card,
and only app admins (or a domain's would-be first admin) may ask for the directory scope.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from mail2task.errors import BadRequest

if TYPE_CHECKING:
    import flask

    from mail2task.config import AddonSettings
    from mail2task.identity import Identity

log = logging.getLogger(__name__)
CONNECT = "connect"
DISCONNECT = "disconnect"


def open_link(url: str) -> dict[str, Any]:
    """The answer to an ``openDynamicLinkAction``: Gmail opens Google's consent page over itself and
    reloads the add-on when the user closes it."""
    return {"renderActions": {"action": {"link": {"url": url, "openAs": "OVERLAY", "onClose": "RELOAD"}}}}


def _refusal(identity: Identity, wanted: list[str], settings: AddonSettings) -> dict[str, Any] | None:
    """Admission again at the click (the button may be older than a removal): the refusing answer, or
    None when a consent for ``wanted`` may start."""
    from mail2task.config import TenancySettings, load
    from mail2task.oauth.scopes import requested
    from mail2task.tenancy.consent_gate import connect_refusal
    from mail2task.tenancy.runtime import TenancyRuntime

    runtime = TenancyRuntime(settings=load(TenancySettings), oauth_url=settings.oauth_url)
    return connect_refusal(identity, requested(wanted), runtime=runtime)


def handle(request: flask.Request) -> dict[str, Any]:
    from mail2task.addon.request import verify_addon_request
    from mail2task.cards.responses import notify
    from mail2task.config import AddonSettings, TenancySettings, load
    from mail2task.oauth.consent import begin
    from mail2task.oauth.disconnect import disconnect

    settings = load(AddonSettings)
    event = verify_addon_request(request, audiences=(settings.oauth_url,), settings=settings)
    if event.action == CONNECT:
        wanted = (event.parameters.get("scopes") or "").split()
        refusal = _refusal(event.identity, wanted, settings)
        if refusal is not None:  # removed, outside the policy, or the directory scope for a non-admin
            return refusal
        return open_link(begin(event.identity, wanted, return_to=event.parameters.get("returnTo")))
    if event.action == DISCONNECT:
        disconnect(event.identity.sub, reason="user")
        app = load(TenancySettings).app_name
        return {
            **notify(f"{app} is disconnected from your Google account."),
            "stateChanged": True,
        }
    raise BadRequest("unknown action")
