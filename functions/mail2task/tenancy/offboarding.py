"""Uninstall and reinstall, done in resumable pages: revoke tokens, then set (or clear) ``expiresAt``.

Offboarding an uninstalled tenant: every stored token of its members is revoked and deleted (through the
oauth part's ``disconnect``), then every document of the tenant's data gets ``expiresAt`` = the end of the
retention period; Firestore's TTL policy on that field deletes them afterwards (infra declares the policy
for each collection group in ``store.TENANT_TTL_COLLECTION_GROUPS``). Reinstalling within the period
clears ``expiresAt`` again; reinstalling after it (``purge``) deletes every document whose ``expiresAt``
has passed, since TTL deletion lags up to a day and such leftovers must not come back. (Records made
after the reinstall carry no ``expiresAt`` and stay.) The tenant document itself stays as a tombstone.

Progress (phase, step, cursor) lives on the tenant document and is written in the same commit as each
page, with a precondition on the tenant document: when the tenant changes meanwhile (a reinstall starts
``restore`` while ``offboard`` is running), the page's commit fails and the stale run stops.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mail2task import store
from mail2task.errors import Mail2TaskError, StoreUnavailable
from mail2task.tenancy.lifecycle import OFFBOARD, PURGE, RESTORE
from mail2task.tenancy.model import CONSENT_GRANTED, CONSENT_NEEDS_RECONNECT, Member
from mail2task.tenancy.notifications import NOTIFICATIONS
from mail2task.tenancy.registration import EXPIRES_AT, expired, tenant_ref
from mail2task.tenancy.runtime import TenancyRuntime

log = logging.getLogger(__name__)

TTL_FIELD = EXPIRES_AT
TTL_COLLECTION_GROUPS = store.TENANT_TTL_COLLECTION_GROUPS  # what DATA_STEPS touch (infra declares TTL)
PAGE = 200
# new steps go last: a run in progress keeps its step number across a deploy
DATA_STEPS = ("tasks", "threads", "members", "notifications", "audit", "users", "messages")
DONE = {OFFBOARD: "offboarded", RESTORE: "restored", PURGE: "purged"}


@dataclass
class OffboardingReport:
    phase: str = ""
    revoked: int = 0
    marked: int = 0
    purged: int = 0
    done: bool = False


def _query(client: Any, tenant: str, step: str) -> Any:
    from google.cloud.firestore_v1 import FieldFilter

    root = tenant_ref(client, tenant)
    if step == "tasks":
        return root.collection(store.TASKS).recursive()  # tasks, their comments and attachment copies
    if step == "users":
        return client.collection(store.USERS).where(filter=FieldFilter("tenant", "==", tenant))
    names = {
        "threads": store.THREADS,
        "messages": store.MESSAGES,
        "members": store.MEMBERS,
        "notifications": NOTIFICATIONS,
        "audit": "audit",
    }
    return root.collection(names[step])


def _page(client: Any, tenant: str, step: str, cursor: str | None) -> list[Any]:
    from google.cloud.firestore_v1.field_path import FieldPath

    query = _query(client, tenant, step)
    if step != "tasks":
        query = query.order_by(FieldPath.document_id())
        if cursor:
            query = query.start_after({FieldPath.document_id(): client.document(cursor)})
        return list(query.limit(PAGE).stream())
    # recursive() orders by full path; resume after the last path seen
    snaps = []
    for snap in query.stream():
        if cursor and snap.reference.path <= cursor:
            continue
        snaps.append(snap)
        if len(snaps) == PAGE:
            break
    return snaps


def _consented(client: Any, tenant: str, cursor: str | None, limit: int) -> list[Any]:
    """Members still holding a grant, in id order after ``cursor``."""
    from google.cloud.firestore_v1 import FieldFilter
    from google.cloud.firestore_v1.field_path import FieldPath

    members = tenant_ref(client, tenant).collection(store.MEMBERS)
    query = members.where(filter=FieldFilter("consent", "in", [CONSENT_GRANTED, CONSENT_NEEDS_RECONNECT]))
    query = query.order_by(FieldPath.document_id())
    if cursor:
        query = query.start_after({FieldPath.document_id(): members.document(cursor)})
    return list(query.limit(limit).stream())


def _revoke_page(
    tenant: str, runtime: TenancyRuntime, cursor: str | None
) -> tuple[int, str | None, bool, bool]:
    """Disconnect up to PAGE members who still hold a grant: (revoked, cursor, finished, failed)."""
    snaps = _consented(store.firestore_client(), tenant, cursor, PAGE)
    revoked = 0
    for snap in snaps:
        try:
            runtime.grants.disconnect(snap.id, reason="uninstalled")
        except Mail2TaskError as error:
            log.warning("revocation during offboarding failed, will retry: %s", error.code)
            return revoked, cursor, False, True  # resume at this member next run
        revoked += 1
        cursor = snap.id
    return revoked, cursor, len(snaps) < PAGE, False


def _advance(
    client: Any,
    tenant: str,
    snap: Any,
    batch: Any,
    progress: dict[str, Any],
    *,
    finished: bool,
    cursor: str | None,
) -> bool:
    """Commit ``batch`` with the new progress; False when the tenant changed meanwhile."""
    from google.api_core import exceptions

    step = int(progress.get("step") or 0)
    new = {**progress, "step": step + 1 if finished else step, "cursor": None if finished else cursor}
    option = client.write_option(last_update_time=snap.update_time)
    batch.update(tenant_ref(client, tenant), {"offboarding": new}, option=option)
    try:
        batch.commit()
    except exceptions.FailedPrecondition:
        log.info("tenant changed during offboarding; this run stops")
        return False
    except exceptions.GoogleAPICallError as error:
        raise StoreUnavailable("offboarding step failed") from error
    return True


def run(
    tenant: str, runtime: TenancyRuntime, *, deadline: float, clock: Callable[[], float] = time.monotonic
) -> OffboardingReport:
    """Advance ``tenant``'s offboarding or restore until done or ``deadline`` (monotonic seconds)."""
    from google.cloud import firestore

    client = store.firestore_client()
    report = OffboardingReport()
    while clock() < deadline:
        snap = tenant_ref(client, tenant).get()
        data = snap.to_dict() or {}
        progress = dict(data.get("offboarding") or {})
        phase, step, cursor = progress.get("phase"), int(progress.get("step") or 0), progress.get("cursor")
        report.phase = phase or ""
        if phase not in DONE:
            report.done = True
            return report
        steps = ("tokens", *DATA_STEPS) if phase == OFFBOARD else DATA_STEPS
        if step >= len(steps):
            done = {**progress, "phase": DONE[phase], "finishedAt": runtime.now()}
            report.done = _advance(client, tenant, snap, client.batch(), done, finished=False, cursor=None)
            return report
        batch = client.batch()
        if steps[step] == "tokens":
            revoked, cursor, finished, failed = _revoke_page(tenant, runtime, cursor)
            report.revoked += revoked
            if (
                not _advance(client, tenant, snap, batch, progress, finished=finished, cursor=cursor)
                or failed
            ):
                return report
            continue
        page = _page(client, tenant, steps[step], cursor)
        if phase == PURGE:
            leftovers = [doc for doc in page if expired(doc.to_dict() or {}, runtime.now())]
            for doc in leftovers:
                batch.delete(doc.reference)
            report.purged += len(leftovers)
        else:
            value = data.get("retainUntil") if phase == OFFBOARD else firestore.DELETE_FIELD
            for doc in page:
                batch.update(doc.reference, {TTL_FIELD: value})
            report.marked += len(page)
        cursor = page[-1].reference.path if page else cursor
        if not _advance(client, tenant, snap, batch, progress, finished=len(page) < PAGE, cursor=cursor):
            return report
    return report


