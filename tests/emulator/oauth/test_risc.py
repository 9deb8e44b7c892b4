"""Cross-Account Protection events end to end: verified SETs withdraw grants, once per jti."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import time
from typing import Any

import pytest

from mail2task import store
from mail2task.entrypoints.risc import risc
from mail2task.local.oauth_standin import RISC_ISSUER, OAuthStandIn
from mail2task.oauth.status import consent_status
from tests.support.oauth_env import TENANT, Clock, app_client, seed_grant, stored_secrets

pytestmark = pytest.mark.usefixtures("oauth_env")
OAUTH = "https://schemas.openid.net/secevent/oauth/event-type/"
RISC = "https://schemas.openid.net/secevent/risc/event-type/"


def subject(sub: str) -> dict[str, Any]:
    return {"subject": {"subject_type": "iss-sub", "iss": RISC_ISSUER, "sub": sub}}


def deliver(standin: OAuthStandIn, events: dict[str, Any], **claims: Any) -> Any:
    token = standin.security_event(events, **claims)
    return app_client(risc).post("/", data=token, content_type="application/secevent+jwt")


@pytest.mark.parametrize(
    ("event", "status"),
    [
        (OAUTH + "tokens-revoked", "revoked"),
        (RISC + "account-disabled", "revoked"),
        (RISC + "sessions-revoked", "needs_reconnect"),
    ],
)
def test_user_events_withdraw_all_of_the_users_grants(
    firestore: Any, standin: OAuthStandIn, event: str, status: str
) -> None:
    seed_grant(firestore, standin, "1001", Clock()())
    seed_grant(firestore, standin, "2002", Clock()())
    payload = {**subject("1001"), "reason": "hijacking"} if "disabled" in event else subject("1001")
    response = deliver(standin, {event: payload})
    assert response.status_code == 202
    assert response.get_data() == b""
    assert consent_status("1001") == status
    assert stored_secrets(firestore, "1001") is None
    assert firestore.document(f"tenants/{TENANT}/members/1001").get().get("consent") == status
    assert consent_status("2002") == "granted"


@pytest.mark.parametrize("form", ["prefix", "hash_base64_sha512_sha512", "hash_urlsafe"])
def test_token_revoked_finds_the_grant_by_either_identifier(
    firestore: Any, standin: OAuthStandIn, form: str
) -> None:
    refresh_token = seed_grant(firestore, standin, "1001", Clock()())
    seed_grant(firestore, standin, "2002", Clock()())
    digest = hashlib.sha512(hashlib.sha512(refresh_token.encode()).digest()).digest()
    identifier = {
        "prefix": refresh_token[:16],
        "hash_base64_sha512_sha512": base64.b64encode(digest).decode(),
        "hash_urlsafe": base64.urlsafe_b64encode(digest).decode().rstrip("="),
    }[form]
    token_subject = {
        "subject_type": "oauth_token",
        "token_type": "refresh_token",
        "token_identifier_alg": form if form != "hash_urlsafe" else "hash_base64_sha512_sha512",
        "token": identifier,
    }
    assert deliver(standin, {OAUTH + "token-revoked": {"subject": token_subject}}).status_code == 202
    assert consent_status("1001") == "needs_reconnect"
    assert consent_status("2002") == "granted"


def test_each_event_is_handled_once(firestore: Any, standin: OAuthStandIn) -> None:
    seed_grant(firestore, standin, "1001", Clock()())
    token = standin.security_event({OAUTH + "tokens-revoked": subject("1001")})
    client = app_client(risc)
    assert client.post("/", data=token).status_code == 202
    seed_grant(firestore, standin, "1001", Clock()())  # the user connects again ...
    assert client.post("/", data=token).status_code == 202  # ... and Google delivers the event again
    assert consent_status("1001") == "granted"
    assert len(list(firestore.collection(store.RISC_EVENTS).stream())) == 1


def test_an_event_older_than_the_grant_leaves_it_alone(firestore: Any, standin: OAuthStandIn) -> None:
    seed_grant(firestore, standin, "1001", Clock()())
    issued = int(time.time() - dt.timedelta(hours=2).total_seconds())
    assert deliver(standin, {OAUTH + "tokens-revoked": subject("1001")}, iat=issued).status_code == 202
    assert consent_status("1001") == "granted"


def test_informational_events_change_nothing(firestore: Any, standin: OAuthStandIn) -> None:
    seed_grant(firestore, standin, "1001", Clock()())
    events = {
        RISC + "verification": {"state": "test-state"},
        RISC + "account-enabled": subject("1001"),
        RISC + "account-credential-change-required": subject("1001"),
        "https://example.com/unknown-event": {},
    }
    assert deliver(standin, events).status_code == 202
    assert consent_status("1001") == "granted"


def test_events_for_unknown_users_are_accepted(firestore: Any, standin: OAuthStandIn) -> None:
    assert deliver(standin, {OAUTH + "tokens-revoked": subject("9999")}).status_code == 202
    assert consent_status("9999") == "none"
    email_only = {"subject": {"subject_type": "email", "email": "ann@example.com"}}
    assert deliver(standin, {OAUTH + "tokens-revoked": email_only}).status_code == 202


def test_malformed_events_are_refused(firestore: Any, standin: OAuthStandIn) -> None:
    assert deliver(standin, {OAUTH + "tokens-revoked": {"no": "subject"}}).status_code == 400
    assert deliver(standin, {}).status_code == 400
    response = app_client(risc).post("/", data=standin.security_event({RISC + "verification": {}}, jti=7))
    assert response.status_code == 400


def _header(token: str) -> dict[str, Any]:
    import json

    head = token.split(".", 1)[0]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    return decoded


def _signed(standin: OAuthStandIn, events: dict[str, Any], header: dict[str, Any]) -> str:
    """A token signed with Google's (stand-in) key, right issuer and audience, with ``header``."""
    jti = hashlib.sha256(str(header).encode()).hexdigest()
    claims = {
        "iss": RISC_ISSUER,
        "aud": standin.client_id,
        "jti": jti,
        "iat": int(time.time()),
        "events": events,
    }
    return standin.signer.mint(claims, header=header)


