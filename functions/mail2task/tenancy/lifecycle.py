"""Install state over time: record license answers, mark a tenant uninstalled when its license goes, and
reinstated when it comes back. The heavy part of both (tokens, TTLs) is ``offboarding``'s, run in pages.

Who is an app admin is the tenant's ``admins`` list alone (``model.is_app_admin``): a reinstall after
the retention period empties it, so members' old ``role`` fields give nobody the role back.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace
from typing import Any

from mail2task import store
from mail2task.errors import Mail2TaskError, StoreUnavailable
from mail2task.tenancy import audit
from mail2task.tenancy.licensing import DOMAIN, INDIVIDUAL, LicenseDecision
from mail2task.tenancy.model import ACTIVE, CONSENT_GRANTED, ONLY_ME, UNINSTALLED, Member, Tenant
from mail2task.tenancy.registration import member_ref, tenant_ref
from mail2task.tenancy.runtime import TenancyRuntime

log = logging.getLogger(__name__)

OFFBOARD = "offboard"  # revoke tokens, then set expiresAt on the tenant's data
RESTORE = "restore"  # clear expiresAt again (reinstalled within the retention period)
PURGE = "purge"  # delete what is left of expired data (reinstalled after it: TTL may lag a day)


def _lost_domain_license(tenant: Tenant, decision: LicenseDecision) -> bool:
    was = tenant.license
    now = decision.tenant
    return (
        tenant.status == ACTIVE
        and was.kind == DOMAIN
        and was.state == "ACTIVE"
        and now.state in ("UNLICENSED", "EXPIRED")
        and not decision.licensed
    )


def _regained(tenant: Tenant, decision: LicenseDecision) -> bool:
    """The domain license is back. (A user's own license admits that user, but does not reinstate the
    organization: otherwise the daily sweep and that user's requests would flip the tenant back and forth.)"""
    return (
        tenant.status == UNINSTALLED and decision.tenant.kind == DOMAIN and decision.tenant.state == "ACTIVE"
    )


def uninstall_fields(now: dt.datetime, runtime: TenancyRuntime) -> dict[str, Any]:
    retain_until = now + dt.timedelta(days=runtime.settings.retention_days)
    return {
        "status": UNINSTALLED,
        "uninstalledAt": now,
        "retainUntil": retain_until,
        "offboarding": {"phase": OFFBOARD, "step": 0, "cursor": None, "startedAt": now},
    }


def reinstall_fields(tenant: Tenant, now: dt.datetime) -> dict[str, Any]:
    if tenant.retain_until is not None and now >= tenant.retain_until:
        # back after the retention period: the data is due for deletion, and so is the old setup (start
        # over). What Firestore's TTL has not deleted yet is deleted, never restored.
        return {
            "status": ACTIVE,
            "reinstalledAt": now,
            "retainUntil": None,
            "admins": [],
            "policy": {"mode": ONLY_ME, "updatedBy": None, "updatedAt": now},
            "offboarding": {"phase": PURGE, "step": 0, "cursor": None, "startedAt": now},
        }
    return {
        "status": ACTIVE,
        "reinstalledAt": now,
        "retainUntil": None,
        "offboarding": {"phase": RESTORE, "step": 0, "cursor": None, "startedAt": now},
    }


def apply_license(
    tenant: Tenant,
    member: Member | None,
    decision: LicenseDecision,
    now: dt.datetime,
    runtime: TenancyRuntime,
) -> tuple[Tenant, Member | None]:
    """Store changed license answers and the install-state transitions they imply, in one commit."""
    from google.api_core import exceptions

    tenant_updates: dict[str, Any] = {}
    member_updates: dict[str, Any] = {}
    if decision.tenant_changed:
        tenant_updates["license"] = decision.tenant.to_dict()
    if member is not None and decision.member_changed and decision.member is not None:
        member_updates["license"] = decision.member.to_dict()
    action = None
    if _lost_domain_license(tenant, decision):
        tenant_updates.update(uninstall_fields(now, runtime))
        action = "tenant.uninstalled"
    elif _regained(tenant, decision):
        tenant_updates.update(reinstall_fields(tenant, now))
        action = "tenant.reinstalled"
    if not tenant_updates and not member_updates:
        return tenant, member
    client = store.firestore_client()
    batch = client.batch()
    if tenant_updates:
        batch.update(tenant_ref(client, tenant.id), tenant_updates)
    if member_updates and member is not None:
        batch.update(member_ref(client, tenant.id, member.sub), member_updates)
    if action:
        details = {"license": decision.tenant.state, "kind": decision.tenant.kind}
        batch.create(audit.audit_ref(client, tenant.id), audit.entry(None, action, now, details=details))
    try:
        batch.commit()
    except exceptions.GoogleAPICallError as error:
        raise StoreUnavailable("could not record the license state") from error
    if action:
        log.info("tenant %s: %s", tenant.id, action)
    status = tenant_updates.get("status", tenant.status)
    new_tenant = replace(tenant, license=decision.tenant, status=status)
    if tenant_updates.get("admins") == []:
        new_tenant = replace(new_tenant, admins=(), mode=ONLY_ME)
    new_member = member
    if member is not None and decision.member is not None:
        new_member = replace(member, license=decision.member)
        _offboard_lost_individual(member, decision, runtime)
    return new_tenant, new_member


def _offboard_lost_individual(member: Member, decision: LicenseDecision, runtime: TenancyRuntime) -> None:
    """A user whose own license ended: their stored tokens are revoked (their tasks stay with the tenant)."""
    was, now = member.license, decision.member
    if now is None or was.kind != INDIVIDUAL or now.state not in ("UNLICENSED", "EXPIRED"):
        return
    if member.consent != CONSENT_GRANTED:
        return
    try:
        runtime.grants.disconnect(member.sub, reason="license_ended")
    except Mail2TaskError as error:
        log.warning("tokens of a user whose license ended not revoked yet: %s", error.code)
