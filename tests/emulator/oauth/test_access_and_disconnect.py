"""credentials_for, consent_status, disconnect, and the add-on actions reaching them."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from mail2task import store
from mail2task.entrypoints.oauth import oauth
from mail2task.errors import ConsentRequired
from mail2task.local.oauth_standin import OAuthStandIn
from mail2task.oauth.access import credentials_for
from mail2task.oauth.disconnect import disconnect
from mail2task.oauth.states import state_key
from mail2task.oauth.status import consent_status
from mail2task.oauth.token_client import TokenEndpointError
from tests.support.addon_requests import OAUTH_URL, AddonClient, User, addon_env, build_request
from tests.support.oauth_env import (
    GMAIL_SEND,
    TENANT,
    Clock,
    app_client,
    consent_redirect,
    query_of,
    runtime,
    seed_grant,
    stored_secrets,
)
from tests.support.oauth_logscan import REGISTRY

pytestmark = pytest.mark.usefixtures("oauth_env")


def member(db: Any, sub: str = "1001") -> dict[str, Any]:
    return db.document(f"tenants/{TENANT}/members/{sub}").get().to_dict() or {}


def test_a_fresh_token_is_served_without_calling_google(firestore: Any, standin: OAuthStandIn) -> None:
    clock = Clock()
    refresh_token = seed_grant(firestore, standin, "1001", clock(), expires_in=dt.timedelta(hours=1))
    credentials = credentials_for("1001", [GMAIL_SEND], runtime=runtime(clock))
    assert credentials.token == stored_secrets(firestore, "1001").access_token
    assert credentials.refresh_token == refresh_token
    assert credentials.valid
    assert standin.refreshes[refresh_token] == 0


@pytest.mark.parametrize(
    "expires_in", [dt.timedelta(minutes=2), dt.timedelta(minutes=-5)], ids=["stale", "expired"]
)
def test_a_stale_or_expired_token_is_refreshed_and_stored(
    firestore: Any, standin: OAuthStandIn, expires_in: dt.timedelta
) -> None:
    clock = Clock()
    refresh_token = seed_grant(firestore, standin, "1001", clock(), expires_in=expires_in)
    credentials = credentials_for("1001", [GMAIL_SEND], runtime=runtime(clock))
    assert credentials.token == standin.access_tokens[refresh_token][-1]
    assert stored_secrets(firestore, "1001").access_token == credentials.token
    doc = firestore.document("tokens/1001").get().to_dict()
    assert doc["accessExpiresAt"] == clock() + dt.timedelta(seconds=3599)


class NoteUseDuringRefresh:
    """A transport that, while the token request is in flight, notes a use of the grant as another
    ``credentials_for`` does (an unguarded ``lastUsedAt`` update), then lets the request through."""

    def __init__(self, db: Any, sub: str, at: dt.datetime) -> None:
        from mail2task.oauth.runtime import shared_transport

        self.db, self.sub, self.at, self.inner = db, sub, at, shared_transport()

    def __call__(self, method: str, url: str, **kwargs: Any) -> Any:
        from mail2task.oauth import repository

        repository.token_ref(self.db, self.sub).update({"lastUsedAt": self.at})
        return self.inner(method, url, **kwargs)


def test_a_refresh_on_demand_survives_a_use_noted_meanwhile(firestore: Any, standin: OAuthStandIn) -> None:
    from mail2task.oauth.runtime import Runtime

    clock = Clock()
    old = seed_grant(firestore, standin, "1001", clock(), expires_in=dt.timedelta(minutes=-5))
    standin.faults.rotate_refresh_tokens = True
    transport = NoteUseDuringRefresh(firestore, "1001", clock() + dt.timedelta(hours=12))
    credentials = credentials_for("1001", [GMAIL_SEND], runtime=Runtime(clock=clock, transport=transport))
    stored = stored_secrets(firestore, "1001")
    assert standin.is_revoked(old)
    assert stored.refresh_token == credentials.refresh_token != old  # Google's new refresh token is kept
    assert not standin.is_revoked(stored.refresh_token)
    assert stored.access_token == credentials.token
    assert firestore.document("tokens/1001").get().get("lastUsedAt") == clock()  # this use, noted with it


def test_a_real_change_during_a_refresh_on_demand_wins(firestore: Any, standin: OAuthStandIn) -> None:
    from mail2task.oauth import repository
    from mail2task.oauth.runtime import Runtime, shared_transport

    clock = Clock()
    seed_grant(firestore, standin, "1001", clock(), expires_in=dt.timedelta(minutes=-5))

    def disconnect_meanwhile(method: str, url: str, **kwargs: Any) -> Any:
        repository.mark_lost(
            firestore, "1001", TENANT, status="revoked", reason="disconnect:user", now=clock()
        )
        return shared_transport()(method, url, **kwargs)

    credentials_for("1001", [GMAIL_SEND], runtime=Runtime(clock=clock, transport=disconnect_meanwhile))
    assert consent_status("1001") == "revoked"
    assert stored_secrets(firestore, "1001") is None


def test_google_down_with_a_stale_token_still_serves_it(firestore: Any, standin: OAuthStandIn) -> None:
    clock = Clock()
    seed_grant(firestore, standin, "1001", clock(), expires_in=dt.timedelta(minutes=2))
    standin.faults.fail_next.append((503, "temporarily_unavailable"))
    assert (
        credentials_for("1001", [GMAIL_SEND], runtime=runtime(clock)).token
        == stored_secrets(firestore, "1001").access_token
    )


def test_google_down_with_an_expired_token_is_a_retryable_error(
    firestore: Any, standin: OAuthStandIn
) -> None:
    clock = Clock()
    seed_grant(firestore, standin, "1001", clock(), expires_in=dt.timedelta(minutes=-1))
    standin.faults.fail_next.append((500, "internal_failure"))
    with pytest.raises(TokenEndpointError) as caught:
        credentials_for("1001", [GMAIL_SEND], runtime=runtime(clock))
    assert caught.value.retryable
    assert consent_status("1001") == "granted"


def test_no_grant_or_too_few_scopes_needs_consent(firestore: Any, standin: OAuthStandIn) -> None:
    with pytest.raises(ConsentRequired):
        credentials_for("1001", [GMAIL_SEND])
    seed_grant(firestore, standin, "1001", Clock()())
    with pytest.raises(ConsentRequired):
        credentials_for("1001", ["https://www.googleapis.com/auth/admin.directory.user.readonly"])


def test_a_dead_grant_found_on_demand_needs_reconnect(firestore: Any, standin: OAuthStandIn) -> None:
    clock = Clock()
    refresh_token = seed_grant(firestore, standin, "1001", clock(), expires_in=dt.timedelta(minutes=-1))
    standin.faults.invalid_grant.add(refresh_token)
    with pytest.raises(ConsentRequired):
        credentials_for("1001", [GMAIL_SEND], runtime=runtime(clock))
    assert consent_status("1001") == "needs_reconnect"
    assert member(firestore)["consent"] == "needs_reconnect"
    assert stored_secrets(firestore, "1001") is None


def test_disconnect_revokes_at_google_and_forgets(firestore: Any, standin: OAuthStandIn) -> None:
    refresh_token = seed_grant(firestore, standin, "1001", Clock()())
    disconnect("1001", reason="user")
    assert standin.is_revoked(refresh_token)
    doc = firestore.document("tokens/1001").get().to_dict()
    assert doc["status"] == "revoked"
    assert doc["statusReason"] == "disconnect:user"
    assert not {"ciphertext", "keyId", "rtHash", "rtPrefixHash", "refreshDueAt"} & set(doc)
    assert member(firestore)["consent"] == "revoked"
    assert consent_status("1001") == "revoked"
    disconnect("1001", reason="user")  # idempotent
    disconnect("never-connected", reason="uninstalled")
    assert consent_status("never-connected") == "none"


def test_disconnect_forgets_even_when_google_is_unreachable(firestore: Any, standin: OAuthStandIn) -> None:
    seed_grant(firestore, standin, "1001", Clock()())
    standin.faults.fail_next.append((503, "temporarily_unavailable"))
    disconnect("1001", reason="license ended!")  # an odd reason is recorded as "other"
    assert consent_status("1001") == "revoked"
    assert firestore.document("tokens/1001").get().get("statusReason") == "disconnect:other"


@pytest.fixture
def addon_client(monkeypatch: pytest.MonkeyPatch, standin: OAuthStandIn) -> AddonClient:
    for name, value in addon_env(standin.certs_url).items():
        monkeypatch.setenv(name, value)
    standin.users["ann@example.com"] = _user_of(ANN)
    return AddonClient(signer=standin.signer)


ANN = User("1001", "ann@example.com", TENANT)


def _user_of(user: User) -> Any:
    from mail2task.local.oauth_standin import User as GoogleUser

    return GoogleUser(user.sub, user.email, user.hd)


def post_action(client: AddonClient, action: str, **parameters: str) -> tuple[int, dict[str, Any]]:
    body = client.event(ANN, parameters={"action": action, **parameters})
    token = client.system_token(OAUTH_URL)
    REGISTRY.add(token, body["authorizationEventObject"]["userIdToken"])
    payload, status, _ = oauth(build_request(OAUTH_URL, body, {"Authorization": f"Bearer {token}"}))
    return status, json.loads(payload)


def test_connect_action_opens_googles_consent_over_gmail(firestore: Any, addon_client: AddonClient) -> None:
    """The answer to the connect buttons' openDynamicLinkAction: one consent start, its link to open."""
    status, body = post_action(addon_client, "connect", scopes=GMAIL_SEND)
    assert status == 200
    assert list(body) == ["renderActions"]
    assert list(body["renderActions"]["action"]) == ["link"]  # a link only: Gmail opens it at once
    link = body["renderActions"]["action"]["link"]
    assert (link["openAs"], link["onClose"]) == ("OVERLAY", "RELOAD")
    params = query_of(link["url"])
    REGISTRY.add(params["state"], params["nonce"])
    assert params["login_hint"] == ANN.email
    assert GMAIL_SEND in params["scope"].split()
    assert [s.id for s in firestore.collection(store.OAUTH_STATES).stream()] == [state_key(params["state"])]

    callback = app_client(oauth).get("/", query_string=consent_redirect(link["url"]))
    assert callback.status_code == 200
    assert consent_status(ANN.sub) == "granted"


