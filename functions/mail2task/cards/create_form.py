"""The contextual card of a message not linked to a task: the "new task" form and its two buttons."""

from __future__ import annotations

from collections.abc import Sequence

from mail2task.cards.message import message_section
from mail2task.cards.views import MemberOption, MessageView, format_size
from mail2task.cards.widgets import (
    Card,
    Endpoints,
    action_button,
    buttons,
    card,
    date_picker,
    labelled,
    paragraph,
    section,
    selection,
    shorten,
    text_input,
)

TITLE = "title"
ASSIGNEE = "assignee"
DUE = "due"
ATTACHMENTS = "attachments"
UNASSIGNED = "unassigned"
CREATE = "create_task"
CREATE_FROM_SENDER = "create_task_from_sender"
MORE_PEOPLE = "more_people"
PREVIEW_CHARS = 600
MAX_ATTACHMENT_OPTIONS = 20


def _assignees(me: MemberOption, members: Sequence[MemberOption]) -> list[tuple[str, str, bool]]:
    items = [(f"Me ({me.email})", me.sub, True), ("Nobody yet", UNASSIGNED, False)]
    items += [(m.label, m.sub, False) for m in members if m.sub != me.sub]
    return items[:100]


def create_form_card(
    view: MessageView,
    *,
    me: MemberOption,
    members: Sequence[MemberOption],
    more_people: str | None,
    endpoints: Endpoints,
) -> Card:
    """``members``: one page of the tenant's people; ``more_people``: the token of the next page, if any."""
    task_widgets = [
        text_input(TITLE, "Title", view.title),
        labelled("Description", shorten(view.description, PREVIEW_CHARS) or "(empty)"),
        selection(ASSIGNEE, "Assignee", "DROPDOWN", _assignees(me, members)),
    ]
    if more_people:
        task_widgets.append(
            buttons(
                action_button(
                    "More people",
                    endpoints.addon,
                    {"action": MORE_PEOPLE, "people": more_people},
                    persist=True,
                )
            )
        )
    task_widgets.append(date_picker(DUE, "Due date"))
    offered = view.attachments[:MAX_ATTACHMENT_OPTIONS]
    usable = [(f"{a.filename} ({format_size(a.size)})", a.key, False) for a in offered if not a.too_large]
    if usable:
        task_widgets.append(selection(ATTACHMENTS, "Copy attachments into the task", "CHECK_BOX", usable))
    skipped = [
        a.filename for i, a in enumerate(view.attachments) if a.too_large or i >= MAX_ATTACHMENT_OPTIONS
    ]
    if skipped:
        task_widgets.append(
            paragraph("Not copied (too large or too many): " + ", ".join(skipped), max_lines=3)
        )
    task_widgets.append(
        buttons(
            action_button("Create task", endpoints.convert, {"action": CREATE}, filled=True, persist=True),
            action_button(
                "Create task from sender", endpoints.convert, {"action": CREATE_FROM_SENDER}, persist=True
            ),
        )
    )
    task_widgets.append(
        paragraph(
            "<i>Create task from sender</i> makes the sender (their Reply-To address, if set) the "
            "task's author; you are recorded as its creator.",
            raw_html=True,
        )
    )
    return card("New task", [message_section(view), section(task_widgets, "Task")], name="create-task")
