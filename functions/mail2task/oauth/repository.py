"""tokens/{sub} in Firestore, and the member's ``consent`` field: every write the oauth part makes.

A grant that is lost (revoked, disconnected, invalid_grant) keeps a small tombstone — status, tenant,
reason, times — with every secret field deleted, so ``consent_status`` can still answer and the add-on
can offer a Reconnect. Writes that act on something read earlier carry an ``update_time`` precondition:
if anyone changed the document in between (a new consent, a disconnect, a RISC event), the write fails
instead of overwriting newer state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from mail2task import store
from mail2task.oauth import model
from mail2task.oauth.scopes import canonical
from mail2task.oauth.vault import Sealed

if TYPE_CHECKING:
    from google.cloud import firestore

# What the refresh run reads of a due token (a projection still costs one read per document).
REFRESH_VIEW = ("tenant", "status", "keyId", "ciphertext", "refreshDueAt", "lastUsedAt", "failures")
SECRET_FIELDS = ("ciphertext", "keyId", "rtPrefixHash", "rtHash", "accessExpiresAt", "refreshDueAt")


def token_ref(db: firestore.Client, sub: str) -> firestore.DocumentReference:
    ref: firestore.DocumentReference = db.collection(store.TOKENS).document(sub)
    return ref


def member_ref(db: firestore.Client, tenant: str, sub: str) -> firestore.DocumentReference:
    ref: firestore.DocumentReference = (
        db.collection(store.TENANTS).document(tenant).collection(store.MEMBERS).document(sub)
    )
    return ref


def get(db: firestore.Client, sub: str) -> tuple[model.TokenRecord | None, Any]:
    """The token record of ``sub`` and its snapshot (for preconditions), or (None, snapshot)."""
    snapshot = token_ref(db, sub).get()
    if not snapshot.exists:
        return None, snapshot
    return model.TokenRecord.from_dict(sub, snapshot.to_dict() or {}), snapshot


def refresh_fields(
    *,
    sealed: Sealed,
    refresh_token: str,
    scopes: tuple[str, ...] | None,
    access_expires_at: dt.datetime | None,
    refresh_due_at: dt.datetime,
    now: dt.datetime,
) -> dict[str, Any]:
    """The fields a successful exchange or refresh writes (``scopes`` None: unchanged)."""
    prefix_hash, double_hash = model.risc_identifiers(refresh_token)
    fields: dict[str, Any] = {
        "keyId": sealed.key_id,
        "ciphertext": sealed.blob,
        "rtPrefixHash": prefix_hash,
        "rtHash": double_hash,
        "accessExpiresAt": access_expires_at,
        "lastRefreshedAt": now,
        "refreshDueAt": refresh_due_at,
        "failures": 0,
        "lastError": None,
        "updatedAt": now,
    }
    if scopes is not None:
        fields["scopes"] = sorted({canonical(s) for s in scopes})
    return fields


def holds_refresh_token(data: dict[str, Any], refresh_token: str) -> bool:
    """Whether a token document (as just read) still holds the grant of ``refresh_token``: granted, with
    that very refresh token. A write that lost its precondition to bookkeeping (``lastUsedAt``, a key
    rotation's re-seal) may then be made again; after a new consent, a disconnect or a RISC event it
    may not."""
    return (
        data.get("status") == model.GRANTED and data.get("rtHash") == model.risc_identifiers(refresh_token)[1]
    )


def grant_fields(*, tenant: str, **refresh: Any) -> dict[str, Any]:
    """The fields of a new consent: a refresh's fields plus tenant and status."""
    return {**refresh_fields(**refresh), "tenant": tenant, "status": model.GRANTED}


def _grant_document(sub: str, fields: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    document = {
        **fields,
        "sub": sub,
        "partition": model.partition_of(sub),
        "grantedAt": now,
        "lastUsedAt": now,
    }
    document.update({"statusReason": "consent", "statusChangedAt": now})
    return document


def save_grant(db: firestore.Client, sub: str, fields: dict[str, Any], now: dt.datetime) -> None:
    """Store a fresh consent: the whole token document, and the member's consent ``granted``, atomically."""
    batch = db.batch()
    batch.set(token_ref(db, sub), _grant_document(sub, fields, now))
    batch.set(member_ref(db, fields["tenant"], sub), consent_fields(model.GRANTED, now), merge=True)
    batch.commit()


def tenant_ref(db: firestore.Client, tenant: str) -> firestore.DocumentReference:
    ref: firestore.DocumentReference = db.collection(store.TENANTS).document(tenant)
    return ref


# (tenant document, member document) -> may the grant be stored; None for a missing document
GrantCheck = Callable[[dict[str, Any] | None, dict[str, Any] | None], bool]


def save_grant_if(
    db: firestore.Client, sub: str, fields: dict[str, Any], now: dt.datetime, allowed: GrantCheck
) -> bool:
    """``save_grant``, in one transaction with a read of the tenant and member documents, and only if
    ``allowed`` says so on what they hold at that moment (a removal that lands first wins)."""
    from google.cloud import firestore

    t_ref, m_ref = tenant_ref(db, fields["tenant"]), member_ref(db, fields["tenant"], sub)

    @firestore.transactional
    def save(transaction: firestore.Transaction) -> bool:
        snaps = {s.reference.path: s for s in transaction.get_all([t_ref, m_ref])}
        tenant, member = snaps.get(t_ref.path), snaps.get(m_ref.path)
        if not allowed(
            (tenant.to_dict() or {}) if tenant is not None and tenant.exists else None,
            (member.to_dict() or {}) if member is not None and member.exists else None,
        ):
            return False
        transaction.set(token_ref(db, sub), _grant_document(sub, fields, now))
        transaction.set(m_ref, consent_fields(model.GRANTED, now), merge=True)
        return True

    result: bool = save(db.transaction())
    return result


def consent_fields(status: str, now: dt.datetime) -> dict[str, Any]:
    return {"consent": status, "consentChangedAt": now}


def mark_lost(
    db: firestore.Client,
    sub: str,
    tenant: str,
    *,
    status: str,
    reason: str,
    now: dt.datetime,
    if_unchanged_since: Any = None,
) -> None:
    """Delete the grant's secrets, keep a tombstone with ``status``, and tell the member document.

    With ``if_unchanged_since`` (a snapshot update time) the write fails with FailedPrecondition if the
    token document changed since it was read.
    """
    from google.cloud import firestore

    tombstone: dict[str, Any] = dict.fromkeys(SECRET_FIELDS, firestore.DELETE_FIELD)
    tombstone.update({"status": status, "statusReason": reason, "statusChangedAt": now, "updatedAt": now})
    batch = db.batch()
    ref = token_ref(db, sub)
    if if_unchanged_since is not None:
        batch.update(ref, tombstone, option=db.write_option(last_update_time=if_unchanged_since))
    else:
        batch.set(ref, {**tombstone, "sub": sub, "tenant": tenant}, merge=True)
    if tenant:
        batch.set(member_ref(db, tenant, sub), consent_fields(status, now), merge=True)
    batch.commit()


def due_page(
    db: firestore.Client, partition: int, now: dt.datetime, limit: int, after: Any = None
) -> list[Any]:
    """Up to ``limit`` granted tokens of ``partition`` due by ``now``, oldest due first (indexed query),
    with the fields of ``REFRESH_VIEW`` only."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    query = (
        db.collection(store.TOKENS)
        .where(filter=FieldFilter("status", "==", model.GRANTED))
        .where(filter=FieldFilter("partition", "==", partition))
        .where(filter=FieldFilter("refreshDueAt", "<=", now))
        .order_by("refreshDueAt")
        .limit(limit)
        .select(REFRESH_VIEW)  # decoding fewer fields is a third of the CPU per document
    )
    if after is not None:
        query = query.start_after(after)
    return list(query.stream())


def by_identifier(db: firestore.Client, field: str, value: str, limit: int = 10) -> Iterator[Any]:
    """Token documents whose RISC identifier ``field`` (rtPrefixHash or rtHash) equals ``value``."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    return iter(
        db.collection(store.TOKENS).where(filter=FieldFilter(field, "==", value)).limit(limit).stream()
    )
