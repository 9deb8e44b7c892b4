"""The admin console behind the `install` function: one handler per admin card action.

Every handler gets an ``AdminContext`` (a verified, admitted app admin of their own tenant) and returns
an ``Outcome``: the card to show, a short notification, and a JSON-able result for JSON callers.
Sub ids and directory ids from parameters or form inputs are only ever looked up inside the admin's
own tenant (and directory), so an id from another tenant is simply unknown and the request refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mail2task.cards import admin as admin_cards
from mail2task.errors import BadRequest
from mail2task.tenancy import admins, notifications, offboarding, people, policy
from mail2task.tenancy.authz import AdminContext
from mail2task.tenancy.members import get_member, list_members
from mail2task.tenancy.model import ACCESS_ALLOWED, Member, Tenant, is_app_admin, member_state
from mail2task.tenancy.runtime import TenancyRuntime

if TYPE_CHECKING:
    from mail2task.addon.request import AddonEvent

MEMBERS_PAGE = 25
DIRECTORY_PAGE = 20
INLINE_BUDGET_SECONDS = 5.0  # work done before answering (invitations, revocations); the sweep does the rest


@dataclass(frozen=True)
class Outcome:
    card: dict[str, Any]
    notification: str | None = None
    result: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    ctx: AdminContext
    event: AddonEvent
    install_url: str
    runtime: TenancyRuntime

    @property
    def app(self) -> str:
        return self.runtime.settings.app_name

    def param(self, name: str) -> str | None:
        return self.event.parameters.get(name) or None

    def sub(self) -> str:
        value = self.param("sub")
        if value is None:
            raise BadRequest("missing parameter: sub")
        return value


def _row(tenant: Tenant, member: Member) -> admin_cards.MemberRow:
    return admin_cards.MemberRow(member.sub, member.email, member.name, member_state(tenant, member),
                                 is_app_admin(tenant, member), member.last_seen,
                                 member.notification)  # fmt: skip


def _fresh_tenant(req: Request) -> Tenant:
    from mail2task import store
    from mail2task.tenancy.registration import tenant_ref

    snap = tenant_ref(store.firestore_client(), req.ctx.tenant_id).get()
    return Tenant.from_dict(req.ctx.tenant_id, snap.to_dict() or {})


def home(req: Request, notification: str | None = None) -> Outcome:
    tenant = _fresh_tenant(req)
    card = admin_cards.home_card(
        req.app, req.install_url, domain=tenant.id, mode=tenant.mode, admins=tenant.admins
    )
    result = {"mode": tenant.mode, "admins": [a.email for a in tenant.admins]}
    return Outcome(card, notification, result)


def set_mode(req: Request) -> Outcome:
    mode = req.event.form_inputs.text("mode") or req.param("mode") or ""
    changed = policy.set_mode(req.ctx, mode)
    if changed:
        offboarding.pending_revocations(req.ctx.tenant_id, req.runtime, deadline=_deadline())
    return home(req, "Access mode saved." if changed else "Nothing changed.")


def search(req: Request, notification: str | None = None) -> Outcome:
    query = req.event.form_inputs.text("q") or req.param("q") or ""
    page, known = people.search_directory(
        req.ctx, query, req.runtime, page_token=req.param("pageToken"), page_size=DIRECTORY_PAGE
    )
    tenant = req.ctx.tenant  # as admission just read it
    rows = []
    for user in page.users:
        member = known.get(user.id)
        state = member_state(tenant, member) if member else ""
        allowed = member is not None and (member.access == ACCESS_ALLOWED or is_app_admin(tenant, member))
        rows.append(admin_cards.DirectoryRow(user.id, user.email, user.name, state, allowed))
    card = admin_cards.directory_card(
        req.app, req.install_url, rows, query=query, next_page_token=page.next_page_token, mode=tenant.mode
    )
    result = {"people": [{"id": r.id, "email": r.email, "state": r.state} for r in rows],
              "nextPageToken": page.next_page_token}  # fmt: skip
    return Outcome(card, notification, result)


def add(req: Request) -> Outcome:
    ids = list(req.event.form_inputs.values("people"))
    notify = "yes" in req.event.form_inputs.values("notify")
    added = people.add_people(req.ctx, ids, req.runtime, notify=notify)
    delivered = notifications.deliver_pending(req.ctx.tenant_id, req.runtime, deadline=_deadline())
    text = f"Added {len(added.added)}." + (
        f" {len(added.already)} already had access." if added.already else ""
    )
    if delivered.sent:
        text += f" {len(delivered.sent)} invited by email."
    outcome = search(req, text)
    result = {"added": [p.email for p in added.added], "already": [p.email for p in added.already],
              "invitations": added.invitations, "sent": delivered.sent}  # fmt: skip
    return Outcome(outcome.card, text, result)


def members(req: Request, notification: str | None = None) -> Outcome:
    tenant = req.ctx.tenant  # as admission just read it
    cursor = req.param("cursor")
    page = list_members(tenant.id, page_token=cursor, limit=MEMBERS_PAGE, everyone=True)
    rows = [_row(tenant, m) for m in page.members]
    card = admin_cards.members_card(
        req.app, req.install_url, rows, cursor=cursor, next_cursor=page.next_page_token
    )
    result = {"members": [{"sub": r.sub, "email": r.email, "state": r.state, "admin": r.is_admin,
                           "lastSeen": r.last_seen.isoformat() if r.last_seen else None} for r in rows],
              "nextPageToken": page.next_page_token}  # fmt: skip
    return Outcome(card, notification, result)


def member(req: Request, notification: str | None = None, sub: str | None = None) -> Outcome:
    sub = sub or req.sub()
    found = get_member(req.ctx.tenant_id, sub)
    if found is None:
        return members(req, "That person is not part of your organization's list.")
    row = _row(req.ctx.tenant, found)
    card = admin_cards.member_card(req.app, req.install_url, row, is_self=sub == req.ctx.identity.sub)
    return Outcome(card, notification, {"sub": row.sub, "email": row.email, "state": row.state})


def remove(req: Request) -> Outcome:
    removed = people.remove_person(req.ctx, req.sub(), req.runtime)
    return member(req, f"Removed {removed.email}; their connection to Google was revoked.", removed.sub)


def readd(req: Request) -> Outcome:
    sub = req.sub()
    people.add_people(req.ctx, [sub], req.runtime, notify=False)
    return member(req, "Access given back.", sub)


def promote(req: Request) -> Outcome:
    named = admins.name_admin(req.ctx, req.sub())
    return member(req, f"{named.email} is now an app admin.", named.sub)


def demote(req: Request) -> Outcome:
    named = admins.unname_admin(req.ctx, req.sub())
    return member(req, f"{named.email} is no longer an app admin.", named.sub)


def resend(req: Request) -> Outcome:
    sub = req.sub()
    people.resend_invitation(req.ctx, sub)
    sent = notifications.deliver_pending(req.ctx.tenant_id, req.runtime, deadline=_deadline())
    return member(req, "Invitation sent." if sent.sent else "Invitation queued.", sub)


def _deadline() -> float:
    return time.monotonic() + INLINE_BUDGET_SECONDS


HANDLERS: dict[str, Callable[[Request], Outcome]] = {
    admin_cards.HOME: home,
    admin_cards.SET_MODE: set_mode,
    admin_cards.SEARCH: search,
    admin_cards.ADD: add,
    admin_cards.MEMBERS: members,
    admin_cards.MEMBER: member,
    admin_cards.REMOVE: remove,
    admin_cards.READD: readd,
    admin_cards.PROMOTE: promote,
    admin_cards.DEMOTE: demote,
    admin_cards.RESEND: resend,
}


def handle(req: Request) -> Outcome:
    handler = HANDLERS.get(req.event.action or admin_cards.HOME)
    if handler is None:
        raise BadRequest("unknown action")
    return handler(req)
