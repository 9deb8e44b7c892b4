"""At the entry points: every bad system token is a bare 401; bad input is a 400 JSON error; no DB needed."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from mail2task.errors import ConfigError
from mail2task.local.devkey import DevSigner, system_claims
from tests.support.addon_requests import (
    ADDON_URL,
    CONVERT_URL,
    SERVICE_ACCOUNT,
    AddonClient,
    CertsServer,
    User,
)

ADA = User("111", "ada@acme.test", "acme.test")
HOME_URL = ADDON_URL + "?trigger=homepage"
UNAUTHENTICATED = {"error": {"code": "unauthenticated", "message": "Unauthenticated."}}


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _unsigned(client: AddonClient) -> str:
    header = {"alg": "none", "typ": "JWT", "kid": client.signer.kid}
    return f"{_b64(header)}.{_b64(system_claims(HOME_URL, SERVICE_ACCOUNT) | {'exp': 2**31, 'iat': 1})}."


def _bad_signature(client: AddonClient) -> str:
    good = client.system_token(HOME_URL)
    other = client.system_token(HOME_URL, jti="x")
    return good.rsplit(".", 1)[0] + "." + other.rsplit(".", 1)[1]


BAD_TOKENS = {
    "wrong audience": lambda c: c.system_token("https://evil.test/addon"),
    "audience of another function": lambda c: c.system_token(CONVERT_URL),
    "wrong service account": lambda c: c.system_token(
        HOME_URL, email="attacker@evil.iam.gserviceaccount.com"
    ),
    "unverified email": lambda c: c.system_token(HOME_URL, email_verified=False),
    "wrong issuer": lambda c: c.system_token(HOME_URL, iss="https://evil.test"),
    "expired": lambda c: c.signer.mint(system_claims(HOME_URL, SERVICE_ACCOUNT), lifetime=-3600),
    "alg none": _unsigned,
    "bad signature": _bad_signature,
    "unknown kid": lambda c: AddonClient(DevSigner(kid="rotated-away")).system_token(HOME_URL),
    "user token as system token": lambda c: c.user_token(ADA),
    "garbage": lambda c: "not.a.jwt",
}


@pytest.mark.parametrize("name", sorted(BAD_TOKENS))
def test_bad_system_tokens_get_a_bare_401(client: AddonClient, certs: CertsServer, name: str) -> None:
    status, body = client.post(HOME_URL, client.event(ADA), token=BAD_TOKENS[name](client))
    assert (status, body) == (401, UNAUTHENTICATED)


def test_unknown_kids_cannot_make_the_function_hammer_the_key_endpoint(client, certs: CertsServer) -> None:
    assert client.post(ADDON_URL, client.event(ADA, parameters={"action": "nope"}))[0] == 400  # verified
    before = certs.fetches
    for _ in range(3):
        assert client.post(HOME_URL, client.event(ADA), token=BAD_TOKENS["unknown kid"](client))[0] == 401
    assert certs.fetches - before <= 1  # at most one forced re-fetch (KeyCache rate-limits them)


@pytest.mark.parametrize("header", [None, "", "Bearer", "Basic dXNlcjpwYXNz", "Bearer  "])
def test_missing_or_malformed_authorization_header(client: AddonClient, certs: CertsServer, header) -> None:
    from mail2task.entrypoints.addon import addon
    from tests.support.addon_requests import build_request

    headers = {} if header is None else {"Authorization": header}
    payload, status, _ = addon(build_request(HOME_URL, client.event(ADA), headers))
    assert (status, json.loads(payload)) == (401, UNAUTHENTICATED)


def test_bad_token_is_refused_before_the_body_is_read(client: AddonClient, certs: CertsServer) -> None:
    status, body = client.post(HOME_URL, b"{not json", token="x.y.z")
    assert (status, body) == (401, UNAUTHENTICATED)


@pytest.mark.parametrize(
    ("url", "parameters", "code"),
    [
        (ADDON_URL + "?trigger=nonsense", None, "bad_request"),
        (ADDON_URL, {"action": "drop_tables"}, "bad_request"),
        (ADDON_URL, None, "bad_request"),  # an action without a name
        (CONVERT_URL, {"action": "set_status"}, "bad_request"),  # a light action posted to convert
        (CONVERT_URL + "?trigger=homepage", None, "bad_request"),
    ],
)
def test_unknown_triggers_and_actions_are_400(client, certs, url: str, parameters, code: str) -> None:
    signed_for = url.split("?")[0]  # Google signs for deployed URLs; the query string routes
    status, body = client.post(
        url, client.event(ADA, parameters=parameters), token=client.system_token(signed_for)
    )
    assert status == 400
    assert body["error"]["code"] == code


def test_malformed_and_oversized_bodies(client: AddonClient, certs: CertsServer) -> None:
    assert client.post(HOME_URL, b"{not json")[0] == 400
    assert client.post(HOME_URL, b'"just a string"')[0] == 400
    status, body = client.post(HOME_URL, json.dumps({"pad": "x" * 400_000}).encode())
    assert status == 413
    assert body["error"]["code"] == "too_large"


def test_production_refuses_the_development_key(client, certs, monkeypatch: pytest.MonkeyPatch) -> None:
    """With MAIL2TASK_PROFILE=production the certificate URL cannot point at the development key."""
    from mail2task.config import AddonSettings, load

    monkeypatch.setenv("MAIL2TASK_PROFILE", "production")
    with pytest.raises(ConfigError, match="GOOGLE_CERTS_URL"):
        load(AddonSettings)
    status, body = client.homepage(ADA)
    assert status == 500
    assert body["error"]["code"] == "config"
    assert certs.fetches == 0  # the development certificates were never even read
