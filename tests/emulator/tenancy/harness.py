"""Tenancy test harness: stand-ins for Licensing/Directory/Gmail, a settable clock, and a grant store.

``StandInGrants`` plays the oauth part's side of the contract the way the oauth part does it: consent
is recorded as the ``consent`` field merged into the member document, access tokens are minted by the
stand-ins (Directory and Gmail accept the same token), and ``disconnect`` revokes (the token stops
working at both stand-ins) and marks the member ``revoked``. Connect buttons post to ``OAUTH_URL``
(the `oauth` function answers them; tests/emulator/tenancy/test_with_oauth.py clicks one for real).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

from google.oauth2.credentials import Credentials

from mail2task import store
from mail2task.config import TenancySettings
from mail2task.errors import ConsentRequired
from mail2task.google.gmail_send import GmailSender
from mail2task.google.licensing import LOCAL_ACCESS_TOKEN, LicenseClient
from mail2task.identity import Identity
from mail2task.local.directory_standin import DirectoryStandIn
from mail2task.local.gmail_standin import GmailStandIn
from mail2task.local.licensing_standin import LicensingStandIn
from mail2task.tenancy.admission import Admission, admit
from mail2task.tenancy.authz import AdminContext, require_admin
from mail2task.tenancy.runtime import TenancyRuntime
from mail2task.tenancy.scopes import ADMIN_SCOPES, MEMBER_SCOPES
from tests.support.addon_requests import OAUTH_URL

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@dataclass
class Clock:
    now: dt.datetime = START

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@dataclass
class StandInGrants:
    directory: DirectoryStandIn
    gmail: GmailStandIn
    granted: dict[str, frozenset[str]] = field(default_factory=dict)  # sub -> scopes
    tokens: dict[str, str] = field(default_factory=dict)  # sub -> live access token
    disconnected: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def complete_consent(self, identity: Identity, scopes: Sequence[str]) -> None:
        """What the oauth callback does when the user finishes consent."""
        with self.lock:
            self.granted[identity.sub] = self.granted.get(identity.sub, frozenset()) | frozenset(scopes)
            token = self.directory.grant(identity.sub, self.granted[identity.sub])
            self.gmail.grant_user_token(self.granted[identity.sub], token=token)
            self.tokens[identity.sub] = token
        self._merge_consent(identity.tenant, identity.sub, "granted")

    def _merge_consent(self, tenant: str, sub: str, state: str) -> None:
        ref = store.firestore_client().collection(store.TENANTS).document(tenant).collection(store.MEMBERS)
        ref.document(sub).set({"consent": state}, merge=True)

    def credentials_for(self, sub: str, scopes: Sequence[str]) -> Credentials:
        with self.lock:
            token = self.tokens.get(sub)
            if token is None or not set(scopes) <= self.granted.get(sub, frozenset()):
                raise ConsentRequired("consent needed")
        return Credentials(token=token)

    def disconnect(self, sub: str, *, reason: str) -> None:
        with self.lock:
            self.disconnected.append((sub, reason))
            token = self.tokens.pop(sub, None)
            self.granted.pop(sub, None)
        if token:  # revoked at "Google": the directory stops accepting it
            self.directory.revoke(token)
        user = store.firestore_client().collection(store.USERS).document(sub).get()
        tenant = (user.to_dict() or {}).get("tenant")
        if tenant:
            self._merge_consent(tenant, sub, "revoked")


@dataclass
class Stack:
    licensing: LicensingStandIn
    directory: DirectoryStandIn
    gmail: GmailStandIn
    grants: StandInGrants
    clock: Clock
    runtime: TenancyRuntime

    def identity(self, email: str) -> Identity:
        """The verified identity of a directory user (``sub`` = the directory id, ``hd`` = the domain)."""
        user = self.directory.find(email)
        return Identity(
            sub=user["id"], email=email, hd=email.rpartition("@")[2], name=user["name"]["fullName"]
        )

    def person(self, email: str, name: str, *, admin: bool = False) -> Identity:
        self.directory.add_user(email, name, admin=admin)
        return self.identity(email)

    def admit(self, identity: Identity) -> Admission:
        return admit(identity, runtime=self.runtime)

    def install_with_admin(self, email: str = "ada@acme.test", name: str = "Ada Lindqvist") -> Identity:
        """A domain install whose first Workspace admin opened the add-on and connected."""
        self.licensing.license_domain(email.rpartition("@")[2])
        ada = self.person(email, name, admin=True)
        self.admit(ada)
        self.grants.complete_consent(ada, ADMIN_SCOPES)
        admitted = self.admit(ada)
        assert admitted.is_admin, admitted.reason
        return ada

    def connect(self, identity: Identity) -> Admission:
        self.grants.complete_consent(identity, MEMBER_SCOPES)
        return self.admit(identity)

    def ctx(self, identity: Identity) -> AdminContext:
        return require_admin(identity, self.admit(identity), "test", self.clock())

    def tenant_ref(self, tenant: str) -> Any:
        return store.firestore_client().collection(store.TENANTS).document(tenant)

    def member_ref(self, tenant: str, sub: str) -> Any:
        return self.tenant_ref(tenant).collection(store.MEMBERS).document(sub)

    def member_doc(self, tenant: str, sub: str) -> dict[str, Any]:
        return self.member_ref(tenant, sub).get().to_dict() or {}

    def tenant_doc(self, tenant: str) -> dict[str, Any]:
        return self.tenant_ref(tenant).get().to_dict() or {}

    def audit(self, tenant: str) -> list[dict[str, Any]]:
        ref = store.firestore_client().collection(store.TENANTS).document(tenant).collection("audit")
        return sorted((s.to_dict() or {} for s in ref.stream()), key=lambda d: d["at"])


def connect_scopes(card: dict[str, Any] | None) -> tuple[str, ...] | None:
    """The scopes a card's connect button asks the `oauth` function for (None: no such button)."""
    clicks = [
        button["onClick"]
        for section in (card or {}).get("sections", [])
        for widget in section["widgets"]
        for button in widget.get("buttonList", {}).get("buttons", [])
        if "openDynamicLinkAction" in button["onClick"]
    ]
    if not clicks:
        return None
    [on_click] = clicks
    action = on_click["openDynamicLinkAction"]
    assert action["function"] == OAUTH_URL
    parameters = {p["key"]: p["value"] for p in action["parameters"]}
    assert parameters["action"] == "connect"
    return tuple(parameters["scopes"].split())


def settings(**overrides: Any) -> TenancySettings:
    values: dict[str, Any] = {"profile": "local", "marketplace_app_id": "123456789012"}
    values.update(overrides)
    return TenancySettings(**values)


@contextmanager
def stack(**overrides: Any) -> Iterator[Stack]:
    with ExitStack() as stop:
        licensing = stop.enter_context(LicensingStandIn())
        directory = stop.enter_context(DirectoryStandIn())
        gmail = stop.enter_context(GmailStandIn(require_known_tokens=True))
        grants = StandInGrants(directory, gmail)
        clock = Clock()
        tenancy = settings(
            licensing_api_endpoint=licensing.endpoint, directory_api_endpoint=directory.endpoint, **overrides
        )
        runtime = TenancyRuntime(
            settings=tenancy,
            grants=grants,
            now=clock,
            licenses=LicenseClient(
                tenancy.marketplace_app_id,
                endpoint=licensing.endpoint,
                credentials=lambda: Credentials(token=LOCAL_ACCESS_TOKEN),
            ),
            mailer=GmailSender(gmail.endpoint),
            oauth_url=OAUTH_URL,
        )
        yield Stack(licensing, directory, gmail, grants, clock, runtime)
