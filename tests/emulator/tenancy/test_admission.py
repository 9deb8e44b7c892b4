"""Admission end to end: first use, license, first admin, policy, consent, and the card for each answer."""

from __future__ import annotations

import json
import logging

import pytest

from mail2task import store
from mail2task.identity import Identity
from mail2task.tenancy import admission
from mail2task.tenancy.scopes import ADMIN_SCOPES, MEMBER_SCOPES
from tests.emulator.tenancy.harness import Stack, connect_scopes


def test_consumer_accounts_get_the_workspace_only_card(env: Stack) -> None:
    result = env.admit(Identity(sub="9", email="someone@gmail.com"))
    assert (result.allowed, result.reason) == (False, admission.CONSUMER)
    assert result.card is not None
    assert "Google Workspace" in json.dumps(result.card)
    assert not list(store.firestore_client().collection(store.TENANTS).stream())


def test_first_use_registers_tenant_member_and_user(env: Stack) -> None:
    env.licensing.license_domain("acme.test")
    bob = env.person("bob@acme.test", "Bob Builder")
    first = env.admit(bob)
    assert first.first_use
    assert env.tenant_doc("acme.test")["license"]["kind"] == "domain"
    member = env.member_doc("acme.test", bob.sub)
    assert (member["email"], member["role"], member["access"], member["firstSeen"]) == (
        "bob@acme.test", "member", "none", env.clock())  # fmt: skip
    user = store.firestore_client().collection(store.USERS).document(bob.sub).get().to_dict()
    assert user == {"email": "bob@acme.test", "tenant": "acme.test", "firstSeen": env.clock()}
    assert not env.admit(bob).first_use


def test_first_workspace_admin_becomes_app_admin(env: Stack) -> None:
    env.licensing.license_domain("acme.test")
    ada = env.person("ada@acme.test", "Ada Lindqvist", admin=True)
    bob = env.person("bob@acme.test", "Bob Builder")

    # bob comes first: not an admin; he is asked to connect only if he might be one
    first = env.admit(bob)
    assert first.reason == admission.SETUP_NEEDED
    assert connect_scopes(first.card) == ADMIN_SCOPES
    env.grants.complete_consent(bob, ADMIN_SCOPES)
    still = env.admit(bob)
    assert still.reason == admission.SETUP_NEEDED
    assert "Ask one of them" in json.dumps(still.card)  # the directory said: not an admin
    assert connect_scopes(still.card) is None
    assert env.tenant_doc("acme.test")["admins"] == []

    setup = env.admit(ada)
    assert setup.reason == admission.SETUP_NEEDED
    assert connect_scopes(setup.card) == ADMIN_SCOPES
    env.grants.complete_consent(ada, ADMIN_SCOPES)
    admitted = env.admit(ada)
    assert admitted.allowed
    assert admitted.is_admin
    assert env.tenant_doc("acme.test")["admins"] == [
        {"sub": ada.sub, "email": "ada@acme.test", "name": "Ada Lindqvist"}
    ]
    assert env.tenant_doc("acme.test")["policy"]["mode"] == "only_me"
    assert [e["action"] for e in env.audit("acme.test")] == ["admin.claimed"]

    denied = env.admit(bob)
    assert denied.reason == admission.NOT_ALLOWED
    assert denied.admin_contact is not None
    assert denied.admin_contact.email == "ada@acme.test"
    assert "ada@acme.test" in json.dumps(denied.card)


def test_allowed_people_are_pending_until_they_consent(env: Stack) -> None:
    ada = env.install_with_admin()
    env.tenant_ref("acme.test").update({"policy.mode": "all_users"})
    bob = env.person("bob@acme.test", "Bob Builder")
    pending = env.admit(bob)
    assert pending.reason == admission.CONSENT_NEEDED
    assert connect_scopes(pending.card) == MEMBER_SCOPES
    assert "Connect" in json.dumps(pending.card)
    assert env.connect(bob).allowed
    # a grant that stopped working: the oauth part marks needs_reconnect
    env.member_ref("acme.test", bob.sub).set({"consent": "needs_reconnect"}, merge=True)
    again = env.admit(bob)
    assert again.reason == admission.NEEDS_RECONNECT
    assert "Reconnect" in json.dumps(again.card)
    assert connect_scopes(again.card) == MEMBER_SCOPES
    assert not list(store.firestore_client().collection(store.OAUTH_STATES).stream())  # none until a click
    assert env.admit(ada).allowed


