"""Signed add-on requests for tests: a loopback certificate endpoint, Google-shaped tokens, event bodies.

``AddonClient`` plays Gmail's side: it mints the system ID token (audience = the URL it posts to) and the
user's ``userIdToken`` with a development key, builds the event JSON Gmail sends, wraps it in a real
``flask.Request`` and calls the entry point, returning ``(status, JSON body)``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import flask
from werkzeug.test import EnvironBuilder

from mail2task.addon.deployment import (
    CONTEXTUAL,
    GMAIL_CURRENT_MESSAGE,
    GMAIL_EXECUTE,
    HOMEPAGE,
    USERINFO_EMAIL,
    trigger_url,
)
from mail2task.local.devkey import DevSigner, system_claims, user_claims
from mail2task.local.servers import HttpStandIn, QuietHandler, StandInServer

ADDON_URL = "https://addon.test/addon"
CONVERT_URL = "https://addon.test/convert"
INSTALL_URL = "https://addon.test/install"
OAUTH_URL = "https://addon.test/oauth"
SERVICE_ACCOUNT = "service-42@gcp-sa-gsuiteaddons.iam.gserviceaccount.com"
CLIENT_ID = "42-addon.apps.googleusercontent.com"
ALL_SCOPES = (GMAIL_EXECUTE, GMAIL_CURRENT_MESSAGE, USERINFO_EMAIL)
USER_OAUTH_TOKEN = "ya29.test-user-token"
GMAIL_ACCESS_TOKEN = "gmail-access-test"


class CertsServer(HttpStandIn):
    """Serves a signer's certificates in Google's oauth2/v1/certs format on 127.0.0.1, counting fetches."""

    def __init__(self, signer: DevSigner, max_age: int = 3600) -> None:
        self.signer, self.max_age = signer, max_age
        self.fetches = 0
        super().__init__("certs-server", _CertsHandler)

    @property
    def url(self) -> str:
        return f"{self.endpoint}/oauth2/v1/certs"


class _CertsHandler(QuietHandler):
    server: StandInServer[CertsServer]

    def do_GET(self) -> None:
        certs = self.server.standin
        certs.fetches += 1
        self.send_json(200, certs.signer.certs_json(), {"Cache-Control": f"public, max-age={certs.max_age}"})


def certs_server(signer: DevSigner) -> CertsServer:
    """A certificate server for ``with``: started on entry, stopped on exit."""
    return CertsServer(signer)


@dataclass(frozen=True)
class User:
    sub: str
    email: str
    hd: str | None
    name: str = ""


def addon_env(certs_url: str, gmail_endpoint: str = "https://gmail.googleapis.com") -> dict[str, str]:
    """The environment of the `addon` and `convert` functions in the local profile."""
    return {
        "MAIL2TASK_PROFILE": "local",
        "ADDON_URL": ADDON_URL,
        "CONVERT_URL": CONVERT_URL,
        "INSTALL_URL": INSTALL_URL,
        "OAUTH_URL": OAUTH_URL,
        "ADDON_SERVICE_ACCOUNT": SERVICE_ACCOUNT,
        "ADDON_OAUTH_CLIENT_ID": CLIENT_ID,
        "GOOGLE_CERTS_URL": certs_url,
        "GMAIL_API_ENDPOINT": gmail_endpoint,
    }


def build_request(
    url: str, body: bytes | Mapping[str, Any], headers: Mapping[str, str] | None = None
) -> flask.Request:
    """A real ``flask.Request`` POSTing ``body`` to ``url`` (path and query string as given)."""
    path, _, query = url.removeprefix("https://addon.test").partition("?")
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    builder = EnvironBuilder(
        method="POST",
        path=path,
        query_string=query,
        headers=list((headers or {}).items()),
        data=data,
        content_type="application/json",
    )
    return flask.Request(builder.get_environ())


@dataclass
class AddonClient:
    """Gmail's side of the add-on protocol, for one signing key."""

    signer: DevSigner = field(default_factory=DevSigner)

    def system_token(self, audience: str, **overrides: Any) -> str:
        return self.signer.mint({**system_claims(audience, SERVICE_ACCOUNT), **overrides})

    def user_token(self, user: User, **overrides: Any) -> str:
        claims = user_claims(CLIENT_ID, user.sub, user.email, user.hd)
        if user.name:
            claims["name"] = user.name
        return self.signer.mint({**claims, **overrides})

    def event(
        self,
        user: User,
        *,
        message_id: str | None = None,
        thread_id: str | None = None,
        parameters: Mapping[str, str] | None = None,
        form: Mapping[str, Any] | None = None,
        scopes: tuple[str, ...] | None = ALL_SCOPES,
        user_oauth_token: str = USER_OAUTH_TOKEN,
        access_token: str = GMAIL_ACCESS_TOKEN,
    ) -> dict[str, Any]:
        """The event JSON Gmail posts (``form``: name -> list of strings, or {"ms": int} for a date)."""
        common: dict[str, Any] = {"hostApp": "GMAIL", "platform": "WEB"}
        if parameters:
            common["parameters"] = dict(parameters)
        if form:
            inputs: dict[str, Any] = {}
            for name, value in form.items():
                if isinstance(value, dict):
                    inputs[name] = {"dateInput": {"msSinceEpoch": str(value["ms"])}}
                else:
                    inputs[name] = {"stringInputs": {"value": list(value)}}
            common["formInputs"] = inputs
        auth: dict[str, Any] = {"userOAuthToken": user_oauth_token, "userIdToken": self.user_token(user)}
        if scopes is not None:
            auth["authorizedScopes"] = list(scopes)
        body: dict[str, Any] = {"commonEventObject": common, "authorizationEventObject": auth}
        if message_id:
            body["gmail"] = {"messageId": message_id, "threadId": thread_id, "accessToken": access_token}
        return body

    def post(
        self, url: str, body: bytes | Mapping[str, Any], *, token: str | None = None, **headers: str
    ) -> tuple[int, dict[str, Any]]:
        """POST ``body`` to the entry point serving ``url``, signed for ``url`` unless ``token`` is given."""
        from mail2task.entrypoints.addon import addon, convert

        bearer = token if token is not None else self.system_token(url)
        request = build_request(url, body, {"Authorization": f"Bearer {bearer}", **headers})
        entry = convert if url.startswith(CONVERT_URL) else addon
        payload, status, _ = entry(request)
        return status, json.loads(payload)

    def homepage(self, user: User, **event: Any) -> tuple[int, dict[str, Any]]:
        return self.post(trigger_url(ADDON_URL, HOMEPAGE), self.event(user, **event))

    def open_message(
        self, user: User, message_id: str, thread_id: str, **event: Any
    ) -> tuple[int, dict[str, Any]]:
        body = self.event(user, message_id=message_id, thread_id=thread_id, **event)
        return self.post(trigger_url(ADDON_URL, CONTEXTUAL), body)

    def action(self, url: str, user: User, action: str, **event: Any) -> tuple[int, dict[str, Any]]:
        parameters = {"action": action, **event.pop("parameters", {})}
        return self.post(url, self.event(user, parameters=parameters, **event))


