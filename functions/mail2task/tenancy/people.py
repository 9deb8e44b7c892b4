"""Admins add people from the directory and remove them; every change is audited in the same commit.

Adding is idempotent: a person already allowed is left alone, so a retried or double-clicked "Add"
changes nothing and queues no second invitation. Each real addition bumps the member's ``invitations``
counter, and the invitation's id is ``{sub}-{invitations}``: one email per person per addition.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from mail2task import store
from mail2task.errors import BadRequest, Forbidden, Mail2TaskError, NotFound, StoreUnavailable
from mail2task.google.directory import DirectoryClient, DirectoryPage, DirectoryUser, valid_user_id
from mail2task.tenancy import audit
from mail2task.tenancy.authz import AdminContext, OutsideTenant, reject
from mail2task.tenancy.members import get_member
from mail2task.tenancy.model import (
    ACCESS_ALLOWED,
    ACCESS_REMOVED,
    CONSENT_NONE,
    MEMBER,
    Member,
    Person,
)
from mail2task.tenancy.notifications import new_invitation, notification_ref
from mail2task.tenancy.registration import member_ref, tenant_ref
from mail2task.tenancy.runtime import TenancyRuntime
from mail2task.tenancy.scopes import DIRECTORY_READONLY

log = logging.getLogger(__name__)

MAX_ADD = 100
LOOKUP_THREADS = 8
ATTEMPTS = 3


@dataclass(frozen=True)
class AddResult:
    added: list[Person]
    already: list[Person]
    invitations: list[str]


def _directory(ctx: AdminContext, runtime: TenancyRuntime) -> DirectoryClient:
    credentials = runtime.grants.credentials_for(ctx.identity.sub, [DIRECTORY_READONLY])
    return runtime.directory_client(credentials)


def search_directory(
    ctx: AdminContext,
    text: str,
    runtime: TenancyRuntime,
    *,
    page_token: str | None = None,
    page_size: int = 20,
) -> tuple[DirectoryPage, dict[str, Member]]:
    """A page of the admin's directory and, for those people, their member records in this tenant."""
    from google.api_core import exceptions

    page = _directory(ctx, runtime).search_users(text, page_token=page_token, max_results=page_size)
    client = store.firestore_client()
    refs = [member_ref(client, ctx.tenant_id, u.id) for u in page.users if valid_user_id(u.id)]
    try:
        snaps = list(client.get_all(refs)) if refs else []
    except exceptions.GoogleAPICallError as error:
        raise StoreUnavailable("members unavailable") from error
    known = {s.id: Member.from_dict(s.id, s.to_dict() or {}) for s in snaps if s.exists}
    return page, known


def _lookup(directory: DirectoryClient, user_id: str) -> DirectoryUser | None:
    try:
        return directory.get_user(user_id)
    except (NotFound, Forbidden):
        return None


def _verified_people(ctx: AdminContext, user_ids: list[str], runtime: TenancyRuntime) -> list[DirectoryUser]:
    """Each id looked up in the admin's own directory; any id outside the tenant rejects the request."""
    directory = _directory(ctx, runtime)
    with ThreadPoolExecutor(max_workers=min(LOOKUP_THREADS, len(user_ids))) as pool:
        found = list(pool.map(lambda uid: _lookup(directory, uid), user_ids))
    customer = ctx.tenant.customer_id
    foreign = [
        uid
        for uid, user in zip(user_ids, found, strict=True)
        if user is None
        or user.id != uid
        or (customer and user.customer_id != customer)
        or user.email.rpartition("@")[2] != ctx.tenant_id
    ]
    if foreign:
        raise reject(ctx.identity, ctx.tenant_id, "people.add", ctx.now, OutsideTenant(), target=foreign)
    suspended = [u.email for u in found if u is not None and u.suspended]
    if suspended:
        raise BadRequest("suspended accounts cannot be added: " + ", ".join(suspended[:5]))
    return [u for u in found if u is not None]


def add_people(ctx: AdminContext, user_ids: list[str], runtime: TenancyRuntime, *, notify: bool) -> AddResult:
    """Give the directory users ``user_ids`` access (specific-users mode) and queue their invitations."""
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        raise BadRequest("choose at least one person")
    if len(ids) > MAX_ADD or not all(valid_user_id(i) for i in ids):
        raise BadRequest(f"choose at most {MAX_ADD} people from the directory")
    people = _verified_people(ctx, ids, runtime)
    for _ in range(ATTEMPTS):
        result = _commit_additions(ctx, people, notify)
        if result is not None:
            return result
    raise StoreUnavailable("could not add people (too many concurrent changes)")


