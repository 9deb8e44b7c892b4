"""First use = installation: register the tenant, the member and users/{sub} in one atomic commit.

The hot path is one batched read of the tenant and member documents. Only when one is missing (or the
member was added by an admin and never seen) is a commit made. That commit is a write batch whose
``create()`` preconditions make it all-or-nothing: when concurrent first requests race, exactly one commit
creates the tenant, every other one fails as a whole with ``Conflict`` and is retried against what now
exists. This gives the guarantee of a read-modify-write transaction without transaction read locks on
the shared tenant document (which contend badly; see reliability-and-security.md §B.1 and §B.6).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mail2task import store
from mail2task.errors import StoreUnavailable
from mail2task.tenancy.model import ACCESS_NONE, ACTIVE, CONSENT_NONE, MEMBER, ONLY_ME, Member, Tenant

if TYPE_CHECKING:
    from google.cloud import firestore

    from mail2task.identity import Identity

ATTEMPTS = 4
EXPIRES_AT = "expiresAt"  # set by offboarding; once passed, the document counts as deleted


def expired(data: Mapping[str, Any], now: dt.datetime) -> bool:
    """Whether a record's retention has ended (``expiresAt`` passed): deleted, or due to be by TTL."""
    value = data.get(EXPIRES_AT)
    return isinstance(value, dt.datetime) and value <= now


@dataclass(frozen=True)
class Registration:
    tenant: Tenant
    member: Member
    first_use: bool  # this request registered the member (onboarding)


def tenant_ref(client: firestore.Client, tenant: str) -> firestore.DocumentReference:
    ref: firestore.DocumentReference = client.collection(store.TENANTS).document(tenant)
    return ref


def member_ref(client: firestore.Client, tenant: str, sub: str) -> firestore.DocumentReference:
    ref: firestore.DocumentReference = tenant_ref(client, tenant).collection(store.MEMBERS).document(sub)
    return ref


def new_tenant_doc(tenant: str, now: dt.datetime) -> dict[str, Any]:
    return {
        "domain": tenant,
        "createdAt": now,
        "status": ACTIVE,
        "policy": {"mode": ONLY_ME, "updatedBy": None, "updatedAt": now},
        "admins": [],
        "license": {"state": "UNKNOWN", "kind": "none", "checkedAt": None, "failedAt": None},
    }


def new_member_doc(identity: Identity, now: dt.datetime) -> dict[str, Any]:
    return {
        "sub": identity.sub,
        "email": identity.email,
        "name": (identity.name or "")[:200],
        "role": MEMBER,
        "access": ACCESS_NONE,
        "consent": CONSENT_NONE,
        "firstSeen": now,
        "lastSeen": now,
    }


def _seen_fields(identity: Identity, now: dt.datetime) -> dict[str, Any]:
    return {"email": identity.email, "name": (identity.name or "")[:200], "firstSeen": now, "lastSeen": now}


def load_or_register(identity: Identity, now: dt.datetime) -> Registration:
    """The tenant and member records of ``identity``, registering them on first use (again, when the
    member record is a leftover whose retention period has ended: TTL deletion lags up to a day)."""
    from google.api_core import exceptions
    from google.cloud import firestore

    client = store.firestore_client()
    tenant_id = identity.tenant
    t_ref, m_ref = tenant_ref(client, tenant_id), member_ref(client, tenant_id, identity.sub)
    for _ in range(ATTEMPTS):
        try:
            snaps = {s.reference.path: s for s in client.get_all([t_ref, m_ref])}
        except exceptions.GoogleAPICallError as error:
            raise StoreUnavailable("tenant records unavailable") from error
        t_snap, m_snap = snaps[t_ref.path], snaps[m_ref.path]
        t_data: Mapping[str, Any] = (t_snap.to_dict() or {}) if t_snap.exists else {}
        m_data: Mapping[str, Any] = (m_snap.to_dict() or {}) if m_snap.exists else {}
        stale = m_snap.exists and expired(m_data, now)
        if t_snap.exists and m_snap.exists and m_data.get("firstSeen") is not None and not stale:
            return Registration(
                Tenant.from_dict(tenant_id, t_data), Member.from_dict(identity.sub, m_data), False
            )
        batch = client.batch()
        user_fields: dict[str, Any] = {"email": identity.email, "tenant": tenant_id, "firstSeen": now}
        if not t_snap.exists:
            t_data = new_tenant_doc(tenant_id, now)
            batch.create(t_ref, t_data)
        if not m_snap.exists:
            m_data = new_member_doc(identity, now)
            batch.create(m_ref, m_data)
        elif stale:  # left over from an install whose retention period ended: a new person, no old access
            m_data = new_member_doc(identity, now)
            batch.set(m_ref, m_data)
            user_fields[EXPIRES_AT] = firestore.DELETE_FIELD
        else:  # added by an admin (or touched by the oauth part) before the person's first request
            seen = _seen_fields(identity, now)
            batch.update(m_ref, seen)
            m_data = {**m_data, **seen}
        users_ref = client.collection(store.USERS).document(identity.sub)
        batch.set(users_ref, user_fields, merge=True)
        try:
            batch.commit()
        except exceptions.Conflict:
            continue  # another first request won the race: read again, create only what is still missing
        except exceptions.GoogleAPICallError as error:
            raise StoreUnavailable("could not register the tenant") from error
        return Registration(Tenant.from_dict(tenant_id, t_data), Member.from_dict(identity.sub, m_data), True)
    raise StoreUnavailable("could not register the tenant (too much contention)")
