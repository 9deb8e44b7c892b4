"""The audit trail: tenants/{tenant}/audit/{id} records who did what, when, and whether it was allowed."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mail2task import store

if TYPE_CHECKING:
    from google.cloud import firestore

    from mail2task.identity import Identity

log = logging.getLogger(__name__)

AUDIT = "audit"
MAX_DETAIL_ITEMS = 100
MAX_DETAIL_CHARS = 300

# outcomes
DONE = "done"
REJECTED = "rejected"


@dataclass(frozen=True)
class AuditEntry:
    at: dt.datetime
    actor: dict[str, str]
    action: str
    outcome: str
    target: list[str]
    details: dict[str, Any]


def _bounded(value: Any) -> Any:
    if isinstance(value, str):
        return value[:MAX_DETAIL_CHARS]
    if isinstance(value, list | tuple):
        return [_bounded(v) for v in list(value)[:MAX_DETAIL_ITEMS]]
    if isinstance(value, Mapping):
        return {str(k)[:64]: _bounded(v) for k, v in list(value.items())[:MAX_DETAIL_ITEMS]}
    if value is None or isinstance(value, bool | int | float | dt.datetime):
        return value
    return str(value)[:MAX_DETAIL_CHARS]


def entry(
    actor: Identity | None,
    action: str,
    now: dt.datetime,
    *,
    outcome: str = DONE,
    target: list[str] | tuple[str, ...] = (),
    details: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One audit document (bounded in size: lists and strings are cut)."""
    who = {"sub": actor.sub, "email": actor.email} if actor else {"sub": "system", "email": ""}
    return {
        "at": now,
        "actor": who,
        "action": action[:64],
        "outcome": outcome,
        "target": _bounded(list(target)),
        "details": _bounded(dict(details or {})),
    }


def audit_ref(client: firestore.Client, tenant: str) -> firestore.DocumentReference:
    """A new, random audit document id (random: no sequential-id hotspot)."""
    ref: firestore.DocumentReference = (
        client.collection(store.TENANTS).document(tenant).collection(AUDIT).document(uuid.uuid4().hex)
    )
    return ref


def record(tenant: str, doc: dict[str, Any]) -> None:
    """Write one entry on its own (rejections; changes write theirs in the same commit as the change)."""
    from google.api_core import exceptions

    try:
        audit_ref(store.firestore_client(), tenant).create(doc)
    except exceptions.GoogleAPICallError as error:
        log.error("audit entry %s not written: %s", doc.get("action"), type(error).__name__)


def recent(tenant: str, limit: int = 50) -> list[AuditEntry]:
    """The newest entries first."""
    from google.cloud import firestore as fs

    query = (
        store.firestore_client()
        .collection(store.TENANTS)
        .document(tenant)
        .collection(AUDIT)
        .order_by("at", direction=fs.Query.DESCENDING)
        .limit(max(1, min(limit, 200)))
    )
    out = []
    for snap in query.stream():
        d = snap.to_dict() or {}
        out.append(
            AuditEntry(
                at=d.get("at"),  # type: ignore[arg-type]
                actor=d.get("actor") or {},
                action=d.get("action", ""),
                outcome=d.get("outcome", ""),
                target=d.get("target") or [],
                details=d.get("details") or {},
            )
        )
    return out
