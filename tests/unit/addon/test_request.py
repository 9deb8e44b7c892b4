"""Request verification and event parsing: every way a request can be wrong, and what a good one yields."""

from __future__ import annotations

import json

import pytest

from mail2task.addon.deployment import GMAIL_CURRENT_MESSAGE, USERINFO_EMAIL
from mail2task.addon.request import verify_addon_request
from mail2task.errors import BadRequest, PayloadTooLarge, ScopesRequired, Unauthenticated
from mail2task.local.devkey import DevSigner
from tests.support.addon_requests import (
    ADDON_URL,
    CONVERT_URL,
    AddonClient,
    CertsServer,
    User,
    build_request,
)

ADA = User("111", "Ada@Acme.test", "Acme.test", "Ada")
HOME_URL = ADDON_URL + "?trigger=homepage"


def _verify(client: AddonClient, body: object, *, url: str = HOME_URL, token: str | None = None):
    bearer = client.system_token(url) if token is None else token
    return verify_addon_request(build_request(url, body, {"Authorization": f"Bearer {bearer}"}))  # type: ignore[arg-type]


def test_a_good_request_yields_the_verified_user_and_event(client: AddonClient, certs: CertsServer) -> None:
    body = client.event(
        ADA,
        message_id="msg-f:1234",
        thread_id="thread-f:99",
        parameters={"action": "home", "view": "created"},
        form={"title": ["Call back"], "attachments": ["1", "2.1"], "due": {"ms": 1767225600000}},
    )
    event = _verify(client, body)
    assert (event.identity.sub, event.identity.email, event.identity.tenant) == (
        "111",
        "ada@acme.test",
        "acme.test",
    )
    assert event.audience == HOME_URL
    assert event.trigger == "homepage"
    assert (event.message_id, event.thread_id, event.action) == ("msg-f:1234", "thread-f:99", "home")
    assert event.form_inputs.text("title") == "Call back"
    assert event.form_inputs.values("attachments") == ("1", "2.1")
    assert event.form_inputs.date_ms("due") == 1767225600000
    assert event.user_oauth_token == "ya29.test-user-token"
    assert "ya29" not in repr(event)
    assert "gmail-access" not in repr(event)


def test_the_bare_function_url_and_the_convert_url_are_accepted(
    client: AddonClient, certs: CertsServer
) -> None:
    assert _verify(client, client.event(ADA), url=ADDON_URL).trigger is None
    assert _verify(client, client.event(ADA), url=CONVERT_URL).audience == CONVERT_URL


def test_certificates_are_fetched_once_and_cached(client: AddonClient, certs: CertsServer) -> None:
    for _ in range(3):
        _verify(client, client.event(ADA))
    assert certs.fetches == 1


def test_the_body_copy_of_the_system_token_must_match_the_header(
    client: AddonClient, certs: CertsServer
) -> None:
    body = client.event(ADA)
    body["authorizationEventObject"]["systemIdToken"] = client.system_token(HOME_URL, jti="other")
    with pytest.raises(Unauthenticated):
        _verify(client, body)


@pytest.mark.parametrize(
    "make_token",
    [
        lambda c: c.user_token(ADA, aud="https://evil.test/addon"),  # another app's user token
        lambda c: c.system_token(HOME_URL),  # the system token in the user's place
        lambda c: c.user_token(ADA, email_verified=False),
        lambda c: c.user_token(ADA, iss="https://evil.test"),
        lambda c: c.user_token(ADA, exp=1000, iat=900),
    ],
)
def test_user_tokens_are_verified_too(client: AddonClient, certs: CertsServer, make_token) -> None:
    body = client.event(ADA)
    body["authorizationEventObject"]["userIdToken"] = make_token(client)
    with pytest.raises(Unauthenticated):
        _verify(client, body)


def test_a_user_token_from_another_key_is_refused(client: AddonClient, certs: CertsServer) -> None:
    body = client.event(ADA)
    body["authorizationEventObject"]["userIdToken"] = AddonClient(DevSigner(kid="other")).user_token(ADA)
    with pytest.raises(Unauthenticated):
        _verify(client, body)


def test_missing_user_token(client: AddonClient, certs: CertsServer) -> None:
    body = client.event(ADA)
    del body["authorizationEventObject"]["userIdToken"]
    with pytest.raises(Unauthenticated):
        _verify(client, body)
    body["authorizationEventObject"]["authorizedScopes"] = [GMAIL_CURRENT_MESSAGE]
    with pytest.raises(ScopesRequired) as raised:
        _verify(client, body)
    assert raised.value.scopes == (USERINFO_EMAIL,)


def test_require_scopes(client: AddonClient, certs: CertsServer) -> None:
    event = _verify(client, client.event(ADA, scopes=(USERINFO_EMAIL,)))
    with pytest.raises(ScopesRequired) as raised:
        event.require_scopes(USERINFO_EMAIL, GMAIL_CURRENT_MESSAGE)
    assert raised.value.scopes == (GMAIL_CURRENT_MESSAGE,)
    _verify(client, client.event(ADA, scopes=None)).require_scopes(
        GMAIL_CURRENT_MESSAGE
    )  # pre-granular events


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        (lambda b: b.update(commonEventObject=[]), BadRequest),
        (lambda b: b["commonEventObject"].update(parameters={"action": 5}), BadRequest),
        (lambda b: b["commonEventObject"].update(parameters={f"k{i}": "v" for i in range(40)}), BadRequest),
        (
            lambda b: b["commonEventObject"].update(
                formInputs={"due": {"dateInput": {"msSinceEpoch": "soon"}}}
            ),
            BadRequest,
        ),
        (
            lambda b: b["commonEventObject"].update(
                formInputs={"t": {"stringInputs": {"value": ["x" * 30_000]}}}
            ),
            BadRequest,
        ),
        (lambda b: b.update(gmail={"messageId": "../../tenants/x", "threadId": "t"}), BadRequest),
        (lambda b: b["authorizationEventObject"].update(authorizedScopes="all"), BadRequest),
    ],
)
def test_malformed_events_are_refused(client: AddonClient, certs: CertsServer, mutate, error) -> None:
    body = client.event(ADA)
    mutate(body)
    with pytest.raises(error):
        _verify(client, body)


def test_bodies_that_are_not_json_objects_or_too_large(client: AddonClient, certs: CertsServer) -> None:
    with pytest.raises(BadRequest):
        _verify(client, b"{not json")
    with pytest.raises(BadRequest):
        _verify(client, b"[1, 2]")
    with pytest.raises(PayloadTooLarge):
        _verify(client, json.dumps({"pad": "x" * 300_000}).encode())
