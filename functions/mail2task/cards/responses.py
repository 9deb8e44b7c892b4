"""Response envelopes: a card for a trigger, an update for an action, a notification, a scope request."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mail2task.cards.widgets import Card


def show(card: Card) -> dict[str, Any]:
    """The answer to a homepage or contextual trigger (RenderAction)."""
    return {"action": {"navigations": [{"pushCard": card}]}}


def update(card: Card, notification: str | None = None) -> dict[str, Any]:
    """The answer to a card action: replace the current card (form values persist), optionally notify."""
    action: dict[str, Any] = {"navigations": [{"updateCard": card}]}
    if notification:
        action["notification"] = {"text": notification}
    return {"renderActions": {"action": action}}


def push(card: Card) -> dict[str, Any]:
    """The answer to a card action that opens a new card on top (Back returns to the form)."""
    return {"renderActions": {"action": {"navigations": [{"pushCard": card}]}}}


def notify(text: str) -> dict[str, Any]:
    return {"renderActions": {"action": {"notification": {"text": text}}}}


def request_scopes(scopes: Sequence[str]) -> dict[str, Any]:
    """Ask Gmail to prompt for scopes the user has not granted; the action re-runs afterwards."""
    return {"requesting_google_scopes": {"scopes": list(scopes)}}
