"""Tenancy with the real oauth part (vault, consent start, disconnect) against the OAuth stand-in.

The access cards carry no consent link: their Connect button is an ``openDynamicLinkAction`` that the
`oauth` function answers, so a one-time consent start is written only when someone clicks it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest

from mail2task import store
from mail2task.addon import request as addon_request
from mail2task.config import TenancySettings
from mail2task.entrypoints.oauth import oauth
from mail2task.identity import Identity
from mail2task.local.oauth_standin import OAuthStandIn, User
from mail2task.tenancy import admission, people
from mail2task.tenancy.admission import admit
from mail2task.tenancy.authz import require_admin
from mail2task.tenancy.runtime import OAuthGrants, TenancyRuntime
from mail2task.tenancy.scopes import ADMIN_SCOPES, DIRECTORY_READONLY, MEMBER_SCOPES
from tests.support import addon_requests
from tests.support.addon_requests import AddonClient, addon_env, build_request, card_of
from tests.support.oauth_env import app_client, consent_redirect, query_of, seed_grant, stored_secrets
from tests.support.oauth_fixtures import oauth_env, signer, standin, token_key

__all__ = ["oauth_env", "signer", "standin", "token_key"]  # fixtures used below

TENANT = "example.com"
ADA = Identity(sub="1001", email="ada@example.com", hd=TENANT, name="Ada Admin")
BOB = Identity(sub="1002", email="bob@example.com", hd=TENANT, name="Bob Builder")
DIRECTORY = DIRECTORY_READONLY


def _tenant(db: Any, now: dt.datetime) -> None:
    tenant = db.collection(store.TENANTS).document(TENANT)
    tenant.set({"domain": TENANT, "status": "active", "policy": {"mode": "all_users"},
                "admins": [{"sub": ADA.sub, "email": ADA.email, "name": "Ada Admin"}]})  # fmt: skip
    for who, role, access in ((ADA, "admin", "allowed"), (BOB, "member", "none")):
        tenant.collection(store.MEMBERS).document(who.sub).set({
            "sub": who.sub, "email": who.email, "name": who.name, "role": role, "access": access,
            "consent": "none", "firstSeen": now, "lastSeen": now,
        })  # fmt: skip


@pytest.fixture
def gmail(monkeypatch: pytest.MonkeyPatch, oauth_env: OAuthStandIn) -> Iterator[AddonClient]:
    """Gmail's side: signed add-on events (the stand-in's key), the functions' URLs in the environment."""
    for name, value in addon_env(oauth_env.certs_url).items():
        monkeypatch.setenv(name, value)
    for who in (ADA, BOB):
        oauth_env.users[who.email] = User(who.sub, who.email, who.hd)
    addon_request.key_cache.cache_clear()
    yield AddonClient(signer=oauth_env.signer)
    addon_request.key_cache.cache_clear()


def _user(who: Identity) -> addon_requests.User:
    return addon_requests.User(who.sub, who.email, who.hd, who.name or "")


def _connect_action(card: dict[str, Any]) -> dict[str, Any]:
    [on_click] = [
        button["onClick"]
        for section in card["sections"]
        for widget in section["widgets"]
        for button in widget.get("buttonList", {}).get("buttons", [])
    ]
    action: dict[str, Any] = on_click["openDynamicLinkAction"]
    return action