@pytest.mark.parametrize(
    "parameters",
    [
        {"scopes": f"{GMAIL_SEND} https://mail.google.com/"},  # all of Gmail: never asked for
        {"scopes": "https://www.googleapis.com/auth/drive"},
        {"scopes": GMAIL_SEND, "returnTo": "https://evil.example/phish"},
    ],
    ids=["full-gmail", "drive", "return-target"],
)
def test_connect_action_refuses_what_the_app_never_asks_for(
    firestore: Any, addon_client: AddonClient, parameters: dict[str, str]
) -> None:
    status, body = post_action(addon_client, "connect", **parameters)
    assert status == 400
    assert "link" not in json.dumps(body)
    assert not list(firestore.collection(store.OAUTH_STATES).stream())


def test_disconnect_action_acts_on_the_verified_user_only(
    firestore: Any, standin: OAuthStandIn, addon_client: AddonClient
) -> None:
    seed_grant(firestore, standin, "1001", Clock()())
    seed_grant(firestore, standin, "2002", Clock()())
    status, body = post_action(addon_client, "disconnect", sub="2002")  # a forged parameter is ignored
    assert status == 200
    assert "disconnected" in body["renderActions"]["action"]["notification"]["text"]
    assert (consent_status("1001"), consent_status("2002")) == ("revoked", "granted")


def test_actions_need_googles_signature_for_this_url(firestore: Any, addon_client: AddonClient) -> None:
    body = addon_client.event(ANN, parameters={"action": "disconnect"})
    wrong = addon_client.system_token("https://addon.test/addon")  # signed for another function
    _payload, status, _ = oauth(build_request(OAUTH_URL, body, {"Authorization": f"Bearer {wrong}"}))
    assert status == 401
    assert post_action(addon_client, "explode")[0] == 400
