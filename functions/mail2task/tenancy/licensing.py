"""Is this tenant (or this user) licensed? Marketplace answers cached on the tenant and member documents.

Order: the domain license (``customerLicense.get``) first: ACTIVE means an admin installed the app for
the domain. Without it, the user's own license (``userLicense.get``): ACTIVE means an individual install.
Answers are trusted for ``LICENSE_CACHE_SECONDS``. When the API cannot be reached the last known answer
is kept (and the failure logged); the API is then left alone for ``LICENSE_RETRY_SECONDS``, so an outage
costs one failed call per tenant per retry interval, not one per request. A tenant that was never
checked and meets an outage is let in as ``unverified`` and checked again after the retry interval:
the license is a commercial gate, while policy and consent (the security gates) still apply.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, replace

from mail2task.errors import UpstreamError
from mail2task.tenancy.model import LicenseRecord, Member, Tenant
from mail2task.tenancy.runtime import TenancyRuntime

log = logging.getLogger(__name__)

DOMAIN = "domain"
INDIVIDUAL = "individual"
NONE = "none"
UNMANAGED = "unmanaged"
UNVERIFIED = "unverified"
DOMAIN_KINDS = (DOMAIN, UNMANAGED, UNVERIFIED)  # the admin's policy applies to these tenants


@dataclass(frozen=True)
class LicenseDecision:
    tenant: LicenseRecord  # the domain license, as it should now be stored on the tenant
    member: LicenseRecord | None  # the user's own license, when the domain has none
    tenant_changed: bool = False
    member_changed: bool = False

    @property
    def domain_installed(self) -> bool:
        return self.tenant.kind in DOMAIN_KINDS

    @property
    def licensed(self) -> bool:
        if self.domain_installed:
            return True
        return self.member is not None and self.member.kind in (INDIVIDUAL, UNVERIFIED)


def _fresh(record: LicenseRecord, now: dt.datetime, runtime: TenancyRuntime) -> bool:
    settings = runtime.settings
    if record.checked_at and (now - record.checked_at).total_seconds() < settings.license_cache_seconds:
        return True
    return bool(
        record.failed_at and (now - record.failed_at).total_seconds() < settings.license_retry_seconds
    )


def _failed(previous: LicenseRecord, now: dt.datetime, what: str, error: UpstreamError) -> LicenseRecord:
    log.warning("license check of %s failed, last known state kept: %s", what, error)
    if previous.state == "UNKNOWN" and previous.kind in (NONE, UNVERIFIED):
        return replace(previous, kind=UNVERIFIED, failed_at=now)
    return replace(previous, failed_at=now)


def check_domain(
    tenant: Tenant, now: dt.datetime, runtime: TenancyRuntime, *, force: bool = False
) -> LicenseRecord:
    """The tenant's domain license: the cached record, or a new answer when it is stale."""
    if not runtime.settings.marketplace_app_id:
        return LicenseRecord(state="ACTIVE", kind=UNMANAGED, checked_at=tenant.license.checked_at)
    if not force and _fresh(tenant.license, now, runtime):
        return tenant.license
    try:
        answer = runtime.license_client().customer_license(tenant.id)
    except UpstreamError as error:
        return _failed(tenant.license, now, f"tenant {tenant.id}", error)
    kind = DOMAIN if answer.state == "ACTIVE" else NONE
    return LicenseRecord(state=answer.state, kind=kind, checked_at=now)


def check_user(member: Member, now: dt.datetime, runtime: TenancyRuntime) -> LicenseRecord:
    """The user's own license (individual install), cached on the member document."""
    if _fresh(member.license, now, runtime):
        return member.license
    try:
        answer = runtime.license_client().user_license(member.email)
    except UpstreamError as error:
        return _failed(member.license, now, "a user", error)
    kind = INDIVIDUAL if answer.state == "ACTIVE" else NONE
    return LicenseRecord(state=answer.state, kind=kind, checked_at=now)


def decide(tenant: Tenant, member: Member, now: dt.datetime, runtime: TenancyRuntime) -> LicenseDecision:
    """Domain license first, then the user's own; says which cached records changed."""
    domain = check_domain(tenant, now, runtime)
    tenant_changed = domain != tenant.license and domain.kind != UNMANAGED
    if domain.kind in DOMAIN_KINDS:
        return LicenseDecision(domain, None, tenant_changed=tenant_changed)
    user = check_user(member, now, runtime)
    return LicenseDecision(domain, user, tenant_changed=tenant_changed, member_changed=user != member.license)