def _click(gmail: AddonClient, who: Identity, action: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """What Gmail does with an openDynamicLinkAction: post the action's parameters, signed, to its URL."""
    assert action["function"] == addon_requests.OAUTH_URL
    parameters = {p["key"]: p["value"] for p in action["parameters"]}
    body = gmail.event(_user(who), parameters=parameters)
    token = gmail.system_token(action["function"])
    payload, status, _ = oauth(build_request(action["function"], body, {"Authorization": f"Bearer {token}"}))
    return status, json.loads(payload)


def _states(db: Any) -> list[str]:
    return [snapshot.id for snapshot in db.collection(store.OAUTH_STATES).stream()]


def test_showing_the_connect_card_starts_no_consent_until_connect_is_clicked(gmail: AddonClient) -> None:
    db = store.firestore_client()
    _tenant(db, dt.datetime.now(dt.UTC).replace(microsecond=0))

    # bob may use the app but has not connected: the `addon` function shows him the connect card, as
    # often as Gmail renders it, and not one consent start is written for that
    for _ in range(5):
        status, response = gmail.homepage(_user(BOB))
        assert status == 200
        assert card_of(response)["name"] == "access-connect"
    assert _states(db) == []
    connect = _connect_action(card_of(response))
    assert connect["parameters"] == [
        {"key": "action", "value": "connect"},
        {"key": "scopes", "value": " ".join(MEMBER_SCOPES)},
    ]

    # clicking Connect: the `oauth` function starts exactly one consent and answers with its link
    status, answer = _click(gmail, BOB, connect)
    assert status == 200
    link = answer["renderActions"]["action"]["link"]
    assert (link["openAs"], link["onClose"]) == ("OVERLAY", "RELOAD")
    assert len(_states(db)) == 1
    query = query_of(link["url"])
    assert (query["login_hint"], query["access_type"], query["code_challenge_method"]) == (
        BOB.email, "offline", "S256")  # fmt: skip
    assert set(MEMBER_SCOPES) <= set(query["scope"].split())

    # Google's page, its redirect back, then Gmail reloads the add-on: bob is in
    callback = app_client(oauth).get("/", query_string=consent_redirect(link["url"]))
    assert callback.status_code == 200
    assert _states(db) == []  # used up
    status, response = gmail.homepage(_user(BOB))
    assert status == 200
    assert card_of(response)["name"] != "access-connect"
    assert admit(BOB).allowed


def test_removal_and_revocation_go_through_the_oauth_part(oauth_env: OAuthStandIn) -> None:
    db = store.firestore_client()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    _tenant(db, now)
    runtime = TenancyRuntime(
        settings=TenancySettings(profile="local"),
        grants=OAuthGrants(),
        now=lambda: now,
        oauth_url=addon_requests.OAUTH_URL,
    )
    pending = admit(BOB, runtime=runtime)
    assert pending.reason == admission.CONSENT_NEEDED
    assert _connect_action(pending.card or {})["function"] == addon_requests.OAUTH_URL
    assert _states(db) == []

    # both connected (the oauth part stores the grants and marks the members)
    seed_grant(db, oauth_env, ADA.sub, now, tenant=TENANT)
    refresh_token = seed_grant(db, oauth_env, BOB.sub, now, tenant=TENANT)
    assert admit(BOB, runtime=runtime).allowed
    ctx = require_admin(ADA, admit(ADA, runtime=runtime), "people.remove", now)

    people.remove_person(ctx, BOB.sub, runtime)
    assert oauth_env.is_revoked(refresh_token)  # revoked at Google
    assert stored_secrets(db, BOB.sub) is None  # and deleted here
    member = db.document(f"tenants/{TENANT}/members/{BOB.sub}").get().to_dict() or {}
    assert (member["access"], member["consent"], member["revocation"]) == ("removed", "revoked", "done")
    assert admit(BOB, runtime=runtime).reason == admission.NOT_ALLOWED


def _connect_button(scopes: tuple[str, ...]) -> dict[str, Any]:
    """A Connect button as cards carry it (possibly rendered long before it is clicked)."""
    parameters = [{"key": "action", "value": "connect"}, {"key": "scopes", "value": " ".join(scopes)}]
    return {"function": addon_requests.OAUTH_URL, "parameters": parameters}


def _refused(gmail: AddonClient, who: Identity, scopes: tuple[str, ...]) -> dict[str, Any]:
    status, answer = _click(gmail, who, _connect_button(scopes))
    assert status == 200
    assert "link" not in answer["renderActions"]["action"]  # no consent page opens
    assert _states(store.firestore_client()) == []  # and no consent start was written
    return answer


def _member_update(**fields: Any) -> None:
    store.firestore_client().document(f"tenants/{TENANT}/members/{BOB.sub}").update(fields)


def test_an_old_connect_button_does_nothing_for_a_removed_person(gmail: AddonClient) -> None:
    _tenant(store.firestore_client(), dt.datetime.now(dt.UTC).replace(microsecond=0))
    _member_update(access="removed")
    answer = _refused(gmail, BOB, MEMBER_SCOPES)
    action = answer["renderActions"]["action"]
    assert "have access" in action["notification"]["text"]
    assert action["navigations"][0]["updateCard"]["name"] == "access-denied"


def test_a_connect_click_outside_the_policy_starts_nothing(gmail: AddonClient) -> None:
    db = store.firestore_client()
    _tenant(db, dt.datetime.now(dt.UTC).replace(microsecond=0))
    db.document(f"tenants/{TENANT}").update({"policy": {"mode": "specific_users"}})
    _refused(gmail, BOB, MEMBER_SCOPES)
    _member_update(access="allowed")  # added by the admin: now the same click starts a consent
    status, answer = _click(gmail, BOB, _connect_button(MEMBER_SCOPES))
    assert status == 200
    assert "url" in answer["renderActions"]["action"]["link"]
    assert len(_states(db)) == 1


def test_only_app_admins_may_ask_for_the_directory(gmail: AddonClient) -> None:
    db = store.firestore_client()
    _tenant(db, dt.datetime.now(dt.UTC).replace(microsecond=0))
    answer = _refused(gmail, BOB, ADMIN_SCOPES)  # bob may use the app, but is no app admin
    assert "admins" in answer["renderActions"]["action"]["notification"]["text"]
    # a member document still saying "admin" (e.g. from an earlier install) changes nothing
    _member_update(role="admin", access="allowed")
    _refused(gmail, BOB, ADMIN_SCOPES)
    status, answer = _click(gmail, ADA, _connect_button(ADMIN_SCOPES))
    assert status == 200
    assert DIRECTORY in query_of(answer["renderActions"]["action"]["link"]["url"])["scope"].split()


def test_the_would_be_first_admin_may_ask_for_the_directory(gmail: AddonClient) -> None:
    # nobody set the domain up yet: whoever opens the add-on may be its first admin
    status, answer = _click(gmail, BOB, _connect_button(ADMIN_SCOPES))
    assert status == 200
    assert DIRECTORY in query_of(answer["renderActions"]["action"]["link"]["url"])["scope"].split()
