"""The homepage: my tasks (assigned to me / created by me) with status toggles, paging, and disconnect."""

from __future__ import annotations

from collections.abc import Sequence

from mail2task.cards.widgets import (
    Card,
    Endpoints,
    Widget,
    action,
    action_button,
    buttons,
    card,
    labelled,
    paragraph,
    section,
    shorten,
    switch,
)
from mail2task.tasks.model import DONE, OPEN, Task

HOME = "home"
DISCONNECT_ACTION = "disconnect"  # the `oauth` function's card action that revokes the user's grant
ASSIGNED = "assigned"
CREATED = "created"
VIEW_TITLES = {ASSIGNED: "Assigned to me", CREATED: "Created by me"}
EMPTY = {
    ASSIGNED: "Nothing is assigned to you. Open an email and use Create task to turn it into one.",
    CREATED: "You have not created a task yet. Open an email and use Create task.",
}


def _task_row(task: Task, view: str, endpoints: Endpoints, cursor: str | None) -> Widget:
    params = {
        "action": "set_status",
        "task": task.id,
        "status": OPEN if task.done else DONE,
        "origin": HOME,
        "view": view,
    }
    if cursor:
        params["cursor"] = cursor
    who = (
        f"From {task.author.label}"
        if view == ASSIGNED
        else (f"For {task.assignee.label}" if task.assignee else "Not assigned")
    )
    due = f" · due {task.due.isoformat()}" if task.due else ""
    return labelled(
        "Done" if task.done else "Open",
        shorten(task.title, 120),
        bottom=who + due,
        switchControl=switch(f"done_{task.id}", task.done, action(endpoints.addon, params)),
    )


def disconnect_button(oauth_url: str) -> Widget:
    """Posts to the `oauth` function, which revokes the user's grant and answers with a notification."""
    return buttons(action_button("Disconnect my Google account", oauth_url, {"action": DISCONNECT_ACTION}))


def homepage_card(
    tasks: Sequence[Task],
    *,
    view: str,
    endpoints: Endpoints,
    cursor: str | None = None,
    next_cursor: str | None = None,
    extra: Sequence[Widget] = (),
    disconnect_url: str | None = None,
) -> Card:
    """One page of tasks; ``cursor`` is where this page starts, ``next_cursor`` where the next one does.

    ``extra``: widgets appended in a last section (e.g. an app admin's "Manage access" button);
    ``disconnect_url``: the `oauth` function's URL, for people who have granted access (a way to take
    it back, as the connect card promises).
    """
    tabs = buttons(
        *(
            action_button(title, endpoints.addon, {"action": HOME, "view": key}, filled=key == view)
            for key, title in VIEW_TITLES.items()
        )
    )
    rows = [_task_row(t, view, endpoints, cursor) for t in tasks] or [paragraph(EMPTY[view])]
    paging: list[Widget] = []
    if cursor:
        paging.append(action_button("First page", endpoints.addon, {"action": HOME, "view": view}))
    if next_cursor:
        paging.append(
            action_button("Next page", endpoints.addon, {"action": HOME, "view": view, "cursor": next_cursor})
        )
    sections = [section([tabs]), section(rows, VIEW_TITLES[view])]
    if paging:
        sections.append(section([buttons(*paging)]))
    if extra:
        sections.append(section(extra))
    if disconnect_url:
        sections.append(section([disconnect_button(disconnect_url)], "Your account"))
    return card("My tasks", sections, name="home")