def test_security_event_tokens_are_typed_as_such(firestore: Any, standin: OAuthStandIn) -> None:
    assert _header(standin.security_event({RISC + "verification": {"state": "s"}}))["typ"] == "secevent+jwt"
    seed_grant(firestore, standin, "1001", Clock()())
    event = {OAUTH + "tokens-revoked": subject("1001")}
    for typ in ("at+jwt", "id+jwt", "application/jwt"):  # JWTs typed as something else are not events
        response = app_client(risc).post("/", data=_signed(standin, event, {"typ": typ}))
        assert (response.status_code, response.get_json()["err"]) == (400, "authentication_failed")
        assert consent_status("1001") == "granted"
    accepted = _signed(standin, event, {"typ": "application/secevent+jwt"})
    assert app_client(risc).post("/", data=accepted).status_code == 202
    assert consent_status("1001") == "revoked"
    seed_grant(firestore, standin, "1002", Clock()())  # Google's typ is undocumented: a plain JWT is fine
    generic = _signed(standin, {OAUTH + "tokens-revoked": subject("1002")}, {"typ": "JWT"})
    assert app_client(risc).post("/", data=generic).status_code == 202
    assert consent_status("1002") == "revoked"


def test_a_subject_from_another_issuer_is_refused(firestore: Any, standin: OAuthStandIn) -> None:
    seed_grant(firestore, standin, "1001", Clock()())
    for iss in ("https://evil.example/", None):
        claims = {"subject_type": "iss-sub", "sub": "1001", **({"iss": iss} if iss else {})}
        assert deliver(standin, {OAUTH + "tokens-revoked": {"subject": claims}}).status_code == 400
        assert consent_status("1001") == "granted"
    google = {"subject_type": "iss-sub", "iss": "https://accounts.google.com", "sub": "1001"}
    assert deliver(standin, {OAUTH + "tokens-revoked": {"subject": google}}).status_code == 202
    assert consent_status("1001") == "revoked"
