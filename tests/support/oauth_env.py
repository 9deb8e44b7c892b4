"""Shared pieces of the oauth tests: configuration pointing at loopback stand-ins, a frozen clock,
a browser that follows Google's redirect without logging, the entry points behind a Flask test client."""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import os
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import flask
import pytest

from mail2task.identity import Identity
from mail2task.local.oauth_standin import OAuthStandIn, User
from mail2task.oauth.runtime import Runtime
from tests.support.oauth_logscan import REGISTRY

REDIRECT_URL = "https://mail2task.example.com/oauth"
RETURN_TARGET = "https://mail2task.example.com/connected"
REFRESH_URL = "https://mail2task.example.com/refresh"
SCHEDULER = "scheduler@demo-mail2task.iam.gserviceaccount.com"
TENANT = "example.com"
GMAIL_SEND = "https://www.googleapis.com/auth/gmail.send"


def new_key() -> tuple[str, bytes]:
    """A fresh token key as mounted (base64 text) and raw; registered as a secret."""
    raw = os.urandom(32)
    text = base64.b64encode(raw).decode()
    REGISTRY.add(text, base64.urlsafe_b64encode(raw).decode(), raw.hex())
    return text, raw


@dataclass
class Clock:
    """A settable aware-UTC clock."""

    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC).replace(microsecond=0))

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def configure(
    monkeypatch: pytest.MonkeyPatch, standin: OAuthStandIn, *, key: str, version: str = "1"
) -> None:
    """Environment of every oauth function, pointed at ``standin`` (the local profile allows that)."""
    values = {
        "MAIL2TASK_PROFILE": "local",
        "OAUTH_CLIENT_ID": standin.client_id,
        "OAUTH_CLIENT_SECRET": standin.client_secret,
        "OAUTH_AUTH_URL": standin.auth_url,
        "OAUTH_TOKEN_URL": standin.token_url,
        "OAUTH_REVOKE_URL": standin.revoke_url,
        "GOOGLE_CERTS_URL": standin.certs_url,
        "RISC_CONFIG_URL": standin.risc_config_url,
        "OAUTH_REDIRECT_URL": REDIRECT_URL,
        "OAUTH_RETURN_TARGETS": RETURN_TARGET,
        "OAUTH_HTTP_TIMEOUT_SECONDS": "2",
        "TOKEN_ENCRYPTION_KEY": key,
        "TOKEN_ENCRYPTION_KEY_VERSION": version,
        "REFRESH_URL": REFRESH_URL,
        "SCHEDULER_SERVICE_ACCOUNT": SCHEDULER,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def identity(sub: str = "1001", email: str = "ann@example.com", hd: str | None = TENANT) -> Identity:
    return Identity(sub=sub, email=email, hd=hd)


def user_of(who: Identity) -> User:
    return User(sub=who.sub, email=who.email, hd=who.hd)


def browser_get(url: str) -> tuple[int, dict[str, str], bytes]:
    """One GET like a browser's, without following redirects and without logging the URL."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        connection.request("GET", parts.path + ("?" + parts.query if parts.query else ""))
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def query_of(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def consent_redirect(url: str) -> dict[str, str]:
    """Visit Google's (stand-in) consent page at ``url``; the query Google sends the browser back with."""
    status, headers, _ = browser_get(url)
    assert status == 302, status
    back = query_of(headers["Location"])
    REGISTRY.add(back.get("code"), back.get("state"))
    return back


def begin_url(url: str) -> str:
    """Register the state in a consent URL returned by ``begin`` (and return it unchanged)."""
    REGISTRY.add(query_of(url).get("state"), query_of(url).get("nonce"))
    return url


def app_client(view: Callable[[flask.Request], Any]) -> Any:
    """A Flask test client serving one entry point at ``/`` (as functions-framework would)."""
    app = flask.Flask(view.__name__)
    app.add_url_rule("/", view.__name__, lambda: view(flask.request), methods=["GET", "POST", "PUT"])
    return app.test_client()


def runtime(clock: Clock | None = None) -> Runtime:
    return Runtime(clock=clock or Clock())


SEED_SCOPES = frozenset({"openid", "https://www.googleapis.com/auth/userinfo.email", GMAIL_SEND})


def seed_grant(
    db: Any,
    standin: OAuthStandIn,
    sub: str,
    now: dt.datetime,
    *,
    expires_in: dt.timedelta = dt.timedelta(minutes=5),
    due_in: dt.timedelta | None = None,
    tenant: str = TENANT,
) -> str:
    """A stored grant for ``sub`` as a finished consent leaves it (refresh token known to ``standin``);
    due ``due_in`` from ``now`` (default: when the refresh window opens, 20 minutes before expiry)."""
    from mail2task.oauth import repository
    from mail2task.oauth.vault import TokenSecrets, default_vault

    refresh_token = standin.add_grant(sub, set(SEED_SCOPES))
    access_token = "ya29.seeded-" + os.urandom(12).hex()
    REGISTRY.add(access_token)
    due = now + (due_in if due_in is not None else expires_in - dt.timedelta(minutes=20))
    fields = repository.grant_fields(
        tenant=tenant,
        sealed=default_vault().seal(TokenSecrets(refresh_token, access_token), sub),
        refresh_token=refresh_token,
        scopes=tuple(SEED_SCOPES),
        access_expires_at=now + expires_in,
        refresh_due_at=due,
        now=now,
    )
    repository.save_grant(db, sub, fields, now)
    return refresh_token


def stored_secrets(db: Any, sub: str) -> Any:
    """The tokens stored for ``sub``, opened with the configured vault (None when none are stored)."""
    from mail2task.oauth.vault import Sealed, default_vault

    data = db.collection("tokens").document(sub).get().to_dict() or {}
    if "ciphertext" not in data:
        return None
    return default_vault().open(Sealed(data["keyId"], data["ciphertext"]), sub)


def refresh_settings(**change: Any) -> Any:
    """The refresh function's settings from the environment, small enough for tests, with ``change``."""
    import dataclasses

    from mail2task.config import RefreshSettings, load

    return dataclasses.replace(load(RefreshSettings), **{"concurrency": 4, "page_size": 5, **change})


def refresh_run(clock: Clock, db: Any = None, **change: Any) -> Any:
    """One refresh run at ``clock``; checks that every picked token ended in exactly one outcome."""
    from mail2task.oauth.refresh_job import RefreshRun

    summary = RefreshRun(refresh_settings(**change), runtime=Runtime(clock=clock, db=db)).run()
    outcomes = summary.refreshed + summary.retried + summary.revoked + summary.skipped
    assert outcomes == summary.picked
    return summary
