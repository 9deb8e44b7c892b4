"""Which service answers a request: triggers by the ``trigger`` query parameter, card actions by ``action``.

`addon` serves the homepage and contextual triggers and the light actions; `convert` serves task
creation. Anything else is refused with 400 before any database or Gmail work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mail2task.addon.actions import add_message, set_status
from mail2task.addon.context import AddonContext
from mail2task.addon.contextual import contextual
from mail2task.addon.create import create_task
from mail2task.addon.deployment import CONTEXTUAL, HOMEPAGE
from mail2task.addon.homepage import homepage
from mail2task.addon.request import AddonEvent
from mail2task.cards.create_form import CREATE, CREATE_FROM_SENDER, MORE_PEOPLE
from mail2task.cards.homepage import HOME
from mail2task.cards.task import ADD_MESSAGE, SET_STATUS
from mail2task.errors import BadRequest

Handler = Callable[[AddonContext], dict[str, Any]]
ADDON = "addon"
CONVERT = "convert"


def _create(ctx: AddonContext) -> dict[str, Any]:
    return create_task(ctx, from_sender=False)


def _create_from_sender(ctx: AddonContext) -> dict[str, Any]:
    return create_task(ctx, from_sender=True)


TRIGGERS: dict[str, dict[str, Handler]] = {
    ADDON: {HOMEPAGE: homepage, CONTEXTUAL: contextual},
    CONVERT: {},
}
ACTIONS: dict[str, dict[str, Handler]] = {
    ADDON: {HOME: homepage, SET_STATUS: set_status, ADD_MESSAGE: add_message, MORE_PEOPLE: contextual},
    CONVERT: {CREATE: _create, CREATE_FROM_SENDER: _create_from_sender},
}


def route(function: str, event: AddonEvent) -> Handler:
    """The handler for ``event`` at ``function``; BadRequest for an unknown trigger or action."""
    if event.trigger is not None:
        handler = TRIGGERS[function].get(event.trigger)
        if handler is None:
            raise BadRequest("unknown trigger")
        return handler
    handler = ACTIONS[function].get(event.action or "")
    if handler is None:
        raise BadRequest("unknown action")
    return handler
