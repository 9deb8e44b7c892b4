"""App admins: the first Workspace admin of a domain install claims the tenant; more can be named later."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from mail2task import store
from mail2task.errors import (
    BadRequest,
    Conflict,
    ConsentRequired,
    Forbidden,
    Mail2TaskError,
    NotFound,
    StoreUnavailable,
)
from mail2task.tenancy import audit
from mail2task.tenancy.authz import AdminContext, OutsideTenant, reject
from mail2task.tenancy.members import get_member
from mail2task.tenancy.model import (
    ACCESS_ALLOWED,
    ACCESS_REMOVED,
    ADMIN,
    CONSENT_GRANTED,
    MAX_ADMINS,
    MEMBER,
    Member,
    Person,
    Tenant,
)
from mail2task.tenancy.registration import member_ref, tenant_ref
from mail2task.tenancy.runtime import TenancyRuntime
from mail2task.tenancy.scopes import DIRECTORY_READONLY

if TYPE_CHECKING:
    from mail2task.identity import Identity

log = logging.getLogger(__name__)

ADMIN_RECHECK_SECONDS = 3600  # a "not a Workspace admin" answer is trusted this long


def _claim(identity: Identity, person: Person, customer_id: str, now: dt.datetime) -> list[dict[str, Any]]:
    """Make ``person`` the first app admin unless someone already is; returns the tenant's admins."""
    from google.api_core import exceptions
    from google.cloud import firestore

    client = store.firestore_client()
    t_ref, m_ref = tenant_ref(client, identity.tenant), member_ref(client, identity.tenant, person.sub)

    @firestore.transactional
    def claim(transaction: firestore.Transaction) -> list[dict[str, Any]]:
        current = (t_ref.get(transaction=transaction).to_dict() or {}).get("admins") or []
        if current:
            return list(current)
        admins = [person.to_dict()]
        transaction.update(t_ref, {"admins": admins, "customerId": customer_id})
        transaction.update(m_ref, {"role": ADMIN, "access": ACCESS_ALLOWED})
        transaction.create(
            audit.audit_ref(client, identity.tenant),
            audit.entry(identity, "admin.claimed", now, target=[person.sub], details={"email": person.email}),
        )
        return admins

    try:
        result: list[dict[str, Any]] = claim(client.transaction())
    except (exceptions.GoogleAPICallError, ValueError) as error:
        raise StoreUnavailable("could not record the app admin") from error
    return result


def ensure_first_admin(
    identity: Identity, tenant: Tenant, member: Member, now: dt.datetime, runtime: TenancyRuntime
) -> tuple[Tenant, Member, str]:
    """Try to make ``identity`` the first app admin of a domain install without one.

    Returns the updated records and an outcome: ``claimed``, ``taken`` (someone else was first),
    ``not_admin`` (the directory says no), ``consent_needed`` (no directory grant) or ``unavailable``.
    """
    if member.consent != CONSENT_GRANTED:
        return tenant, member, "consent_needed"
    recent = (
        member.admin_checked_at and (now - member.admin_checked_at).total_seconds() < ADMIN_RECHECK_SECONDS
    )
    if recent:
        return tenant, member, "not_admin"
    try:
        credentials = runtime.grants.credentials_for(member.sub, [DIRECTORY_READONLY])
        user = runtime.directory_client(credentials).get_user(member.sub)
    except ConsentRequired:
        return tenant, member, "consent_needed"
    except (Forbidden, NotFound):
        user = None  # a non-admin may not read the directory at all: the answer is "no"
    except Mail2TaskError as error:
        log.warning("directory check of a would-be admin failed: %s", error.code)
        return tenant, member, "unavailable"
    from google.api_core import exceptions

    if user is None or not user.is_admin or user.suspended or user.id != member.sub:
        try:
            member_ref(store.firestore_client(), tenant.id, member.sub).update({"notWorkspaceAdminAt": now})
        except exceptions.GoogleAPICallError as error:  # a cache write only
            log.warning("admin check not cached: %s", type(error).__name__)
        return tenant, replace(member, admin_checked_at=now), "not_admin"
    person = Person(member.sub, identity.email, user.name or identity.name or "")
    admins = _claim(identity, person, user.customer_id, now)
    tenant = replace(tenant, admins=tuple(Person.from_dict(a) for a in admins), customer_id=user.customer_id)
    if person.sub in tenant.admin_subs:
        return tenant, replace(member, role=ADMIN, access=ACCESS_ALLOWED), "claimed"
    return tenant, member, "taken"


def _change_role(ctx: AdminContext, sub: str, *, promote: bool) -> Member:
    """Name ``sub`` an app admin (or take the role away), keeping at least one app admin."""
    from google.api_core import exceptions
    from google.cloud import firestore

    action = "admins.add" if promote else "admins.remove"
    member = get_member(ctx.tenant_id, sub)
    if member is None:
        raise reject(ctx.identity, ctx.tenant_id, action, ctx.now, OutsideTenant(), target=[sub[:64]])
    if promote and member.access == ACCESS_REMOVED:
        raise BadRequest("add this person back before making them an app admin")
    client = store.firestore_client()
    t_ref, m_ref = tenant_ref(client, ctx.tenant_id), member_ref(client, ctx.tenant_id, sub)

    @firestore.transactional
    def change(transaction: firestore.Transaction) -> None:
        admins = (t_ref.get(transaction=transaction).to_dict() or {}).get("admins") or []
        others = [a for a in admins if a.get("sub") != sub]
        if promote:
            if len(others) >= MAX_ADMINS:
                raise Conflict(f"a tenant has at most {MAX_ADMINS} app admins")
            new = [*others, member.person.to_dict()]
            transaction.update(m_ref, {"role": ADMIN, "access": ACCESS_ALLOWED})
        else:
            if not others:
                raise Conflict("the last app admin cannot give up the role")
            new = others
            transaction.update(m_ref, {"role": MEMBER})
        transaction.update(t_ref, {"admins": new})
        entry = ctx.audit_entry(action, target=[sub], details={"email": member.email})
        transaction.create(audit.audit_ref(client, ctx.tenant_id), entry)

    try:
        change(client.transaction())
    except (exceptions.GoogleAPICallError, ValueError) as error:
        raise StoreUnavailable("could not change the app admins") from error
    return member


def name_admin(ctx: AdminContext, sub: str) -> Member:
    return _change_role(ctx, sub, promote=True)


def unname_admin(ctx: AdminContext, sub: str) -> Member:
    return _change_role(ctx, sub, promote=False)
