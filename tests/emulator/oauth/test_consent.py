"""The consent round trip against Firestore and the OAuth stand-in, and every way to abuse the callback."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from mail2task import store
from mail2task.entrypoints.oauth import oauth
from mail2task.errors import BadRequest
from mail2task.identity import ConsumerAccount
from mail2task.local.oauth_standin import OAuthStandIn, User
from mail2task.oauth import consent, model, states
from mail2task.oauth.scopes import DIRECTORY_READONLY
from mail2task.oauth.status import consent_status
from mail2task.oauth.vault import Sealed, default_vault
from tests.support.oauth_env import (
    GMAIL_SEND,
    RETURN_TARGET,
    TENANT,
    Clock,
    app_client,
    begin_url,
    consent_redirect,
    identity,
    query_of,
    runtime,
    user_of,
)

pytestmark = pytest.mark.usefixtures("oauth_env")
ANN = identity()


@pytest.fixture(autouse=True)
def _ann_signs_in_as_herself(standin: OAuthStandIn) -> None:
    standin.users[ANN.email] = user_of(ANN)


@pytest.fixture(autouse=True)
def _registered(firestore: Any) -> None:
    """ANN and BO are members of a tenant with no app admin yet (as admission leaves first users)."""
    tenant = firestore.collection(store.TENANTS).document(TENANT)
    tenant.set({"domain": TENANT, "status": "active", "policy": {"mode": "only_me"}, "admins": []})
    for sub, email in ((ANN.sub, ANN.email), ("2002", "bo@example.com")):
        member = {"sub": sub, "email": email, "role": "member", "access": "none", "consent": "none"}
        tenant.collection(store.MEMBERS).document(sub).set(member)


def _refresh_tokens(standin: OAuthStandIn) -> list[str]:
    return [t for t in standin.issued if t.startswith("1//")]


def start(who: Any = ANN, *, clock: Clock | None = None, **kwargs: Any) -> str:
    return begin_url(consent.begin(who, [GMAIL_SEND], runtime=runtime(clock), **kwargs))


def callback(query: dict[str, str], clock: Clock | None = None) -> Any:
    if clock is None:
        return app_client(oauth).get("/", query_string=query)
    return consent.complete(query, runtime=runtime(clock))


def token_doc(db: Any, sub: str = ANN.sub) -> dict[str, Any]:
    return db.collection(store.TOKENS).document(sub).get().to_dict() or {}


def test_round_trip_stores_an_encrypted_grant(firestore: Any, standin: OAuthStandIn) -> None:
    url = start()
    params = query_of(url)
    assert params["access_type"] == "offline"
    assert params["include_granted_scopes"] == "true"
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) == 43
    assert (params["login_hint"], params["hd"], params["prompt"]) == (ANN.email, TENANT, "consent")
    assert set(params["scope"].split()) == {
        "openid",
        "https://www.googleapis.com/auth/userinfo.email",
        GMAIL_SEND,
    }
    pending = list(firestore.collection(store.OAUTH_STATES).stream())
    assert [p.id for p in pending] == [states.state_key(params["state"])]  # only the hash is stored
    assert "codeVerifier" not in pending[0].to_dict()
    assert "nonce" not in pending[0].to_dict()

    response = callback(consent_redirect(url))
    assert response.status_code == 200
    assert "is connected" in response.get_data(as_text=True)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    doc = token_doc(firestore)
    refresh_token = next(t for t in standin.issued if t.startswith("1//"))
    assert refresh_token.encode() not in doc["ciphertext"]
    assert doc["status"] == "granted"
    assert doc["tenant"] == TENANT
    assert doc["keyId"] == "1"
    assert GMAIL_SEND in doc["scopes"]
    assert doc["partition"] == model.partition_of(ANN.sub)
    opened = default_vault().open(Sealed(doc["keyId"], doc["ciphertext"]), ANN.sub)
    assert opened.refresh_token == refresh_token
    member = firestore.document(f"tenants/{TENANT}/members/{ANN.sub}").get().to_dict()
    assert member["consent"] == "granted"
    assert consent_status(ANN.sub) == "granted"
    assert not list(firestore.collection(store.OAUTH_STATES).stream())  # consumed


def test_replayed_state_is_refused_before_any_exchange(firestore: Any, standin: OAuthStandIn) -> None:
    back = consent_redirect(start())
    assert callback(back).status_code == 200
    issued = len(standin.issued)
    assert callback(back).status_code == 400
    assert len(standin.issued) == issued  # the code was not even presented again


def test_racing_callbacks_with_one_state_exchange_once(firestore: Any, standin: OAuthStandIn) -> None:
    back = consent_redirect(start())
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(callback(back).status_code)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200, 400]
    assert sum(1 for t in standin.issued if t.startswith("1//")) == 1


def test_unknown_state_is_refused(firestore: Any, standin: OAuthStandIn) -> None:
    back = consent_redirect(start())
    back["state"] = "A" * 43
    assert callback(back).status_code == 400
    assert token_doc(firestore) == {}


def test_expired_state_is_refused_even_before_ttl_cleanup(firestore: Any, standin: OAuthStandIn) -> None:
    clock = Clock()
    back = consent_redirect(start(clock=clock))
    clock.advance(minutes=11)
    issued = len(standin.issued)
    assert callback(back, clock).kind == "invalid"
    assert len(standin.issued) == issued
    assert token_doc(firestore) == {}


def test_a_pkce_mismatch_is_refused(firestore: Any, standin: OAuthStandIn) -> None:
    """A code injected with another flow's state: the stored verifier doesn't match its challenge."""
    back = consent_redirect(start())
    other = consent_redirect(start())
    assert callback({"state": back["state"], "code": other["code"]}).status_code == 400
    assert token_doc(firestore) == {}


def test_finishing_with_another_google_account_is_refused_and_revoked(
    firestore: Any, standin: OAuthStandIn
) -> None:
    mallory = User("6666", "mallory@example.com", TENANT)
    standin.faults.act_as = mallory
    response = callback(consent_redirect(start()))
    assert response.status_code == 403
    assert "different account" in response.get_data(as_text=True)
    assert token_doc(firestore) == {}
    assert token_doc(firestore, mallory.sub) == {}
    granted = [t for t in standin.issued if t.startswith("1//")]
    assert granted
    assert all(standin.is_revoked(t) for t in granted)


def test_refusing_another_account_leaves_its_earlier_grant_alone(
    firestore: Any, standin: OAuthStandIn
) -> None:
    mallory = User("6666", "mallory@example.com", TENANT)
    earlier = standin.add_grant(mallory.sub, {"openid"})
    standin.faults.act_as, standin.faults.omit_refresh_token = mallory, True
    assert callback(consent_redirect(start())).status_code == 403
    assert not standin.is_revoked(earlier)  # only a grant this flow created is undone


def test_another_tenant_with_the_same_sub_is_refused(firestore: Any, standin: OAuthStandIn) -> None:
    standin.faults.act_as = User(ANN.sub, ANN.email, "other.example")
    assert callback(consent_redirect(start())).status_code == 403
    assert token_doc(firestore) == {}


def test_a_denied_consent_changes_nothing(firestore: Any, standin: OAuthStandIn) -> None:
    standin.faults.deny_consent = True
    response = callback(consent_redirect(start()))
    assert response.status_code == 200
    assert "not granted" in response.get_data(as_text=True)
    assert token_doc(firestore) == {}
    assert consent_status(ANN.sub) == "none"


def test_return_targets_come_from_the_allowlist_only(firestore: Any, standin: OAuthStandIn) -> None:
    response = callback(consent_redirect(start(return_to=RETURN_TARGET)))
    assert (response.status_code, response.headers["Location"]) == (303, RETURN_TARGET)
    with pytest.raises(BadRequest):
        start(return_to="https://evil.example/phish")
    assert app_client(oauth).get("/", query_string={"next": "https://evil.example"}).status_code == 400


def test_granular_consent_records_only_what_was_granted(firestore: Any, standin: OAuthStandIn) -> None:
    standin.faults.granted_scopes = {"https://www.googleapis.com/auth/userinfo.email"}
    assert callback(consent_redirect(start())).status_code == 200
    assert GMAIL_SEND not in token_doc(firestore)["scopes"]


def test_incremental_consent_without_a_refresh_token_keeps_the_stored_one(
    firestore: Any, standin: OAuthStandIn
) -> None:
    callback(consent_redirect(start()))
    first = default_vault().open(
        Sealed(token_doc(firestore)["keyId"], token_doc(firestore)["ciphertext"]), ANN.sub
    )
    url = begin_url(consent.begin(ANN, [DIRECTORY_READONLY], runtime=runtime()))
    assert "prompt" not in query_of(url)  # a usable grant exists: no forced consent screen
    assert callback(consent_redirect(url)).status_code == 200
    doc = token_doc(firestore)
    again = default_vault().open(Sealed(doc["keyId"], doc["ciphertext"]), ANN.sub)
    assert again.refresh_token == first.refresh_token
    assert again.access_token != first.access_token
    assert {GMAIL_SEND, DIRECTORY_READONLY} <= set(doc["scopes"])


def test_no_refresh_token_and_none_stored_is_a_failure(firestore: Any, standin: OAuthStandIn) -> None:
    standin.faults.omit_refresh_token = True
    assert callback(consent_redirect(start())).status_code == 502
    assert token_doc(firestore) == {}


def test_the_token_endpoint_failing_is_a_retryable_failure(firestore: Any, standin: OAuthStandIn) -> None:
    back = consent_redirect(start())
    standin.faults.fail_next.append((503, "temporarily_unavailable"))
    assert callback(back).status_code == 502


def test_scopes_outside_the_allowlist_start_nothing(firestore: Any) -> None:
    with pytest.raises(BadRequest):
        consent.begin(ANN, [GMAIL_SEND, "https://mail.google.com/"], runtime=runtime())
    assert not list(firestore.collection(store.OAUTH_STATES).stream())


def test_consumer_accounts_cannot_start(firestore: Any) -> None:
    with pytest.raises(ConsumerAccount):
        consent.begin(identity(hd=None), [GMAIL_SEND], runtime=runtime())


def test_second_user_gets_their_own_grant(firestore: Any, standin: OAuthStandIn) -> None:
    bo = identity("2002", "bo@example.com")
    standin.users[bo.email] = user_of(bo)
    callback(consent_redirect(start()))
    callback(consent_redirect(start(bo)))
    assert token_doc(firestore)["status"] == token_doc(firestore, bo.sub)["status"] == "granted"
    assert token_doc(firestore)["ciphertext"] != token_doc(firestore, bo.sub)["ciphertext"]


def _member(db: Any, sub: str = ANN.sub) -> Any:
    return db.collection(store.TENANTS).document(TENANT).collection(store.MEMBERS).document(sub)


def _tenant(db: Any) -> Any:
    return db.collection(store.TENANTS).document(TENANT)


def _refused_and_revoked(db: Any, standin: OAuthStandIn, response: Any) -> None:
    assert response.status_code == 403
    assert "have access" in response.get_data(as_text=True)
    assert token_doc(db) == {}
    assert (_member(db).get().to_dict() or {}).get("consent") != "granted"
    assert _refresh_tokens(standin)
    assert all(standin.is_revoked(t) for t in _refresh_tokens(standin))


def test_a_person_removed_before_finishing_gets_no_grant(firestore: Any, standin: OAuthStandIn) -> None:
    url = start()
    _member(firestore).update({"access": "removed"})  # the admin removes ANN while Google's page is open
    _refused_and_revoked(firestore, standin, callback(consent_redirect(url)))


def test_someone_outside_the_policy_at_completion_gets_no_grant(
    firestore: Any, standin: OAuthStandIn
) -> None:
    url = start()
    admin = {"sub": "9009", "email": "ada@example.com", "name": "Ada"}
    _tenant(firestore).update({"admins": [admin], "policy": {"mode": "specific_users"}})
    _refused_and_revoked(firestore, standin, callback(consent_redirect(url)))


def test_someone_the_tenant_does_not_know_gets_no_grant(firestore: Any, standin: OAuthStandIn) -> None:
    url = start()
    _member(firestore).delete()
    _refused_and_revoked(firestore, standin, callback(consent_redirect(url)))


def test_an_admin_demoted_before_finishing_gets_no_directory_grant(
    firestore: Any, standin: OAuthStandIn
) -> None:
    ann = {"sub": ANN.sub, "email": ANN.email, "name": ""}
    _tenant(firestore).update({"admins": [ann], "policy": {"mode": "all_users"}})
    url = begin_url(consent.begin(ANN, [GMAIL_SEND, DIRECTORY_READONLY], runtime=runtime()))
    _tenant(firestore).update({"admins": [{"sub": "9009", "email": "ada@example.com", "name": "Ada"}]})
    _refused_and_revoked(firestore, standin, callback(consent_redirect(url)))
    assert callback(consent_redirect(start())).status_code == 200  # still a member: gmail.send is fine