def card_of(response: Mapping[str, Any]) -> dict[str, Any]:
    """The card a trigger or action response shows (pushCard or updateCard)."""
    action = response.get("renderActions", response).get("action", {})
    navigation = action["navigations"][0]
    card: dict[str, Any] = navigation.get("pushCard") or navigation["updateCard"]
    return card


def notification_of(response: Mapping[str, Any]) -> str | None:
    action = response.get("renderActions", response).get("action", {})
    text: str | None = action.get("notification", {}).get("text")
    return text


def widgets_of(card: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [w for s in card["sections"] for w in s["widgets"]]


def texts_of(card: Mapping[str, Any]) -> str:
    """Every piece of text on a card, for "does it say X" assertions."""
    return json.dumps(card, ensure_ascii=False)


def data(snapshot: Any) -> dict[str, Any]:
    """A Firestore snapshot's fields ({} when the document does not exist)."""
    fields: dict[str, Any] = snapshot.to_dict() or {}
    return fields


def seed_member(user: User, *, consent: str = "granted", admin: bool = False, access: str = "none") -> None:
    """Register ``user`` the way tenancy stores people: a tenant open to all its users, one member record.

    The shapes are tenancy's (tenants/{tenant}, tenants/{tenant}/members/{sub}); an app without a
    Marketplace listing is "unmanaged", so admission then only checks the policy and the consent.
    """
    import datetime as dt

    from mail2task import store

    assert user.hd
    db = store.firestore_client()
    now = dt.datetime.now(dt.UTC)
    tenant = db.collection(store.TENANTS).document(user.hd)
    if not tenant.get().exists:
        tenant.set(
            {
                "domain": user.hd,
                "createdAt": now,
                "status": "active",
                "policy": {"mode": "all_users", "updatedBy": user.sub, "updatedAt": now},
                "admins": [{"sub": user.sub, "email": user.email, "name": user.name}],
                "license": {"state": "ACTIVE", "kind": "unmanaged", "checkedAt": now, "failedAt": None},
            }
        )
    member = {
        "sub": user.sub,
        "email": user.email,
        "name": user.name,
        "role": "admin" if admin else "member",
        "access": access,
        "consent": consent,
        "firstSeen": now,
        "lastSeen": now,
    }
    tenant.collection(store.MEMBERS).document(user.sub).set(member)