def pending_revocations(tenant: str, runtime: TenancyRuntime, *, deadline: float) -> int:
    """Revoke tokens of people who lost access (removed, or a narrower mode); returns how many.

    Scans members holding a grant from ``revocationCursor``; clears ``revocationsPending`` at the end.
    """
    from mail2task.tenancy.model import Tenant, may_use
    from mail2task.tenancy.people import revoke_tokens

    client = store.firestore_client()
    data = tenant_ref(client, tenant).get().to_dict() or {}
    record = Tenant.from_dict(tenant, data)
    cursor: str | None = data.get("revocationCursor")
    revoked = 0
    while time.monotonic() < deadline:
        snaps = _consented(client, tenant, cursor, PAGE)
        for snap in snaps:
            member = Member.from_dict(snap.id, snap.to_dict() or {})
            if not may_use(record, member):
                if not revoke_tokens(tenant, member, runtime, reason="access_removed"):
                    tenant_ref(client, tenant).update({"revocationCursor": cursor})
                    return revoked
                revoked += 1
            cursor = snap.id
        if len(snaps) < PAGE:
            tenant_ref(client, tenant).update({"revocationsPending": False, "revocationCursor": None})
            return revoked
    tenant_ref(client, tenant).update({"revocationCursor": cursor})
    return revoked
