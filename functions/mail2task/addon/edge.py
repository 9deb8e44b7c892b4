"""The add-on's HTTP edge: verify, admit, route, run, and answer every outcome in the right form.

unauthenticated (any token problem)           401 JSON, no detail
malformed request, unknown trigger or action  400 JSON (413 for an oversized body)
scopes the user has not granted               requesting_google_scopes
not admitted (license, policy, consent)       the admission's card
Firestore or Gmail unavailable                a friendly card; nothing half-written
task gone, not the user's, invalid choice     a card saying so
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mail2task.config import AddonSettings, load
from mail2task.errors import (
    BadRequest,
    ConfigError,
    Conflict,
    Forbidden,
    Mail2TaskError,
    NotFound,
    ScopesRequired,
    StoreUnavailable,
    UpstreamError,
)
from mail2task.http import Response, guarded, json_response

if TYPE_CHECKING:
    import flask

    from mail2task.addon.context import AddonContext
    from mail2task.cards.widgets import Card

log = logging.getLogger(__name__)
_seen_audiences: set[str] = set()


def _fail(ctx: AddonContext, card: Card) -> dict[str, Any]:
    from mail2task.cards import responses

    return responses.show(card) if ctx.event.trigger is not None else responses.push(card)


def run(ctx: AddonContext, handler: Callable[[AddonContext], dict[str, Any]]) -> dict[str, Any]:
    """Admit the user, then run ``handler``; every expected failure becomes a card or a scope request."""
    from mail2task.cards import responses
    from mail2task.cards.errors import error_card, outage_card
    from mail2task.conversion import MessageTooLarge
    from mail2task.tenancy.admission import admit

    try:
        admission = admit(ctx.identity)
        if not admission.allowed:
            return ctx.respond(admission.card or error_card("You cannot use mail2task right now."))
        ctx.admission = admission
        result: dict[str, Any] = handler(ctx)
        return result
    except ScopesRequired as error:
        return responses.request_scopes(error.scopes)
    except MessageTooLarge:
        return _fail(ctx, error_card("This message is too large to turn into a task."))
    except (BadRequest, ConfigError):
        raise
    except (StoreUnavailable, UpstreamError) as error:
        log.warning("backend unavailable: %s", error.code)
        return _fail(ctx, outage_card(ctx.endpoints))
    except (NotFound, Forbidden, Conflict) as error:
        return _fail(ctx, error_card(error.public_message, title="Not possible"))
    except Mail2TaskError as error:
        log.warning("add-on action failed: %s", error.code)
        return _fail(ctx, outage_card(ctx.endpoints))
    except Exception:  # the user sees a card, never a raw 500
        log.exception("add-on action crashed")
        return _fail(ctx, outage_card(ctx.endpoints))


def _handle(request: flask.Request, function: str) -> Response:
    from mail2task.addon.context import AddonContext
    from mail2task.addon.deployment import addon_audiences
    from mail2task.addon.request import verify_addon_request
    from mail2task.addon.routes import ADDON, route
    from mail2task.cards import responses

    settings = load(AddonSettings)
    audiences = addon_audiences(settings.addon_url) if function == ADDON else (settings.convert_url,)
    try:
        event = verify_addon_request(request, audiences=audiences, settings=settings)
    except ScopesRequired as error:
        return json_response(responses.request_scopes(error.scopes))
    if event.audience not in _seen_audiences:  # Google's exact ``aud`` form is undocumented: record it
        _seen_audiences.add(event.audience)
        log.info("add-on token audience: %s", event.audience)
    handler = route(function, event)
    return json_response(run(AddonContext(event, settings), handler))


def serve(request: flask.Request, function: str) -> Response:
    """Answer one request to the `addon` or `convert` function."""
    return guarded(lambda: _handle(request, function))
