"""Uninstall (license lost): tokens revoked, data kept for the retention period; reinstall restores it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from google.cloud.firestore_v1 import FieldFilter

from mail2task import store
from mail2task.tenancy import admission, people, policy
from mail2task.tenancy.sweep import run_sweep
from tests.emulator.tenancy.harness import Stack, stack


@pytest.fixture
def env() -> Iterator[Stack]:
    with stack(retention_days=7) as running:
        yield running


def _seed_tasks(tenant: str, count: int) -> None:
    root = store.firestore_client().collection(store.TENANTS).document(tenant)
    for i in range(count):
        task = root.collection(store.TASKS).document(f"t{i}")
        task.set({"title": f"Task {i}"})
        task.collection(store.COMMENTS).document("c1").set({"text": "a comment"})
        root.collection(store.THREADS).document(f"th{i}").set({"taskId": f"t{i}"})


def _expiries(tenant: str) -> dict[str, Any]:
    db = store.firestore_client()
    root = db.collection(store.TENANTS).document(tenant)
    docs = list(root.collection(store.TASKS).recursive().stream()) + list(
        root.collection(store.THREADS).stream()
    )
    docs += list(root.collection(store.MEMBERS).stream()) + list(root.collection("audit").stream())
    docs += list(db.collection(store.USERS).where(filter=FieldFilter("tenant", "==", tenant)).stream())
    return {d.reference.path: (d.to_dict() or {}).get("expiresAt") for d in docs}


def test_license_lost_and_regained(env: Stack) -> None:
    ada = env.install_with_admin()
    policy.set_mode(env.ctx(ada), "all_users")
    bob = env.person("bob@acme.test", "Bob Builder")
    env.connect(bob)
    _seed_tasks("acme.test", 3)
    other = env.install_with_admin("gina@globex.test", "Gina Globex")
    _seed_tasks("globex.test", 1)

    # the admin removes the app in the Admin console; no callback comes. The sweep notices.
    env.licensing.license_domain("acme.test", "UNLICENSED")
    env.clock.advance(seconds=env.runtime.settings.license_cache_seconds + 1)
    report = run_sweep(env.runtime, budget_seconds=60)
    assert report.uninstalled == ["acme.test"]
    tenant = env.tenant_doc("acme.test")
    retain_until = env.clock() + dt.timedelta(days=7)
    assert (tenant["status"], tenant["retainUntil"]) == ("uninstalled", retain_until)
    assert tenant["offboarding"]["phase"] == "offboarded"
    assert sorted(sub for sub, reason in env.grants.disconnected if reason == "uninstalled") == sorted(
        [ada.sub, bob.sub]
    )
    expiries = _expiries("acme.test")
    assert len(expiries) == 3 + 3 + 3 + 2 + len(env.audit("acme.test")) + 2  # tasks, comments, threads, ...
    assert set(expiries.values()) == {retain_until}
    assert set(_expiries("globex.test").values()) == {None}  # the other tenant is untouched
    assert env.admit(other).allowed

    gone = env.admit(bob)
    assert gone.reason == admission.UNINSTALLED_REASON
    assert "uninstalled" in json.dumps(gone.card)

    # reinstalled within the retention period: access and data come back
    env.licensing.license_domain("acme.test", "ACTIVE")
    env.clock.advance(days=2)
    back = env.admit(ada)
    assert back.reason == admission.NEEDS_RECONNECT  # the old grant was revoked: reconnect
    assert env.tenant_doc("acme.test")["status"] == "active"
    run_sweep(env.runtime, budget_seconds=60)
    assert set(_expiries("acme.test").values()) == {None}
    assert env.tenant_doc("acme.test")["offboarding"]["phase"] == "restored"
    env.grants.complete_consent(ada, ("openid",))
    assert env.admit(ada).allowed
    assert store.firestore_client().document("tenants/acme.test/tasks/t2").get().exists
    actions = sorted(e["action"] for e in env.audit("acme.test"))
    assert "tenant.uninstalled" in actions
    assert "tenant.reinstalled" in actions


def test_uninstall_noticed_on_a_request_and_resumed_by_pages(env: Stack) -> None:
    ada = env.install_with_admin()
    policy.set_mode(env.ctx(ada), "all_users")
    _seed_tasks("acme.test", 5)
    env.licensing.license_domain("acme.test", "UNLICENSED")
    env.clock.advance(seconds=env.runtime.settings.license_cache_seconds + 1)
    assert env.admit(ada).reason == admission.UNINSTALLED_REASON
    assert env.tenant_doc("acme.test")["offboarding"] == {
        "phase": "offboard", "step": 0, "cursor": None, "startedAt": env.clock()
    }  # fmt: skip

    from mail2task.tenancy import offboarding

    ticks = iter(range(1000))
    partial = offboarding.run(
        "acme.test", env.runtime, deadline=2, clock=lambda: next(ticks)
    )  # two steps only
    assert not partial.done
    finished = offboarding.run("acme.test", env.runtime, deadline=10**9)
    assert finished.done
    assert None not in set(_expiries("acme.test").values())


def test_removed_person_with_failing_revocation_is_retried_by_the_sweep(env: Stack) -> None:
    ada = env.install_with_admin()
    policy.set_mode(env.ctx(ada), "all_users")
    bob = env.person("bob@acme.test", "Bob Builder")
    env.connect(bob)
    from mail2task.errors import UpstreamError

    original = env.grants.disconnect

    def failing(sub: str, *, reason: str) -> None:
        raise UpstreamError("revoke endpoint down")

    env.grants.disconnect = failing  # type: ignore[method-assign]
    people.remove_person(env.ctx(ada), bob.sub, env.runtime)
    assert env.member_doc("acme.test", bob.sub)["revocation"] == "pending"
    assert env.admit(bob).reason == admission.NOT_ALLOWED  # access is gone at once
    env.grants.disconnect = original  # type: ignore[method-assign]
    assert run_sweep(env.runtime, budget_seconds=30).revoked == 1
    assert env.member_doc("acme.test", bob.sub)["revocation"] == "done"
    assert env.grants.disconnected == [(bob.sub, "access_removed")]


def test_reinstalled_after_the_retention_period_nothing_old_comes_back(env: Stack) -> None:
    from mail2task.tenancy import admins
    from mail2task.tenancy.scopes import ADMIN_SCOPES

    db = store.firestore_client()
    ada = env.install_with_admin()
    policy.set_mode(env.ctx(ada), "all_users")
    bob = env.person("bob@acme.test", "Bob Builder")
    env.connect(bob)
    admins.name_admin(env.ctx(ada), bob.sub)
    _seed_tasks("acme.test", 3)
    env.licensing.license_domain("acme.test", "UNLICENSED")
    env.clock.advance(seconds=env.runtime.settings.license_cache_seconds + 1)
    assert run_sweep(env.runtime, budget_seconds=60).uninstalled == ["acme.test"]

    # the retention period ends; Firestore's TTL has not deleted anything yet (it may lag a day)
    env.clock.advance(days=8)
    env.licensing.license_domain("acme.test", "ACTIVE")
    back = env.admit(bob)  # an old app admin is first back: no role, no old access, a new member
    assert back.reason == admission.SETUP_NEEDED
    assert not back.member_is_admin
    fresh = env.member_doc("acme.test", bob.sub)
    assert (fresh["role"], fresh["access"], fresh["consent"]) == ("member", "none", "none")
    assert "expiresAt" not in fresh
    tenant = env.tenant_doc("acme.test")
    assert (tenant["admins"], tenant["offboarding"]["phase"]) == ([], "purge")
    db.document("tenants/acme.test/tasks/after").set({"title": "made after the reinstall"})

    # the sweep deletes the leftovers (it would have restored them before)
    report = run_sweep(env.runtime, budget_seconds=60)
    assert "acme.test:purge:done" in report.offboarding
    assert env.tenant_doc("acme.test")["offboarding"]["phase"] == "purged"
    assert not db.document("tenants/acme.test/tasks/t0").get().exists
    assert not db.document("tenants/acme.test/tasks/t0/comments/c1").get().exists
    assert not db.document("tenants/acme.test/threads/th0").get().exists
    assert not db.document(f"tenants/acme.test/members/{ada.sub}").get().exists
    assert not db.document(f"users/{ada.sub}").get().exists
    assert set(_expiries("acme.test").values()) == {None}  # whatever is left is new
    assert db.document("tenants/acme.test/tasks/after").get().exists
    assert db.document(f"tenants/acme.test/members/{bob.sub}").get().exists
    assert db.document(f"users/{bob.sub}").get().exists

    # a Workspace admin claims the tenant: the old admins are nobody special
    cy = env.person("cy@acme.test", "Cy Example", admin=True)
    env.admit(cy)
    env.grants.complete_consent(cy, ADMIN_SCOPES)
    assert env.admit(cy).is_admin
    env.grants.complete_consent(bob, ADMIN_SCOPES)
    again = env.admit(bob)
    assert (again.reason, again.member_is_admin) == (admission.NOT_ALLOWED, False)  # "only me" again
    assert not env.admit(ada).member_is_admin
