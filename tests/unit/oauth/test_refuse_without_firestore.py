"""Requests refused before any database or token exchange: the scheduler's OIDC token, RISC tokens,
callbacks with missing or malformed state, methods."""

from __future__ import annotations

from typing import Any

import pytest

from mail2task.entrypoints.oauth import oauth
from mail2task.entrypoints.refresh import refresh
from mail2task.entrypoints.risc import risc
from mail2task.local.devkey import DevSigner
from mail2task.local.oauth_standin import OAuthStandIn
from tests.support.oauth_env import REFRESH_URL, SCHEDULER, app_client
from tests.support.oauth_logscan import REGISTRY

pytestmark = pytest.mark.usefixtures("oauth_env")


def scheduler_token(signer: DevSigner, **change: Any) -> str:
    claims = {"iss": "https://accounts.google.com", "aud": REFRESH_URL, "sub": "1", "email": SCHEDULER}
    token = signer.mint({**claims, "email_verified": True, **change})
    REGISTRY.add(token)
    return token


@pytest.mark.parametrize(
    "change",
    [
        {"aud": "https://mail2task.example.com/other"},
        {"email": "someone@demo-mail2task.iam.gserviceaccount.com"},
        {"email_verified": False},
        {"iss": "https://evil.example"},
        {"exp": 1_000_000_000, "iat": 999_999_000},
    ],
    ids=["audience", "account", "unverified", "issuer", "expired"],
)
def test_refresh_refuses_tokens_not_from_the_scheduler(signer: DevSigner, change: dict[str, Any]) -> None:
    response = app_client(refresh).post(
        "/", headers={"Authorization": f"Bearer {scheduler_token(signer, **change)}"}
    )
    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == "Unauthenticated."  # no detail leaves


def test_refresh_refuses_other_signers_and_missing_tokens(standin: OAuthStandIn) -> None:
    stranger = DevSigner(kid=standin.signer.kid)  # same kid, another key
    assert (
        app_client(refresh)
        .post("/", headers={"Authorization": f"Bearer {scheduler_token(stranger)}"})
        .status_code
        == 401
    )
    assert app_client(refresh).post("/").status_code == 401
    assert app_client(refresh).get("/").status_code == 405


def test_risc_refuses_bad_tokens_with_400(standin: OAuthStandIn) -> None:
    client = app_client(risc)
    event = {"https://schemas.openid.net/secevent/oauth/event-type/tokens-revoked": {"subject": {"sub": "1"}}}
    cases = [
        standin.security_event(event, audience="someone-else.apps.googleusercontent.com"),
        standin.security_event(event, iss="https://accounts.google.com"),  # not the RISC issuer
        DevSigner(kid=standin.signer.kid).mint(
            {"iss": "https://accounts.google.com/", "aud": standin.client_id}
        ),
        "not.a.token",
        "",
    ]
    for body in cases:
        response = client.post("/", data=body, content_type="application/secevent+jwt")
        assert response.status_code == 400
        assert response.get_json()["err"] == "authentication_failed"
    assert client.post("/", data="x" * 20_000).status_code == 400
    assert client.get("/").status_code == 405


def test_risc_answers_503_when_googles_keys_are_unreachable(standin: OAuthStandIn) -> None:
    token = standin.security_event({})
    standin.stop()
    response = app_client(risc).post("/", data=token)
    assert response.status_code == 503  # Google delivers again later


@pytest.mark.parametrize(
    "query",
    ["", "?code=abc", "?state=short&code=abc", "?state=" + "a" * 200 + "&code=x", "?state=a&state=b&code=x"],
)
def test_callback_without_a_usable_state_is_refused(standin: OAuthStandIn, query: str) -> None:
    response = app_client(oauth).get("/" + query)
    assert response.status_code == 400
    assert response.headers["Cache-Control"] == "no-store"
    assert "no longer valid" in response.get_data(as_text=True)
    assert not standin.issued[1:]  # nothing was exchanged
