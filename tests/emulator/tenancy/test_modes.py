"""Each access mode, switching modes, and what people outside the policy see."""

from __future__ import annotations

import json

from mail2task.tenancy import admission, people, policy
from tests.emulator.tenancy.harness import Stack


def test_only_me(env: Stack) -> None:
    ada = env.install_with_admin()
    bob = env.person("bob@acme.test", "Bob Builder")
    env.connect(bob)
    assert env.admit(bob).reason == admission.NOT_ALLOWED
    assert env.admit(ada).allowed


def test_all_users(env: Stack) -> None:
    ada = env.install_with_admin()
    assert policy.set_mode(env.ctx(ada), "all_users")
    bob = env.person("bob@acme.test", "Bob Builder")
    assert env.admit(bob).reason == admission.CONSENT_NEEDED
    assert env.connect(bob).allowed
    assert [e["details"] for e in env.audit("acme.test") if e["action"] == "policy.mode"] == [
        {"from": "only_me", "to": "all_users"}
    ]


def test_specific_users(env: Stack) -> None:
    ada = env.install_with_admin()
    assert policy.set_mode(env.ctx(ada), "specific_users")
    bob = env.person("bob@acme.test", "Bob Builder")
    carol = env.person("carol@acme.test", "Carol Chosen")
    people.add_people(env.ctx(ada), [carol.sub], env.runtime, notify=False)
    assert env.member_doc("acme.test", carol.sub)["access"] == "allowed"
    assert env.admit(carol).reason == admission.CONSENT_NEEDED  # added, still has to consent
    assert env.connect(carol).allowed
    denied = env.admit(bob)
    assert denied.reason == admission.NOT_ALLOWED
    text = json.dumps(denied.card)
    assert "Ada Lindqvist" in text
    assert "Manage access" in text  # how to ask for access


def test_narrowing_the_mode_revokes_tokens_of_people_who_lost_access(env: Stack) -> None:
    ada = env.install_with_admin()
    policy.set_mode(env.ctx(ada), "all_users")
    bob = env.person("bob@acme.test", "Bob Builder")
    carol = env.person("carol@acme.test", "Carol Chosen")
    env.connect(bob)
    env.connect(carol)
    people.add_people(env.ctx(ada), [carol.sub], env.runtime, notify=False)
    assert policy.set_mode(env.ctx(ada), "specific_users")
    assert env.tenant_doc("acme.test")["revocationsPending"] is True

    from mail2task.tenancy.sweep import run_sweep

    report = run_sweep(env.runtime, budget_seconds=30)
    assert report.revoked == 1
    assert [sub for sub, _ in env.grants.disconnected] == [bob.sub]
    assert env.member_doc("acme.test", bob.sub)["consent"] == "revoked"
    assert env.admit(carol).allowed
    assert env.admit(bob).reason == admission.NOT_ALLOWED
    assert env.tenant_doc("acme.test")["revocationsPending"] is False


def test_unchanged_mode_is_not_a_change(env: Stack) -> None:
    ada = env.install_with_admin()
    assert not policy.set_mode(env.ctx(ada), "only_me")
    assert [e["action"] for e in env.audit("acme.test")] == ["admin.claimed"]
