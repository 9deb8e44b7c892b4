"""The development key is trusted only in the local profile: production configuration rejects its events."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import flask
import pytest
from werkzeug.test import EnvironBuilder

from mail2task.addon import request as addon_request
from mail2task.addon.deployment import FunctionUrls, descriptor
from mail2task.config import GOOGLE_CERTS_DEFAULT
from mail2task.entrypoints.addon import addon
from mail2task.google.id_tokens import KeyCache
from mail2task.local import identities
from mail2task.local.devkey import DevSigner
from mail2task.local.gmail_standin import GmailStandIn
from mail2task.local.host import GmailHost
from mail2task.local.preview import create_app
from mail2task.local.servers import LoopbackServer

BASE = "https://europe-west1-mail2task-prod.cloudfunctions.net"
SCOPES = [
    "https://www.googleapis.com/auth/gmail.addons.execute",
    "https://www.googleapis.com/auth/userinfo.email",
]


class CountingApp:
    """The preview app (serving the dev key's /certs), counting the requests that reach it."""

    def __init__(self, app: flask.Flask) -> None:
        self.app, self.paths = app, list[str]()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.paths.append(environ["PATH_INFO"])
        return self.app(environ, start_response)


@pytest.fixture
def preview() -> Iterator[tuple[GmailHost, CountingApp, str]]:
    with GmailStandIn() as gmail:
        host = GmailHost(
            DevSigner(), gmail, BASE, identities.LOCAL_SERVICE_ACCOUNT, identities.LOCAL_OAUTH_CLIENT_ID
        )
        counting = CountingApp(create_app(host, descriptor(FunctionUrls.from_base(BASE))))
        with LoopbackServer("preview", counting) as server:
            yield host, counting, f"{server.url}/certs"


def environment(monkeypatch: pytest.MonkeyPatch, profile: str, certs_url: str | None) -> None:
    urls = FunctionUrls.from_base(BASE)
    values = {
        "MAIL2TASK_PROFILE": profile,
        "ADDON_URL": urls.addon,
        "CONVERT_URL": urls.convert,
        "INSTALL_URL": urls.install,
        "OAUTH_URL": urls.oauth,
        "ADDON_SERVICE_ACCOUNT": identities.LOCAL_SERVICE_ACCOUNT,
        "ADDON_OAUTH_CLIENT_ID": identities.LOCAL_OAUTH_CLIENT_ID,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    if certs_url:
        monkeypatch.setenv("GOOGLE_CERTS_URL", certs_url)


def signed_homepage_request(host: GmailHost) -> flask.Request:
    """Exactly what the preview posts for the homepage trigger, as a real flask.Request."""
    url = descriptor(FunctionUrls.from_base(BASE))["addOns"]["common"]["homepageTrigger"]["runFunction"]
    body = host.complete(url, {"commonEventObject": {}}, identities.user("ada"), SCOPES)
    token = body["authorizationEventObject"]["systemIdToken"]
    path, _, query = url.removeprefix(BASE).partition("?")
    builder = EnvironBuilder(
        method="POST",
        base_url=BASE,
        path=path,
        query_string=query,
        headers=[("Authorization", f"Bearer {token}")],
        data=json.dumps(body),
        content_type="application/json",
    )
    return flask.Request(builder.get_environ())


def test_the_local_profile_accepts_the_dev_key(
    monkeypatch: pytest.MonkeyPatch, preview: tuple[GmailHost, CountingApp, str]
) -> None:
    host, counting, certs_url = preview
    environment(monkeypatch, "local", certs_url)
    event = addon_request.verify_addon_request(signed_homepage_request(host))
    assert event.identity.email == "ada@example.com"
    assert event.identity.tenant == "example.com"
    assert "/certs" in counting.paths


def test_production_verifies_against_google_only_so_the_dev_key_gets_401(
    monkeypatch: pytest.MonkeyPatch, preview: tuple[GmailHost, CountingApp, str]
) -> None:
    host, counting, _ = preview
    environment(monkeypatch, "production", certs_url=None)
    google = DevSigner(
        kid="google-2026-11"
    )  # stands for Google's current keys: the dev key is not one of them
    fetched: list[str] = []

    def google_certs(url: str) -> tuple[int, Mapping[str, str], bytes]:
        fetched.append(url)
        return 200, {"Cache-Control": "public, max-age=3600"}, google.certs_json()

    # Tests override the cached factory, never the verification: the certificates come from "Google".
    monkeypatch.setattr(addon_request, "key_cache", lambda url: KeyCache(url, fetch=google_certs))
    body, status, _ = addon(signed_homepage_request(host))
    assert status == 401
    assert json.loads(body) == {"error": {"code": "unauthenticated", "message": "Unauthenticated."}}
    assert set(fetched) == {GOOGLE_CERTS_DEFAULT}
    assert counting.paths == []


def test_production_refuses_to_be_pointed_at_the_dev_certs(
    monkeypatch: pytest.MonkeyPatch, preview: tuple[GmailHost, CountingApp, str]
) -> None:
    host, counting, certs_url = preview
    environment(monkeypatch, "production", certs_url)
    body, status, _ = addon(signed_homepage_request(host))
    assert status >= 400
    assert "action" not in json.loads(body)
    assert counting.paths == []  # the dev key's certificates were never even fetched
