"""Cards for things that went wrong: a backend outage, an unexpected failure, a task gone, input refused."""

from __future__ import annotations

from mail2task.cards.widgets import Card, Endpoints, Widget, action_button, buttons, card, paragraph, section


def outage_text(app: str) -> str:
    return (
        f"{app} could not reach one of the services it needs. Nothing was saved. "
        "Please try again in a minute."
    )


def unexpected_text(app: str) -> str:
    return f"{app} ran into an unexpected problem. Check My tasks to see where things stand before you retry."


def error_card(message: str, *, title: str = "Something went wrong") -> Card:
    return card(title, [section([paragraph(message)])], name="error")


def _with_home(text: str, endpoints: Endpoints | None) -> list[Widget]:
    widgets = [paragraph(text)]
    if endpoints is not None:
        widgets.append(buttons(action_button("My tasks", endpoints.addon, {"action": "home"})))
    return widgets


def outage_card(app: str, endpoints: Endpoints | None = None) -> Card:
    """A backend (Firestore, Gmail) is unavailable and the action stopped before writing anything."""
    return card("Temporarily unavailable", [section(_with_home(outage_text(app), endpoints))], name="error")


def unexpected_card(app: str, endpoints: Endpoints | None = None) -> Card:
    """Anything else failed (a bug): says nothing about what was or was not saved."""
    return card("Something went wrong", [section(_with_home(unexpected_text(app), endpoints))], name="error")
