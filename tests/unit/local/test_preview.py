"""The preview server plays Gmail: events signed like Google's, verifiable against its /certs, sent only to
the local functions; the page's assets and mailbox API."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import flask
import pytest
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from mail2task.addon.deployment import FunctionUrls, descriptor
from mail2task.google.id_tokens import Expectation, KeyCache, verify
from mail2task.local import identities
from mail2task.local.devkey import DevSigner
from mail2task.local.gmail_standin import GmailStandIn
from mail2task.local.host import GmailHost
from mail2task.local.preview import create_app
from mail2task.local.servers import LoopbackServer

EXECUTE = "https://www.googleapis.com/auth/gmail.addons.execute"
READONLY = "https://www.googleapis.com/auth/gmail.addons.current.message.readonly"
USERINFO = "https://www.googleapis.com/auth/userinfo.email"


@dataclass
class FakeFunction:
    """A loopback WSGI endpoint standing where the functions run; records what reaches it."""

    received: list[tuple[str, Mapping[str, str], dict[str, Any]]] = field(default_factory=list)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        request = flask.Request(environ)
        self.received.append((request.url, dict(request.headers), request.get_json()))
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"action": {"notification": {"text": "ok"}}}).encode()]


@pytest.fixture(scope="module")
def function() -> Iterator[tuple[FakeFunction, str]]:
    fake = FakeFunction()
    with LoopbackServer("fake functions", fake) as server:
        yield fake, server.url


@pytest.fixture(scope="module")
def gmail() -> Iterator[GmailStandIn]:
    with GmailStandIn(require_known_tokens=True) as standin:
        yield standin


@pytest.fixture
def preview(gmail: GmailStandIn, function: tuple[FakeFunction, str]) -> Iterator[tuple[Any, GmailHost]]:
    host = GmailHost(
        DevSigner(), gmail, function[1], identities.LOCAL_SERVICE_ACCOUNT, identities.LOCAL_OAUTH_CLIENT_ID
    )
    app = create_app(host, descriptor(FunctionUrls.from_base(function[1])))
    with app.test_client() as client:
        yield client, host


def keys_from(client: Any) -> KeyCache:
    def fetch(url: str) -> tuple[int, Mapping[str, str], bytes]:
        response = client.get(url)
        return response.status_code, dict(response.headers), response.data

    return KeyCache("/certs", fetch=fetch)


def invoke(client: Any, **payload: Any) -> Any:
    return client.post("/api/invoke", json=payload)


def test_events_carry_google_shaped_tokens_that_verify_against_the_preview_certs(
    preview: tuple[Any, GmailHost], function: tuple[FakeFunction, str], gmail: GmailStandIn
) -> None:
    client, _ = preview
    config = client.get("/api/config").get_json()
    url = config["homepageUrl"]
    answer = invoke(client, url=url, event={"commonEventObject": {}}, user="dana", scopes=[USERINFO, EXECUTE])
    assert answer.get_json() == {
        "status": 200,
        "json": {"action": {"notification": {"text": "ok"}}},
        "text": None,
    }

    received_url, headers, body = function[0].received[-1]
    assert received_url == url
    auth = body["authorizationEventObject"]
    assert headers["Authorization"] == f"Bearer {auth['systemIdToken']}"
    assert body["commonEventObject"] == {"hostApp": "GMAIL", "platform": "WEB"}
    assert auth["authorizedScopes"] == sorted([USERINFO, EXECUTE])
    keys = keys_from(client)
    system = verify(auth["systemIdToken"], keys, Expectation((url,)))
    assert system["email"] == identities.LOCAL_SERVICE_ACCOUNT
    assert system["email_verified"] is True
    user = verify(auth["userIdToken"], keys, Expectation((identities.LOCAL_OAUTH_CLIENT_ID,)))
    assert (user["sub"], user["email"], user["hd"]) == (
        "120000000000000000004",
        "dana@example.org",
        "example.org",
    )
    assert gmail.user_scopes(auth["userOAuthToken"]) == frozenset({USERINFO, EXECUTE})
    assert "gmail" not in body


def test_a_contextual_event_names_the_message_gmail_style_with_an_access_token_for_its_thread(
    preview: tuple[Any, GmailHost], function: tuple[FakeFunction, str], gmail: GmailStandIn
) -> None:
    client, _ = preview
    config = client.get("/api/config").get_json()
    messages = client.get("/api/messages").get_json()["messages"]
    reply = next(m for m in messages if m["subject"].startswith("Re: Office move"))
    other = next(m for m in messages if m["threadId"] != reply["threadId"])
    event = {"commonEventObject": {}, "gmail": {"messageId": reply["id"], "threadId": reply["threadId"]}}
    invoke(client, url=config["contextualUrl"], event=event, user="ada", scopes=[EXECUTE, READONLY, USERINFO])
    body = function[0].received[-1][2]
    assert body["gmail"]["messageId"] == f"msg-f:{int(reply['id'], 16)}"
    assert body["gmail"]["threadId"] == f"thread-f:{int(reply['threadId'], 16)}"

    from google.oauth2.credentials import Credentials

    token = body["authorizationEventObject"]["userOAuthToken"]
    service = build(
        "gmail",
        "v1",
        credentials=Credentials(token=token),
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": gmail.endpoint},
    )
    for message_id, allowed in ((reply["threadId"], True), (other["id"], False)):
        request = service.users().messages().get(userId="me", id=message_id, format="raw")
        request.headers["X-Goog-Gmail-Access-Token"] = body["gmail"]["accessToken"]
        if allowed:
            assert request.execute()["threadId"] == reply["threadId"]
        else:
            with pytest.raises(HttpError):
                request.execute()
    service.close()


def test_no_user_id_token_without_the_userinfo_scope(
    preview: tuple[Any, GmailHost], function: tuple[FakeFunction, str]
) -> None:
    client, _ = preview
    invoke(client, url=f"{function[1]}/addon", event={}, user="ada", scopes=[EXECUTE])
    assert "userIdToken" not in function[0].received[-1][2]["authorizationEventObject"]


def test_invoke_refuses_other_hosts_unknown_users_and_cross_site_posts(
    preview: tuple[Any, GmailHost], function: tuple[FakeFunction, str]
) -> None:
    client, _ = preview
    before = len(function[0].received)
    base = function[1]
    payloads: list[dict[str, Any]] = [
        {"url": "http://169.254.169.254/computeMetadata/v1/", "event": {}, "user": "ada", "scopes": []},
        {"url": base + ".evil.example/addon", "event": {}, "user": "ada", "scopes": []},
        {"url": f"{base}/addon", "event": {}, "user": "mallory", "scopes": []},
        {"url": f"{base}/addon", "event": [], "user": "ada", "scopes": []},
    ]
    for payload in payloads:
        assert invoke(client, **payload).status_code == 400
    cross_site = client.post(
        "/api/invoke",
        json={"url": f"{base}/addon", "event": {}, "user": "ada", "scopes": []},
        headers={"Origin": "https://evil.example"},
    )
    assert cross_site.status_code == 403
    form_post = client.post("/api/invoke", data="url=x", content_type="text/plain")
    assert form_post.status_code == 400
    assert len(function[0].received) == before


def test_certs_are_served_in_googles_format_and_are_cacheable(preview: tuple[Any, GmailHost]) -> None:
    client, host = preview
    response = client.get("/certs")
    from cryptography import x509

    (kid, pem), *others = response.get_json().items()
    public = x509.load_pem_x509_certificate(pem.encode()).public_key()
    assert (kid, others) == (host.signer.kid, [])
    assert public.public_numbers() == host.signer.key.public_key().public_numbers()  # type: ignore[union-attr]
    assert client.get("/certs").data == response.data  # one certificate, like Google's between rotations
    assert "max-age=3600" in response.headers["Cache-Control"]


def test_page_assets_and_mailbox_api(preview: tuple[Any, GmailHost]) -> None:
    client, _ = preview
    with client.get("/") as page:
        assert b'<script type="module" src="/static/app.js">' in page.data
        assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    for asset in ("app.js", "cards.js", "style.css"):
        with client.get(f"/static/{asset}") as response:
            assert response.status_code == 200
    messages = client.get("/api/messages").get_json()["messages"]
    assert len(messages) == 7
    signed = next(m for m in messages if m["subject"] == "Signed service agreement and 2025 price list")
    assert [a["filename"] for a in signed["attachments"]] == [
        "Service agreement 2025.pdf",
        "price-list-2025.csv",
    ]
    german = next(m for m in messages if "Wartung" in m["subject"])
    detail = client.get(f"/api/messages/{german['id']}").get_json()
    assert "Sehr geehrte Frau Lindqvist" in detail["body"]
    assert detail["from"] == "Jürgen Brandt <j.brandt@kaelteservice-brandt.example>"
    assert client.get("/api/messages/ffffffffffffffff").status_code == 404
    config = client.get("/api/config").get_json()
    assert [u["key"] for u in config["users"]] == ["ada", "ben", "cleo", "dana", "eve"]
    assert config["contextualUrl"].endswith("/addon?trigger=contextual")


def test_hex_ids_option_puts_api_ids_in_events(gmail: GmailStandIn) -> None:
    host = GmailHost(
        DevSigner(),
        gmail,
        "http://127.0.0.1:9",
        identities.LOCAL_SERVICE_ACCOUNT,
        identities.LOCAL_OAUTH_CLIENT_ID,
        hex_ids=True,
    )
    message = next(gmail.mailbox.messages())
    event = {"gmail": {"messageId": message.id}}
    body = host.complete("http://127.0.0.1:9/addon", event, identities.user("ben"), [EXECUTE])
    assert (body["gmail"]["messageId"], body["gmail"]["threadId"]) == (message.id, message.thread_id)
