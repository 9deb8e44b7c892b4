"""The add-on's HTTP edge: verify, admit, route, run, and answer every outcome in the right form.

unauthenticated (any token problem)           401 JSON, no detail
malformed request, unknown trigger or action  400 JSON (413 for an oversized body)
scopes the user has not granted               requesting_google_scopes
not admitted (license, policy, consent)       the admission's card
Firestore or Gmail unavailable                "temporarily unavailable, nothing was saved": every service
                                              writes last, so an outage stops it before any write
task gone, not the user's, invalid choice     a card saying so
anything else (a bug)                         "something went wrong", no claim about what was saved;
                                              logged with its traceback
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


def unavailable(error: BaseException) -> bool:
    """Whether ``error`` means a backend is down or overloaded (trying again later may work)."""
    if isinstance(error, Mail2TaskError):
        return isinstance(error, StoreUnavailable | UpstreamError) or error.retryable
    if isinstance(error, TimeoutError | ConnectionError):
        return True
    from google.api_core import exceptions

    transient = (
        exceptions.ServiceUnavailable,
        exceptions.DeadlineExceeded,
        exceptions.TooManyRequests,
        exceptions.RetryError,
    )
    return isinstance(error, transient)


def _fail(ctx: AddonContext, card: Card) -> dict[str, Any]:
    from mail2task.cards import responses

    return responses.show(card) if ctx.event.trigger is not None else responses.push(card)


def run(ctx: AddonContext, handler: Callable[[AddonContext], dict[str, Any]]) -> dict[str, Any]:
    """Admit the user, then run ``handler``; every expected failure becomes a card or a scope request."""
    from mail2task.cards import responses
    from mail2task.cards.errors import error_card, outage_card, unexpected_card
    from mail2task.conversion import MessageTooLarge
    from mail2task.tenancy.admission import admit

    try:
        admission = admit(ctx.identity)
        if not admission.allowed:
            return ctx.respond(admission.card or error_card(f"You cannot use {ctx.app_name} right now."))
        ctx.admission = admission
        result: dict[str, Any] = handler(ctx)
        return result
    except ScopesRequired as error:
        return responses.request_scopes(error.scopes)
    except MessageTooLarge:
        return _fail(ctx, error_card("This message is too large to turn into a task."))
    except (BadRequest, ConfigError):
        raise
    except (NotFound, Forbidden, Conflict) as error:
        return _fail(ctx, error_card(error.public_message, title="Not possible"))
    except Exception as error:  # the user sees a card, never a raw 500
        if unavailable(error):
            code = error.code if isinstance(error, Mail2TaskError) else type(error).__name__
            log.warning("backend unavailable: %s", code)
            return _fail(ctx, outage_card(ctx.app_name, ctx.endpoints))
        # a bug: the traceback is logged (messages never carry tokens, codes or bodies), the card
        # makes no claim about what was saved, since the failure may come after a write
        log.exception("add-on action failed: %s", type(error).__name__)
        return _fail(ctx, unexpected_card(ctx.app_name, ctx.endpoints))


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
