"""The scheduled tenancy sweep: re-check stale licenses, advance offboarding, send queued invitations,
finish pending token revocations. Idempotent and resumable; stops cleanly at its time budget.

Uninstalls are never signalled and an uninstalled add-on gets no more requests, so the license check
has to come from here (Cloud Scheduler calls ``install`` with ``?job=sweep``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from mail2task import store
from mail2task.errors import Mail2TaskError
from mail2task.tenancy import licensing, lifecycle, notifications, offboarding
from mail2task.tenancy.model import Tenant
from mail2task.tenancy.runtime import TenancyRuntime

log = logging.getLogger(__name__)

PAGE = 100


@dataclass
class SweepReport:
    licenses_checked: int = 0
    uninstalled: list[str] = field(default_factory=list)
    reinstalled: list[str] = field(default_factory=list)
    offboarding: list[str] = field(default_factory=list)
    invitations_sent: int = 0
    revoked: int = 0
    errors: int = 0
    out_of_time: bool = False

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def _tenants(where: tuple[str, str, object], limit: int = PAGE) -> list[Tenant]:
    from google.cloud.firestore_v1 import FieldFilter

    query = store.firestore_client().collection(store.TENANTS).where(filter=FieldFilter(*where)).limit(limit)
    return [Tenant.from_dict(s.id, s.to_dict() or {}) for s in query.stream()]


def _recheck_licenses(runtime: TenancyRuntime, report: SweepReport, deadline: float) -> None:
    if not runtime.settings.marketplace_app_id:
        return
    import datetime as dt

    stale_before = runtime.now() - dt.timedelta(seconds=runtime.settings.license_cache_seconds)
    for tenant in _tenants(("license.checkedAt", "<", stale_before)):
        if time.monotonic() >= deadline:
            report.out_of_time = True
            return
        now = runtime.now()
        record = licensing.check_domain(tenant, now, runtime, force=True)
        decision = licensing.LicenseDecision(record, None, tenant_changed=record != tenant.license)
        updated, _ = lifecycle.apply_license(tenant, None, decision, now, runtime)
        report.licenses_checked += 1
        if updated.status != tenant.status:
            (report.uninstalled if updated.status == "uninstalled" else report.reinstalled).append(tenant.id)


def run_sweep(runtime: TenancyRuntime, *, budget_seconds: float = 240.0) -> SweepReport:
    """One sweep over every tenant that needs attention, within ``budget_seconds``."""
    deadline = time.monotonic() + budget_seconds
    report = SweepReport()
    steps: tuple[tuple[str, Callable[[], None]], ...] = (
        ("licenses", lambda: _recheck_licenses(runtime, report, deadline)),
        ("offboarding", lambda: _offboard(runtime, report, deadline)),
        ("invitations", lambda: _invite(runtime, report, deadline)),
        ("revocations", lambda: _revoke(runtime, report, deadline)),
    )
    for name, step in steps:
        if time.monotonic() >= deadline:
            report.out_of_time = True
            break
        try:
            step()
        except Mail2TaskError as error:
            report.errors += 1
            log.warning("sweep step %s failed: %s", name, error.code)
    log.info("tenancy sweep: %s", report.to_dict())
    return report


def _offboard(runtime: TenancyRuntime, report: SweepReport, deadline: float) -> None:
    for phase in (lifecycle.OFFBOARD, lifecycle.RESTORE):
        for tenant in _tenants(("offboarding.phase", "==", phase)):
            result = offboarding.run(tenant.id, runtime, deadline=deadline)
            report.offboarding.append(f"{tenant.id}:{result.phase}:{'done' if result.done else 'partial'}")


def _invite(runtime: TenancyRuntime, report: SweepReport, deadline: float) -> None:
    for tenant in _tenants(("notificationsPending", "==", True)):
        result = notifications.deliver_pending(tenant.id, runtime, deadline=deadline)
        report.invitations_sent += len(result.sent)


def _revoke(runtime: TenancyRuntime, report: SweepReport, deadline: float) -> None:
    for tenant in _tenants(("revocationsPending", "==", True)):
        report.revoked += offboarding.pending_revocations(tenant.id, runtime, deadline=deadline)
