"""The open message, as the first section of the contextual cards: subject, sender, date, attachments."""

from __future__ import annotations

from mail2task.cards.views import MessageView, format_date
from mail2task.cards.widgets import Widget, labelled, section, shorten


def attachment_summary(view: MessageView) -> str:
    count = len(view.attachments)
    return "none" if count == 0 else ("1 file" if count == 1 else f"{count} files")


def message_section(view: MessageView) -> Widget:
    return section(
        [
            labelled("Subject", shorten(view.subject, 200) or "(no subject)"),
            labelled("From", view.sender),
            labelled("Date", format_date(view.date)),
            labelled("Attachments", attachment_summary(view)),
        ],
        "This message",
    )