def test_individual_install_needs_no_admin(env: Stack) -> None:
    cy = env.person("cy@solo.test", "Cy Solo")
    env.licensing.license_user("cy@solo.test")
    assert env.admit(cy).reason == admission.CONSENT_NEEDED
    result = env.connect(cy)
    assert result.allowed
    assert result.license_kind == "individual"
    dee = env.person("dee@solo.test", "Dee Solo")
    assert env.admit(dee).reason == admission.UNLICENSED


def test_unlicensed_gets_one_clear_card_and_nothing_else(env: Stack) -> None:
    bob = env.person("bob@nolicense.test", "Bob")
    result = env.admit(bob)
    assert (result.allowed, result.reason) == (False, admission.UNLICENSED)
    assert "not installed" in json.dumps(result.card)
    assert connect_scopes(result.card) is None  # no way to connect


def test_license_is_cached_and_last_seen_written_at_most_once_per_interval(env: Stack) -> None:
    ada = env.install_with_admin()
    calls = len(env.licensing.calls)
    before = env.member_ref("acme.test", ada.sub).get().update_time
    for _ in range(5):
        env.clock.advance(seconds=60)
        assert env.admit(ada).allowed
    assert len(env.licensing.calls) == calls  # within LICENSE_CACHE_SECONDS
    assert env.member_ref("acme.test", ada.sub).get().update_time == before  # lastSeen interval not reached
    env.clock.advance(seconds=env.runtime.settings.last_seen_interval_seconds)
    env.admit(ada)
    assert env.member_doc("acme.test", ada.sub)["lastSeen"] == env.clock()


def test_licensing_outage_never_locks_out_a_licensed_tenant(
    env: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    ada = env.install_with_admin()
    env.licensing.outage = True
    env.clock.advance(seconds=env.runtime.settings.license_cache_seconds + 1)
    with caplog.at_level(logging.WARNING):
        assert env.admit(ada).allowed
    assert "license check of tenant acme.test failed" in caplog.text
    assert env.tenant_doc("acme.test")["license"]["state"] == "ACTIVE"
    assert env.tenant_doc("acme.test")["license"]["failedAt"] == env.clock()


def test_an_individual_license_ending_revokes_that_users_tokens(env: Stack) -> None:
    cy = env.person("cy@solo.test", "Cy Solo")
    env.licensing.license_user("cy@solo.test")
    assert env.connect(cy).allowed
    env.licensing.license_user("cy@solo.test", "EXPIRED")
    env.clock.advance(seconds=env.runtime.settings.license_cache_seconds + 1)
    assert env.admit(cy).reason == admission.UNLICENSED
    assert env.grants.disconnected == [(cy.sub, "license_ended")]
    assert env.member_doc("solo.test", cy.sub)["license"]["state"] == "EXPIRED"


def test_steady_state_costs_one_firestore_round_trip(env: Stack) -> None:
    ada = env.install_with_admin()
    env.clock.advance(seconds=60)
    assert env.admit(ada).allowed  # warm: license cached, lastSeen fresh
    api = store.firestore_client()._firestore_api
    calls: list[str] = []
    for name in ("batch_get_documents", "run_query", "commit", "begin_transaction", "batch_write"):
        original = getattr(api, name)

        def counting(
            *args: object, _name: str = name, _original: object = original, **kwargs: object
        ) -> object:
            calls.append(_name)
            return _original(*args, **kwargs)  # type: ignore[operator]

        setattr(api, name, counting)
    try:
        assert env.admit(ada).allowed
    finally:
        for name in ("batch_get_documents", "run_query", "commit", "begin_transaction", "batch_write"):
            delattr(api, name)
    assert calls == ["batch_get_documents"]
