"""The scheduled tenancy sweep: re-check stale licenses, advance offboarding, send queued invitations,
finish pending token revocations. Idempotent and resumable; stops cleanly at its time budget.

Each step pages through every tenant that needs it (``PAGE`` at a time); one tenant failing is counted
and passed over, and a step cut short by the budget resumes after the last tenant it handled at the next
sweep (``runs/tenancy-sweep``), so tenants that keep failing cannot starve the others.

Uninstalls are never signalled and an uninstalled add-on gets no more requests, so the license check
has to come from here (Cloud Scheduler calls ``install`` with ``?job=sweep``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mail2task import store
from mail2task.errors import Mail2TaskError, StoreUnavailable
from mail2task.tenancy import licensing, lifecycle, notifications, offboarding
from mail2task.tenancy.model import Tenant
from mail2task.tenancy.runtime import TenancyRuntime

log = logging.getLogger(__name__)

PAGE = 100
CURSORS = "tenancy-sweep"  # runs/tenancy-sweep: per step, the tenant the last sweep stopped after


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


@dataclass(frozen=True)
class _Pass:
    """One step's walk over the tenants matching ``where``, within the sweep's budget."""

    step: str
    where: tuple[str, str, object]
    deadline: float
    clock: Callable[[], float]
    report: SweepReport
    ordered_by: str | None = None  # the filtered field, for a range filter (Firestore orders by it first)


def _cursors() -> Any:
    return store.firestore_client().collection(store.RUNS).document(CURSORS)


def _position(walk: _Pass, snap: Any) -> dict[str, Any]:
    position: dict[str, Any] = {"id": snap.id}
    if walk.ordered_by:
        position["value"] = snap.get(walk.ordered_by)
    return position


def _page(walk: _Pass, after: dict[str, Any] | None) -> list[Any]:
    from google.api_core import exceptions
    from google.cloud.firestore_v1 import FieldFilter
    from google.cloud.firestore_v1.field_path import FieldPath

    tenants = store.firestore_client().collection(store.TENANTS)
    query = tenants.where(filter=FieldFilter(*walk.where))
    if walk.ordered_by:
        query = query.order_by(walk.ordered_by)
    query = query.order_by(FieldPath.document_id())
    if after:
        start: dict[Any, Any] = {FieldPath.document_id(): tenants.document(after["id"])}
        if walk.ordered_by:
            start[walk.ordered_by] = after.get("value")
        query = query.start_after(start)
    try:
        return list(query.limit(PAGE).stream())
    except exceptions.GoogleAPICallError as error:
        raise StoreUnavailable("tenants unavailable to the sweep") from error


def _each_tenant(walk: _Pass, handle: Callable[[Tenant], None]) -> None:
    """``handle`` every tenant matching the pass, page by page, each failure counted and passed over.

    Starts after where the previous sweep ran out of time (tenants that keep failing stay matched, and
    would otherwise come first every time and use up the budget); when the budget runs out, remembers
    where it stopped; at the end, forgets it, so the next sweep starts from the beginning again.
    """
    saved = (_cursors().get().to_dict() or {}).get(walk.step)
    after: dict[str, Any] | None = saved if isinstance(saved, dict) and saved.get("id") else None
    while True:
        page = _page(walk, after)
        for snap in page:
            if walk.clock() >= walk.deadline:
                walk.report.out_of_time = True
                if after != saved:
                    _cursors().set({walk.step: after}, merge=True)
                return
            try:
                handle(Tenant.from_dict(snap.id, snap.to_dict() or {}))
            except Mail2TaskError as error:
                walk.report.errors += 1
                log.warning("sweep step %s failed for one tenant: %s", walk.step, error.code)
            after = _position(walk, snap)
        if len(page) < PAGE:
            if saved is not None:
                _cursors().set({walk.step: None}, merge=True)
            return


def _recheck_licenses(runtime: TenancyRuntime, report: SweepReport, walk: Callable[..., _Pass]) -> None:
    if not runtime.settings.marketplace_app_id:
        return
    import datetime as dt

    def recheck(tenant: Tenant) -> None:
        now = runtime.now()
        record = licensing.check_domain(tenant, now, runtime, force=True)
        decision = licensing.LicenseDecision(record, None, tenant_changed=record != tenant.license)
        updated, _ = lifecycle.apply_license(tenant, None, decision, now, runtime)
        report.licenses_checked += 1
        if updated.status != tenant.status:
            (report.uninstalled if updated.status == "uninstalled" else report.reinstalled).append(tenant.id)

    stale_before = runtime.now() - dt.timedelta(seconds=runtime.settings.license_cache_seconds)
    where = ("license.checkedAt", "<", stale_before)
    _each_tenant(walk("licenses", where, ordered_by="license.checkedAt"), recheck)


def run_sweep(
    runtime: TenancyRuntime, *, budget_seconds: float = 240.0, clock: Callable[[], float] = time.monotonic
) -> SweepReport:
    """One sweep over every tenant that needs attention, within ``budget_seconds`` (of ``clock``)."""
    deadline = clock() + budget_seconds
    report = SweepReport()

    def walk(step: str, where: tuple[str, str, object], ordered_by: str | None = None) -> _Pass:
        return _Pass(step, where, deadline, clock, report, ordered_by)

    steps: tuple[tuple[str, Callable[[], None]], ...] = (
        ("licenses", lambda: _recheck_licenses(runtime, report, walk)),
        ("offboarding", lambda: _offboard(runtime, report, walk, deadline, clock)),
        ("invitations", lambda: _invite(runtime, report, walk, deadline)),
        ("revocations", lambda: _revoke(runtime, report, walk, deadline)),
    )
    for name, step in steps:
        if clock() >= deadline:
            report.out_of_time = True
            break
        try:
            step()
        except Mail2TaskError as error:
            report.errors += 1
            log.warning("sweep step %s failed: %s", name, error.code)
    log.info("tenancy sweep: %s", report.to_dict())
    return report


def _offboard(
    runtime: TenancyRuntime,
    report: SweepReport,
    walk: Callable[..., _Pass],
    deadline: float,
    clock: Callable[[], float],
) -> None:
    def advance(tenant: Tenant) -> None:
        result = offboarding.run(tenant.id, runtime, deadline=deadline, clock=clock)
        report.offboarding.append(f"{tenant.id}:{result.phase}:{'done' if result.done else 'partial'}")

    for phase in (lifecycle.OFFBOARD, lifecycle.RESTORE, lifecycle.PURGE):
        _each_tenant(walk(f"offboarding.{phase}", ("offboarding.phase", "==", phase)), advance)


def _invite(
    runtime: TenancyRuntime, report: SweepReport, walk: Callable[..., _Pass], deadline: float
) -> None:
    def invite(tenant: Tenant) -> None:
        result = notifications.deliver_pending(tenant.id, runtime, deadline=deadline)
        report.invitations_sent += len(result.sent)

    _each_tenant(walk("invitations", ("notificationsPending", "==", True)), invite)


def _revoke(
    runtime: TenancyRuntime, report: SweepReport, walk: Callable[..., _Pass], deadline: float
) -> None:
    def revoke(tenant: Tenant) -> None:
        report.revoked += offboarding.pending_revocations(tenant.id, runtime, deadline=deadline)

    _each_tenant(walk("revocations", ("revocationsPending", "==", True)), revoke)