def _commit_additions(ctx: AdminContext, people: list[DirectoryUser], notify: bool) -> AddResult | None:
    from google.api_core import exceptions

    client = store.firestore_client()
    refs = [member_ref(client, ctx.tenant_id, p.id) for p in people]
    snaps = {s.id: s for s in client.get_all(refs)}
    batch = client.batch()
    added, already, invitations = [], [], []
    for person, ref in zip(people, refs, strict=True):
        snap = snaps[person.id]
        data: dict[str, Any] = (snap.to_dict() or {}) if snap.exists else {}
        who = Person(person.id, person.email, person.name)
        if snap.exists and (data.get("access") == ACCESS_ALLOWED or person.id in ctx.tenant.admin_subs):
            already.append(who)
            continue
        count = int(data.get("invitations") or 0) + 1
        fields: dict[str, Any] = {"access": ACCESS_ALLOWED, "addedBy": ctx.identity.sub, "addedAt": ctx.now,
                                  "invitations": count, "removedBy": None, "removedAt": None}  # fmt: skip
        if notify:
            invitation = f"{person.id}-{count}"
            batch.create(notification_ref(client, ctx.tenant_id, invitation), new_invitation(ctx, who, count))
            fields["notification"] = {"id": invitation, "state": "pending"}
            invitations.append(invitation)
        if snap.exists:
            batch.update(ref, fields, option=client.write_option(last_update_time=snap.update_time))
        else:
            base = {"sub": person.id, "email": person.email, "name": person.name, "role": MEMBER,
                    "consent": CONSENT_NONE, "firstSeen": None, "lastSeen": None}  # fmt: skip
            batch.create(ref, {**base, **fields})
        added.append(who)
    if not added:
        return AddResult([], already, [])
    if invitations:
        batch.update(tenant_ref(client, ctx.tenant_id), {"notificationsPending": True})
    entry = ctx.audit_entry(
        "people.add",
        target=[p.sub for p in added],
        details={"emails": [p.email for p in added], "notify": notify},
    )
    batch.create(audit.audit_ref(client, ctx.tenant_id), entry)
    try:
        batch.commit()
    except (exceptions.Conflict, exceptions.FailedPrecondition):
        return None  # someone changed one of these people meanwhile: read again
    except exceptions.GoogleAPICallError as error:
        raise StoreUnavailable("could not add people") from error
    return AddResult(added, already, invitations)


def _member_or_reject(ctx: AdminContext, sub: str, action: str) -> Member:
    member = get_member(ctx.tenant_id, sub)
    if member is None:  # unknown here: another tenant's id, or made up
        raise reject(ctx.identity, ctx.tenant_id, action, ctx.now, OutsideTenant(), target=[sub[:64]])
    return member


def remove_person(ctx: AdminContext, sub: str, runtime: TenancyRuntime) -> Member:
    """Take access away from ``sub`` (any mode) and revoke and delete their stored tokens."""
    from google.api_core import exceptions
    from google.cloud import firestore

    member = _member_or_reject(ctx, sub, "people.remove")
    if sub == ctx.identity.sub:
        raise BadRequest("you cannot remove yourself; name another app admin and ask them")
    client = store.firestore_client()
    t_ref, m_ref = tenant_ref(client, ctx.tenant_id), member_ref(client, ctx.tenant_id, sub)

    @firestore.transactional
    def remove(transaction: firestore.Transaction) -> None:
        admins = (t_ref.get(transaction=transaction).to_dict() or {}).get("admins") or []
        remaining = [a for a in admins if a.get("sub") != sub]
        tenant_updates: dict[str, Any] = {"revocationsPending": True}
        if len(remaining) != len(admins):
            tenant_updates["admins"] = remaining
        transaction.update(t_ref, tenant_updates)
        transaction.update(m_ref, {"access": ACCESS_REMOVED, "role": MEMBER, "removedBy": ctx.identity.sub,
                                   "removedAt": ctx.now, "revocation": "pending"})  # fmt: skip
        entry = ctx.audit_entry("people.remove", target=[sub], details={"email": member.email})
        transaction.create(audit.audit_ref(client, ctx.tenant_id), entry)

    try:
        remove(client.transaction())
    except (exceptions.GoogleAPICallError, ValueError) as error:
        raise StoreUnavailable("could not remove the person") from error
    revoke_tokens(ctx.tenant_id, member, runtime, reason="removed_by_admin")
    return member


def revoke_tokens(tenant: str, member: Member, runtime: TenancyRuntime, *, reason: str) -> bool:
    """Revoke and delete ``member``'s stored tokens; the pending marker stays when this fails."""
    from google.api_core import exceptions

    try:
        if member.consent != CONSENT_NONE:
            runtime.grants.disconnect(member.sub, reason=reason)
        member_ref(store.firestore_client(), tenant, member.sub).update({"revocation": "done"})
    except (Mail2TaskError, exceptions.GoogleAPICallError) as error:
        log.warning("token revocation left for the sweep: %s", getattr(error, "code", type(error).__name__))
        return False
    return True


def resend_invitation(ctx: AdminContext, sub: str) -> str:
    """Queue a new invitation for a pending person (a new id: the old one is never resent)."""
    from google.api_core import exceptions

    member = _member_or_reject(ctx, sub, "people.resend")
    if member.access == ACCESS_REMOVED or member.consent == "granted":
        raise BadRequest("only people who have access and have not connected yet can be invited again")
    client = store.firestore_client()
    ref = member_ref(client, ctx.tenant_id, sub)
    for _ in range(ATTEMPTS):
        snap = ref.get()
        count = int((snap.to_dict() or {}).get("invitations") or 0) + 1
        invitation = f"{sub}-{count}"
        batch = client.batch()
        fields = {"invitations": count, "notification": {"id": invitation, "state": "pending"}}
        batch.update(ref, fields, option=client.write_option(last_update_time=snap.update_time))
        batch.create(
            notification_ref(client, ctx.tenant_id, invitation), new_invitation(ctx, member.person, count)
        )
        batch.update(tenant_ref(client, ctx.tenant_id), {"notificationsPending": True})
        batch.create(audit.audit_ref(client, ctx.tenant_id), ctx.audit_entry("people.resend", target=[sub]))
        try:
            batch.commit()
        except (exceptions.Conflict, exceptions.FailedPrecondition):
            continue
        except exceptions.GoogleAPICallError as error:
            raise StoreUnavailable("could not queue the invitation") from error
        return invitation
    raise StoreUnavailable("could not queue the invitation (too many concurrent changes)")
