"""The `install` function over HTTP: signed add-on events, admin cards and JSON, refusals, the sweep."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from mail2task.addon import request as addon_request
from mail2task.entrypoints.install import install
from mail2task.identity import Identity
from mail2task.local.devkey import system_claims
from mail2task.tenancy import edge, policy
from mail2task.tenancy.scopes import ADMIN_SCOPES, GMAIL_SEND, OPENID
from tests.emulator.tenancy.harness import Stack, connect_scopes, stack
from tests.support.addon_requests import (
    ADDON_URL,
    INSTALL_URL,
    AddonClient,
    User,
    addon_env,
    build_request,
    card_of,
    certs_server,
    notification_of,
)

SWEEPER = "scheduler@demo-mail2task.iam.gserviceaccount.com"


@dataclass
class Http:
    env: Stack
    client: AddonClient

    def post(
        self,
        who: Identity,
        action: str,
        *,
        form: dict[str, list[str]] | None = None,
        as_json: bool = False,
        **params: str,
    ) -> tuple[int, dict[str, Any]]:
        user = User(who.sub, who.email, who.hd, who.name or "")
        body = self.client.event(user, parameters={"action": action, **params}, form=form)
        url = INSTALL_URL + ("?format=json" if as_json else "")
        request = build_request(
            url, body, {"Authorization": f"Bearer {self.client.system_token(INSTALL_URL)}"}
        )
        payload, status, _ = edge.serve(request, runtime=self.env.runtime)
        return status, json.loads(payload)


@pytest.fixture
def http(monkeypatch: pytest.MonkeyPatch) -> Iterator[Http]:
    client = AddonClient()
    with stack(sweep_service_account=SWEEPER) as env, certs_server(client.signer) as certs:
        for name, value in addon_env(certs.url, env.gmail.endpoint).items():
            monkeypatch.setenv(name, value)
        addon_request.key_cache.cache_clear()
        yield Http(env, client)
        addon_request.key_cache.cache_clear()


def test_admin_sets_up_access_from_the_add_on(http: Http) -> None:
    env = http.env
    ada = env.install_with_admin()
    bob = env.person("bob@acme.test", "Bob Builder")

    status, home = http.post(ada, "admin.home", open="1")
    assert status == 200
    assert card_of(home)["name"] == "admin-home"

    _, saved = http.post(ada, "admin.mode", form={"mode": ["specific_users"]})
    assert notification_of(saved) == "Access mode saved."
    assert env.tenant_doc("acme.test")["policy"]["mode"] == "specific_users"

    _, found = http.post(ada, "admin.search", form={"q": ["bob"]})
    directory = card_of(found)
    items = directory["sections"][1]["widgets"][0]["selectionInput"]["items"]
    assert [(i["value"], i["selected"]) for i in items] == [(bob.sub, False)]

    _, added = http.post(ada, "admin.add", form={"people": [bob.sub], "notify": ["yes"], "q": ["bob"]})
    assert notification_of(added) == "Added 1. 1 invited by email."
    assert len(env.gmail.sent) == 1
    assert env.admit(bob).reason == "consent_needed"

    status, listed = http.post(ada, "admin.members", as_json=True)
    assert status == 200
    states = {m["email"]: m["state"] for m in listed["result"]["members"]}
    assert states == {"ada@acme.test": "authorized", "bob@acme.test": "pending"}

    _, removed = http.post(ada, "admin.remove", sub=bob.sub)
    assert "Removed bob@acme.test" in (notification_of(removed) or "")
    assert card_of(removed)["name"] == "admin-member"
    assert env.member_doc("acme.test", bob.sub)["access"] == "removed"


def test_non_admins_are_refused_and_audited(http: Http) -> None:
    env = http.env
    ada = env.install_with_admin()
    policy.set_mode(env.ctx(ada), "all_users")
    bob = env.person("bob@acme.test", "Bob Builder")
    env.connect(bob)
    status, answer = http.post(bob, "admin.remove", sub=ada.sub)
    assert status == 200
    assert card_of(answer)["header"]["title"] == "Not allowed"
    status, answer = http.post(bob, "admin.mode", as_json=True, form={"mode": ["all_users"]})
    assert (status, answer["error"]["code"]) == (403, "not_app_admin")
    policy.set_mode(env.ctx(ada), "only_me")
    status, answer = http.post(bob, "admin.home")  # not even admitted: sees why, still audited
    assert card_of(answer)["name"] == "access-denied"
    rejected = [
        (e["action"], e["actor"]["sub"]) for e in env.audit("acme.test") if e["outcome"] == "rejected"
    ]
    assert sorted(rejected) == sorted(
        [("admin.remove", bob.sub), ("admin.mode", bob.sub), ("admin.home", bob.sub)]
    )
    assert env.member_doc("acme.test", ada.sub)["access"] == "allowed"


def test_ids_of_another_tenant_are_refused(http: Http) -> None:
    env = http.env
    ada = env.install_with_admin()
    gina = env.install_with_admin("gina@globex.test", "Gina Globex")
    status, answer = http.post(ada, "admin.remove", as_json=True, sub=gina.sub)
    assert (status, answer["error"]["code"]) == (403, "outside_tenant")
    status, answer = http.post(ada, "admin.add", as_json=True, form={"people": [gina.sub]})
    assert (status, answer["error"]["code"]) == (403, "outside_tenant")
    _, member = http.post(ada, "admin.member", sub=gina.sub)
    assert notification_of(member) == "That person is not part of your organization's list."
    assert env.member_doc("globex.test", gina.sub)["role"] == "admin"


def test_admin_without_directory_consent_is_asked_to_connect(http: Http) -> None:
    env = http.env
    ada = env.install_with_admin()
    env.grants.granted[ada.sub] = frozenset({OPENID, GMAIL_SEND})
    _, answer = http.post(ada, "admin.search", form={"q": ["b"]})
    assert card_of(answer)["name"] == "access-connect"
    assert connect_scopes(card_of(answer)) == ADMIN_SCOPES  # asked for on click, from the `oauth` function


def test_bad_requests(http: Http) -> None:
    ada = http.env.install_with_admin()
    status, _ = http.post(ada, "admin.drop_database", as_json=True)
    assert status == 400
    status, answer = http.post(ada, "admin.add", form={"people": []})
    assert status == 200
    assert notification_of(answer) == "choose at least one person"
    # a token Google signed for another function is not accepted here
    user = User(ada.sub, ada.email, ada.hd, "")
    request = build_request(INSTALL_URL, http.client.event(user, parameters={"action": "admin.home"}),
                            {"Authorization": f"Bearer {http.client.system_token(ADDON_URL)}"})  # fmt: skip
    _, status, _ = install(request)
    assert status == 401


def test_sweep_needs_the_scheduler_token(http: Http, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWEEP_SERVICE_ACCOUNT", SWEEPER)
    monkeypatch.setenv("MARKETPLACE_APP_ID", "")
    url = INSTALL_URL + "?job=sweep"
    for bearer in (
        "",
        http.client.system_token(url),
        http.client.signer.mint(system_claims(ADDON_URL, SWEEPER)),
    ):
        _, status, _ = install(build_request(url, b"{}", {"Authorization": f"Bearer {bearer}"}))
        assert status == 401
    good = http.client.signer.mint(system_claims(url, SWEEPER))
    payload, status, _ = install(build_request(url, b"{}", {"Authorization": f"Bearer {good}"}))
    assert status == 200
    assert json.loads(payload)["errors"] == 0
