"""The homepage's "Disconnect my Google account" button, clicked through to the `oauth` function."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mail2task.entrypoints.oauth import oauth
from mail2task.local.oauth_standin import OAuthStandIn
from mail2task.local.oauth_standin import User as GoogleUser
from mail2task.oauth.status import consent_status
from tests.support.addon_requests import (
    OAUTH_URL,
    AddonClient,
    User,
    addon_env,
    build_request,
    card_of,
    notification_of,
    seed_member,
    widgets_of,
)
from tests.support.oauth_env import TENANT, Clock, seed_grant
from tests.support.oauth_logscan import REGISTRY

pytestmark = pytest.mark.usefixtures("oauth_env")
ANN = User("1001", "ann@example.com", TENANT, "Ann Example")
DISCONNECT = "Disconnect my Google account"


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch, standin: OAuthStandIn) -> AddonClient:
    for name, value in addon_env(standin.certs_url).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("APP_NAME", "Fjord Tasks")
    standin.users[ANN.email] = GoogleUser(ANN.sub, ANN.email, ANN.hd)
    return AddonClient(signer=standin.signer)


def _buttons(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["text"]: b for w in widgets_of(card) for b in w.get("buttonList", {}).get("buttons", [])}


def _click(client: AddonClient, button: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """What Gmail does with a card action: post the event, signed for the action's function URL."""
    action = button["onClick"]["action"]
    parameters = {p["key"]: p["value"] for p in action["parameters"]}
    body = client.event(ANN, parameters=parameters)
    token = client.system_token(action["function"])
    REGISTRY.add(token, body["authorizationEventObject"]["userIdToken"])
    payload, status, _ = oauth(build_request(action["function"], body, {"Authorization": f"Bearer {token}"}))
    return status, json.loads(payload)


def test_a_connected_user_disconnects_from_the_homepage(
    firestore: Any, standin: OAuthStandIn, client: AddonClient
) -> None:
    seed_member(ANN)
    refresh_token = seed_grant(firestore, standin, ANN.sub, Clock()())
    status, body = client.homepage(ANN)
    assert status == 200
    button = _buttons(card_of(body))[DISCONNECT]
    assert button["onClick"]["action"]["function"] == OAUTH_URL

    status, body = _click(client, button)
    assert status == 200
    assert notification_of(body) == "Fjord Tasks is disconnected from your Google account."
    assert consent_status(ANN.sub) == "revoked"
    assert standin.is_revoked(refresh_token)

    card = card_of(client.homepage(ANN)[1])  # back to the connect card, which offers no disconnect
    assert card["name"] == "access-connect"
    assert DISCONNECT not in _buttons(card)
