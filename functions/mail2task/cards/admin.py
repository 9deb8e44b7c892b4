"""App admin cards: access mode, people picked from the directory, the member list and one member."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mail2task.cards.widgets import (
    MAX_SELECTION_ITEMS,
    Card,
    SelectionItem,
    Widget,
    action,
    action_button,
    buttons,
    card,
    labelled,
    paragraph,
    section,
    selection,
    shorten,
    switch,
    text_input,
)
from mail2task.tenancy.model import ALL_USERS, ONLY_ME, SPECIFIC_USERS, Person

HOME = "admin.home"
SET_MODE = "admin.mode"
SEARCH = "admin.search"
ADD = "admin.add"
MEMBERS = "admin.members"
MEMBER = "admin.member"
REMOVE = "admin.remove"
READD = "admin.readd"
PROMOTE = "admin.promote"
DEMOTE = "admin.demote"
RESEND = "admin.resend"
ACTIONS = (HOME, SET_MODE, SEARCH, ADD, MEMBERS, MEMBER, REMOVE, READD, PROMOTE, DEMOTE, RESEND)

MODE_LABELS = {
    ONLY_ME: "Only me (and other app admins)",
    ALL_USERS: "Me and everyone in {domain}",
    SPECIFIC_USERS: "Me and people I choose",
}
STATE_LABELS = {
    "pending": "Pending: has not connected yet",
    "authorized": "Authorized",
    "needs_reconnect": "Needs to reconnect",
    "removed": "Removed",
    "no_access": "No access",
}
INVITATION_LABELS = {
    "pending": "invitation queued",
    "sending": "invitation sending",
    "sent": "invitation sent",
    "uncertain": "invitation may not have arrived",
    "failed": "invitation failed",
}


@dataclass(frozen=True)
class MemberRow:
    sub: str
    email: str
    name: str
    state: str
    is_admin: bool = False
    last_seen: dt.datetime | None = None
    invitation: str = ""


@dataclass(frozen=True)
class DirectoryRow:
    id: str
    email: str
    name: str
    state: str = ""  # the member state when the person is already known here
    allowed: bool = False


def _go(install_url: str, name: str, **params: str) -> dict[str, Any]:
    return action(install_url, {"action": name, **params})


def manage_access_button(install_url: str) -> Widget:
    """For an app admin's homepage: opens the admin card on top (Back returns to the homepage)."""
    return buttons(action_button("Manage access", install_url, {"action": HOME, "open": "1"}))


def home_card(app: str, install_url: str, *, domain: str, mode: str, admins: Sequence[Person]) -> Card:
    items = [(label.format(domain=domain), key, key == mode) for key, label in MODE_LABELS.items()]
    mode_widget = selection("mode", "Who may use " + app, "RADIO_BUTTON", items)
    admin_names = ", ".join(a.name or a.email for a in admins[:10]) or "—"
    widgets = [
        mode_widget,
        buttons(action_button("Save", install_url, {"action": SET_MODE}, filled=True)),
    ]
    people = [
        labelled("App admins", admin_names),
        buttons(
            action_button("Add people", install_url, {"action": SEARCH}),
            action_button("People and status", install_url, {"action": MEMBERS}),
        ),
    ]
    note = paragraph(
        "Everyone you let in still connects their own account the first time they open "
        f"{app}. Until then they show as pending."
    )
    return card(
        app, [section(widgets, "Access"), section(people, "People"), section([note])],
        subtitle="Manage access", name="admin-home",
    )  # fmt: skip


def _directory_item(row: DirectoryRow) -> SelectionItem:
    note = STATE_LABELS.get(row.state, "") if row.state else ""
    bottom = row.email + (f" · {note}" if note else "")
    return shorten(row.name or row.email, 80), row.id, row.allowed, shorten(bottom, 120)


