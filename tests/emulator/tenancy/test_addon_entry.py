"""Through the `addon` function: admission gates every trigger, and app admins get "Manage access"."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest

from mail2task import store
from mail2task.addon import request as addon_request
from tests.support.addon_requests import INSTALL_URL, AddonClient, User, addon_env, card_of, certs_server

ADA = User("100000000000000000001", "ada@acme.test", "acme.test", "Ada Lindqvist")
BEN = User("100000000000000000002", "ben@acme.test", "acme.test", "Ben Carter")


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[AddonClient]:
    addon = AddonClient()
    with certs_server(addon.signer) as certs:
        for name, value in addon_env(certs.url).items():
            monkeypatch.setenv(name, value)
        addon_request.key_cache.cache_clear()
        yield addon
        addon_request.key_cache.cache_clear()


def _tenant(mode: str) -> None:
    """A private deployment (no Marketplace listing) whose app admin Ada has connected."""
    now = dt.datetime.now(dt.UTC)
    tenant = store.firestore_client().collection(store.TENANTS).document("acme.test")
    tenant.set({"domain": "acme.test", "status": "active", "policy": {"mode": mode},
                "admins": [{"sub": ADA.sub, "email": ADA.email, "name": ADA.name}]})  # fmt: skip
    tenant.collection(store.MEMBERS).document(ADA.sub).set({
        "sub": ADA.sub, "email": ADA.email, "name": ADA.name, "role": "admin", "access": "allowed",
        "consent": "granted", "firstSeen": now, "lastSeen": now,
    })  # fmt: skip


def _buttons(card: dict[str, object]) -> list[dict[str, object]]:
    text = json.dumps(card)
    found = []
    for section in card["sections"]:  # type: ignore[attr-defined]
        for widget in section["widgets"]:
            found += widget.get("buttonList", {}).get("buttons", [])
    assert text
    return found


def test_app_admin_homepage_offers_manage_access(client: AddonClient) -> None:
    _tenant("only_me")
    status, response = client.homepage(ADA)
    assert status == 200
    manage = [b for b in _buttons(card_of(response)) if b["text"] == "Manage access"]
    assert len(manage) == 1
    assert manage[0]["onClick"]["action"]["function"] == INSTALL_URL  # type: ignore[index]


def test_people_outside_the_policy_see_who_to_ask(client: AddonClient) -> None:
    _tenant("only_me")
    status, response = client.homepage(BEN)
    assert status == 200
    card = card_of(response)
    assert card["name"] == "access-denied"
    assert "ada@acme.test" in json.dumps(card)
    assert "Manage access" not in [b["text"] for b in _buttons(card)]
