"""The sweep reaches every tenant: it pages through all of them, and tenants that keep failing cannot
starve the rest (a sweep cut short by its budget resumes after the last tenant it handled)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

from mail2task import store
from mail2task.errors import UpstreamError
from mail2task.tenancy.sweep import PAGE, run_sweep
from tests.emulator.tenancy.harness import Stack

TICK = 1000.0  # one step of the sweep's clock: far longer than any real wait inside a step


def _pending(tenants: list[str], *, stuck: bool = False) -> None:
    """Tenants with a token revocation pending; ``stuck``: one that keeps failing (Google refuses)."""
    db = store.firestore_client()
    for chunk in (tenants[i : i + 200] for i in range(0, len(tenants), 200)):
        batch = db.batch()
        for tenant in chunk:
            ref = db.collection(store.TENANTS).document(tenant)
            batch.set(ref, {"domain": tenant, "status": "active", "revocationsPending": True,
                            "policy": {"mode": "all_users"}, "admins": []})  # fmt: skip
            if stuck:
                member = {"sub": "1", "email": f"x@{tenant}", "access": "removed", "consent": "granted"}
                batch.set(ref.collection(store.MEMBERS).document("1"), member)
        batch.commit()


def _still_pending(tenants: list[str]) -> list[str]:
    db = store.firestore_client()
    snaps = db.get_all([db.collection(store.TENANTS).document(t) for t in tenants])
    return sorted(s.id for s in snaps if (s.to_dict() or {}).get("revocationsPending"))


def _ticking() -> Callable[[], float]:
    """A clock that advances one TICK each time the sweep looks at it."""
    start, calls = time.monotonic(), itertools.count()
    return lambda: start + TICK * next(calls)


def test_every_tenant_is_reached_not_just_the_first_page(env: Stack) -> None:
    tenants = [f"t{i:03}.test" for i in range(2 * PAGE + 30)]
    _pending(tenants)
    run_sweep(env.runtime, budget_seconds=120)
    assert _still_pending(tenants) == []


def test_tenants_that_keep_failing_cannot_starve_the_others(env: Stack) -> None:
    def refused(sub: str, *, reason: str) -> None:
        raise UpstreamError("revoke endpoint down")

    env.grants.disconnect = refused  # type: ignore[method-assign]
    stuck = [f"a{i:02}.test" for i in range(20)]  # first in every order, and still pending afterwards
    waiting = [f"b{i:02}.test" for i in range(10)]
    _pending(stuck, stuck=True)
    _pending(waiting)

    budget = 15 * TICK  # room for about a dozen tenants per sweep: fewer than the stuck ones
    reports = []
    for _ in range(4):
        reports.append(run_sweep(env.runtime, budget_seconds=budget, clock=_ticking()))
        if not _still_pending(waiting):
            break
    assert reports[0].out_of_time
    assert _still_pending(waiting) == []  # each sweep went on where the last one stopped
    assert _still_pending(stuck) == stuck
    assert len(reports) <= 3