def directory_card(
    app: str,
    install_url: str,
    rows: Sequence[DirectoryRow],
    *,
    query: str,
    next_page_token: str | None,
    mode: str,
) -> Card:
    """A page of the admin's directory with checkboxes; "Add" takes the checked people."""
    search = [
        text_input("q", "Search the directory (name or email)", query),
        buttons(action_button("Search", install_url, {"action": SEARCH}, persist=True)),
    ]
    if rows:
        items = [_directory_item(r) for r in rows[:MAX_SELECTION_ITEMS]]
        picked = [selection("people", "People", "CHECK_BOX", items)]
        notify = switch("notify", True, value="yes", control="SWITCH")
        picked.append(labelled("Invitation", "Email the people I add", switchControl=notify))
        add = action_button("Add selected", install_url, {"action": ADD, "q": query}, filled=True)
        paging = [add]
        if next_page_token:
            more = {"action": SEARCH, "q": query, "pageToken": next_page_token}
            paging.append(action_button("Next page", install_url, more))
        picked.append(buttons(*paging))
    else:
        picked = [paragraph("Nobody in your directory matches this search.")]
    sections = [section(search), section(picked, "Directory")]
    if mode != SPECIFIC_USERS:
        hint = "People you add get access in the mode “Me and people I choose”, which is not the current one."
        sections.append(section([paragraph(hint)]))
    back = buttons(action_button("Back", install_url, {"action": HOME}))
    sections.append(section([back]))
    return card(app, sections, subtitle="Add people", name="admin-directory")


def _row_widget(install_url: str, row: MemberRow) -> Widget:
    bits = [STATE_LABELS.get(row.state, row.state)]
    if row.is_admin:
        bits.append("app admin")
    if row.last_seen:
        bits.append("last seen " + row.last_seen.strftime("%d %b %Y"))
    if row.invitation:
        bits.append(INVITATION_LABELS.get(row.invitation, row.invitation))
    open_member = action_button("Manage", install_url, {"action": MEMBER, "sub": row.sub})
    title = f"{row.name} <{row.email}>" if row.name else row.email
    return labelled(row.state.replace("_", " ").capitalize(), shorten(title, 120),
                    bottom=shorten(" · ".join(bits), 120), button=open_member)  # fmt: skip


def members_card(
    app: str, install_url: str, rows: Sequence[MemberRow], *, cursor: str | None, next_cursor: str | None
) -> Card:
    """One page of everyone known in the tenant, with their state."""
    listed = [_row_widget(install_url, r) for r in rows] or [paragraph("Nobody yet.")]
    paging = []
    if cursor:
        paging.append(action_button("First page", install_url, {"action": MEMBERS}))
    if next_cursor:
        paging.append(action_button("Next page", install_url, {"action": MEMBERS, "cursor": next_cursor}))
    paging.append(action_button("Back", install_url, {"action": HOME}))
    return card(app, [section(listed, "People and status"), section([buttons(*paging)])],
                subtitle="People", name="admin-members")  # fmt: skip


def member_card(app: str, install_url: str, row: MemberRow, *, is_self: bool) -> Card:
    """One person: their state and what an admin can do about it."""
    info = [
        labelled("Email", row.email),
        labelled("Status", STATE_LABELS.get(row.state, row.state)),
        labelled("Role", "App admin" if row.is_admin else "Member"),
    ]
    if row.last_seen:
        info.append(labelled("Last seen", row.last_seen.strftime("%d %b %Y %H:%M UTC")))
    if row.invitation:
        info.append(labelled("Invitation", INVITATION_LABELS.get(row.invitation, row.invitation)))
    acts = []
    sub = {"sub": row.sub}
    if not is_self:
        if row.state == "removed":
            acts.append(action_button("Add back", install_url, {"action": READD, **sub}))
        else:
            acts.append(action_button("Remove access", install_url, {"action": REMOVE, **sub}))
        if row.is_admin:
            acts.append(action_button("Remove app admin role", install_url, {"action": DEMOTE, **sub}))
        elif row.state != "removed":
            acts.append(action_button("Make app admin", install_url, {"action": PROMOTE, **sub}))
    if row.state == "pending" and row.invitation in ("uncertain", "failed", "sent"):
        acts.append(action_button("Send invitation again", install_url, {"action": RESEND, **sub}))
    acts.append(action_button("Back", install_url, {"action": MEMBERS}))
    return card(app, [section(info, shorten(row.name or row.email, 80)), section([buttons(*acts)])],
                subtitle="Person", name="admin-member")  # fmt: skip
