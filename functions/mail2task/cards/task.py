"""The task card: a task's details and what can be done with it (after creation, or on a linked thread)."""

from __future__ import annotations

from mail2task.cards.message import message_section
from mail2task.cards.views import MessageView
from mail2task.cards.widgets import (
    Card,
    Endpoints,
    Widget,
    action_button,
    buttons,
    card,
    labelled,
    link_button,
    section,
    shorten,
)
from mail2task.tasks.model import AUTHOR_SENDER, DONE, OPEN, Task, link_for_viewer

SET_STATUS = "set_status"
ADD_MESSAGE = "add_message"

MESSAGE_ORIGIN = "message"  # the status button's origin on task cards (the homepage rows say "home")
MESSAGE_STATE = "state"  # the status button's parameter that brings the open message's state back

# What the open message is to the task shown: its source, already a comment, or one that can be added.
SOURCE = "source"
ADDED = "added"
ADDABLE = "addable"
MESSAGE_STATES = (SOURCE, ADDED, ADDABLE)


def status_label(task: Task) -> str:
    return "Done" if task.done else "Open"


def status_button(task: Task, endpoints: Endpoints, origin: str, message_state: str | None = None) -> Widget:
    """Mark done / Reopen; ``message_state`` (on a linked card) lets the answer show the message again."""
    target = OPEN if task.done else DONE
    params = {"action": SET_STATUS, "task": task.id, "status": target, "origin": origin}
    if message_state is not None:
        params[MESSAGE_STATE] = message_state
    return action_button(
        "Reopen" if task.done else "Mark done", endpoints.addon, params, filled=not task.done
    )


def task_section(task: Task, viewer_email: str) -> Widget:
    author = task.author.label + (" (the sender)" if task.author_kind == AUTHOR_SENDER else "")
    widgets = [
        labelled("Title", shorten(task.title, 300)),
        labelled("Status", status_label(task)),
        labelled("Author", author, bottom=f"Created by {task.creator.label}"),
        labelled("Assignee", task.assignee.label if task.assignee else "Nobody yet"),
        labelled("Due", task.due.strftime("%a, %d %b %Y") if task.due else "No due date"),
    ]
    if task.attachments:
        widgets.append(labelled("Attachments", ", ".join(a.filename for a in task.attachments)))
    if task.comment_count:
        widgets.append(labelled("Messages added", str(task.comment_count)))
    if task.source.link:
        widgets.append(
            buttons(link_button("Open the message", link_for_viewer(task.source.link, viewer_email)))
        )
    return section(widgets, "Task")


def task_card(
    task: Task,
    *,
    viewer_email: str,
    endpoints: Endpoints,
    message: MessageView | None = None,
    message_state: str | None = None,
) -> Card:
    """``message``: the open message (contextual card); ``message_state``: SOURCE, ADDED or ADDABLE."""
    actions: list[Widget] = []
    if message_state == ADDABLE:
        actions.append(
            action_button(
                "Add this message to the task", endpoints.addon, {"action": ADD_MESSAGE, "task": task.id}
            )
        )
    shown_state = message_state if message is not None and message_state in MESSAGE_STATES else None
    actions.append(status_button(task, endpoints, MESSAGE_ORIGIN, shown_state))
    sections = [task_section(task, viewer_email), section([buttons(*actions)])]
    if message is not None:
        note = {ADDED: "This message is on the task.", SOURCE: "The task was made from this message."}
        sections.insert(0, message_section(message))
        if message_state in note:
            sections[-1]["widgets"].insert(0, labelled("This message", note[message_state]))
    return card(
        "Linked task" if message is not None else "Task",
        sections,
        subtitle=shorten(task.title, 80),
        name="task",
    )
