"""Cards for things that went wrong: a backend outage, a task that is gone, input Gmail cannot use."""

from __future__ import annotations

from mail2task.cards.widgets import Card, Endpoints, action_button, buttons, card, paragraph, section

OUTAGE = (
    "mail2task could not reach one of the services it needs. Nothing was saved. Please try again in a minute."
)


def error_card(message: str, *, title: str = "Something went wrong") -> Card:
    return card(title, [section([paragraph(message)])], name="error")


def outage_card(endpoints: Endpoints | None = None) -> Card:
    """A backend (Firestore, Gmail) is unavailable; offers a way back to the homepage when possible."""
    widgets = [paragraph(OUTAGE)]
    if endpoints is not None:
        widgets.append(buttons(action_button("My tasks", endpoints.addon, {"action": "home"})))
    return card("Temporarily unavailable", [section(widgets)], name="error")
