"""The OAuth stand-in speaks Google's wire format: google-auth and google-auth-oauthlib work against it."""

from __future__ import annotations

import json

import pytest
from google.auth import exceptions
from google.auth.transport.requests import Request
from google.oauth2 import id_token
from google.oauth2.credentials import Credentials

from mail2task.local.oauth_standin import OAuthStandIn, User
from tests.support.oauth_env import REDIRECT_URL, browser_get, query_of
from tests.support.oauth_logscan import REGISTRY, CaptureHandler, exempt

SEND = "https://www.googleapis.com/auth/gmail.send"


def test_google_auth_refreshes_against_the_standin(standin: OAuthStandIn) -> None:
    refresh_token = standin.add_grant("1001", {"openid", SEND})
    credentials = Credentials(
        None,
        refresh_token=refresh_token,
        token_uri=standin.token_url,
        client_id=standin.client_id,
        client_secret=standin.client_secret,
        scopes=["openid", SEND],
    )
    credentials.refresh(Request())
    assert credentials.valid
    assert credentials.token == standin.access_tokens[refresh_token][-1]
    assert set(credentials.granted_scopes or ()) == {"openid", SEND}


def test_google_auth_sees_invalid_grant_as_not_retryable(standin: OAuthStandIn) -> None:
    refresh_token = standin.add_grant("1001", {"openid"})
    standin.faults.invalid_grant.add(refresh_token)
    credentials = Credentials(
        None, refresh_token=refresh_token, token_uri=standin.token_url,
        client_id=standin.client_id, client_secret=standin.client_secret,
    )  # fmt: skip
    with pytest.raises(exceptions.RefreshError) as caught:
        credentials.refresh(Request())
    assert caught.value.retryable is False


def test_google_auth_oauthlib_flow_round_trip(
    standin: OAuthStandIn, monkeypatch: pytest.MonkeyPatch, log_capture: CaptureHandler
) -> None:
    """Flow builds the authorization URL (PKCE S256), the stand-in redirects back, Flow exchanges the
    code and google-auth verifies the ID token against the stand-in's certificates."""
    from google_auth_oauthlib.flow import Flow

    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the stand-in is plain http on loopback
    standin.users["bo@example.com"] = User("2002", "bo@example.com", "example.com")
    config = {
        "web": {
            "client_id": standin.client_id,
            "client_secret": standin.client_secret,
            "auth_uri": standin.auth_url,
            "token_uri": standin.token_url,
            "redirect_uris": [REDIRECT_URL],
        }
    }
    flow = Flow.from_client_config(config, scopes=["openid", SEND], redirect_uri=REDIRECT_URL)
    # requests-oauthlib/oauthlib (Google's reference client here, never imported by the product) log
    # request bodies with the code at DEBUG
    with exempt(log_capture, "requests_oauthlib", "oauthlib", "urllib3"):
        url, state = flow.authorization_url(login_hint="bo@example.com")
        REGISTRY.add(state, flow.code_verifier)
        assert query_of(url)["code_challenge_method"] == "S256"
        status, headers, _ = browser_get(url)
        assert status == 302
        assert headers["Location"].startswith(REDIRECT_URL)
        REGISTRY.add(query_of(headers["Location"])["code"])
        flow.fetch_token(authorization_response=headers["Location"])
    credentials = flow.credentials
    assert credentials.refresh_token in standin.issued
    claims = id_token.verify_token(
        credentials.id_token, Request(), standin.client_id, certs_url=standin.certs_url
    )
    assert (claims["iss"], claims["sub"], claims["hd"]) == (
        "https://accounts.google.com",
        "2002",
        "example.com",
    )


def test_a_wrong_pkce_verifier_is_refused(standin: OAuthStandIn) -> None:
    _status, headers, _ = browser_get(
        standin.auth_url
        + f"?client_id={standin.client_id}&redirect_uri={REDIRECT_URL}&response_type=code&scope=openid"
        "&state=s123456789012345678901234567890123&code_challenge=abc&code_challenge_method=S256"
        "&access_type=offline&login_hint=ann%40example.com"
    )
    code = query_of(headers["Location"])["code"]
    answer = standin.token(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URL,
            "code_verifier": "x" * 43,
        },
        (standin.client_id, standin.client_secret),
    )
    assert answer == (400, {"error": "invalid_grant", "error_description": "Invalid code verifier."})


def test_tokeninfo_and_revocation_of_an_access_token(standin: OAuthStandIn) -> None:
    refresh_token = standin.add_grant("1001", {"openid", SEND})
    credentials = Credentials(
        None, refresh_token=refresh_token, token_uri=standin.token_url,
        client_id=standin.client_id, client_secret=standin.client_secret,
    )  # fmt: skip
    credentials.refresh(Request())
    access_token = str(credentials.token)
    status, _, body = browser_get(f"{standin.base_url}/tokeninfo?access_token={access_token}")
    assert status == 200
    assert json.loads(body)["sub"] == "1001"
    answer = standin.revoke(access_token)  # Google: revoking an access token ends its grant too
    assert answer == (200, {})
    assert standin.is_revoked(refresh_token)
    assert standin.token_info(access_token) is None
