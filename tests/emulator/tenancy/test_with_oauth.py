"""Tenancy with the real oauth part (vault, consent start, disconnect) against the OAuth stand-in."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from typing import Any

from mail2task import store
from mail2task.config import TenancySettings
from mail2task.identity import Identity
from mail2task.local.oauth_standin import OAuthStandIn
from mail2task.tenancy import admission, people
from mail2task.tenancy.admission import admit
from mail2task.tenancy.authz import require_admin
from mail2task.tenancy.runtime import OAuthGrants, TenancyRuntime
from mail2task.tenancy.scopes import MEMBER_SCOPES
from tests.support.oauth_env import seed_grant, stored_secrets
from tests.support.oauth_fixtures import oauth_env, signer, standin, token_key

__all__ = ["oauth_env", "signer", "standin", "token_key"]  # fixtures used below

TENANT = "example.com"
ADA = Identity(sub="1001", email="ada@example.com", hd=TENANT, name="Ada Admin")
BOB = Identity(sub="1002", email="bob@example.com", hd=TENANT, name="Bob Builder")


def _tenant(db: Any, now: dt.datetime) -> None:
    tenant = db.collection(store.TENANTS).document(TENANT)
    tenant.set({"domain": TENANT, "status": "active", "policy": {"mode": "all_users"},
                "admins": [{"sub": ADA.sub, "email": ADA.email, "name": "Ada Admin"}]})  # fmt: skip
    for who, role, access in ((ADA, "admin", "allowed"), (BOB, "member", "none")):
        tenant.collection(store.MEMBERS).document(who.sub).set({
            "sub": who.sub, "email": who.email, "name": who.name, "role": role, "access": access,
            "consent": "none", "firstSeen": now, "lastSeen": now,
        })  # fmt: skip


def test_consent_link_removal_and_revocation_go_through_the_oauth_part(oauth_env: OAuthStandIn) -> None:
    db = store.firestore_client()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    _tenant(db, now)
    runtime = TenancyRuntime(settings=TenancySettings(profile="local"), grants=OAuthGrants(), now=lambda: now)

    # bob may use the app but has not connected: his card links to Google's consent page for him
    pending = admit(BOB, runtime=runtime)
    assert pending.reason == admission.CONSENT_NEEDED
    card_text = str(pending.card)
    url = card_text.split("'url': '")[1].split("'")[0]
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert url.startswith(oauth_env.auth_url)
    assert (query["login_hint"], query["access_type"], query["code_challenge_method"]) == (
        BOB.email, "offline", "S256")  # fmt: skip
    assert set(MEMBER_SCOPES) <= set(query["scope"].split())

    # both connected (the oauth part stores the grants and marks the members)
    seed_grant(db, oauth_env, ADA.sub, now, tenant=TENANT)
    refresh_token = seed_grant(db, oauth_env, BOB.sub, now, tenant=TENANT)
    assert admit(BOB, runtime=runtime).allowed
    ctx = require_admin(ADA, admit(ADA, runtime=runtime), "people.remove", now)

    people.remove_person(ctx, BOB.sub, runtime)
    assert oauth_env.is_revoked(refresh_token)  # revoked at Google
    assert stored_secrets(db, BOB.sub) is None  # and deleted here
    member = db.document(f"tenants/{TENANT}/members/{BOB.sub}").get().to_dict() or {}
    assert (member["access"], member["consent"], member["revocation"]) == ("removed", "revoked", "done")
    assert admit(BOB, runtime=runtime).reason == admission.NOT_ALLOWED
