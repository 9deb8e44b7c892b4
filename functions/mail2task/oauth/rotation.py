"""Key rotation: re-seal every stored grant under the newest token key, resumably.

Pages through tokens/ by document id. A record already under the target key is left alone, so a second
run repeats nothing; the last id of each finished page is checkpointed in runs/keys-rotate-{version}, so
an interrupted run continues where it stopped. Each re-seal is one update guarded by the update time
read with the page: a record refreshed meanwhile is read again and retried once. Records nobody can open
are counted, never dropped: their owners keep them until the old key is truly gone.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from mail2task import store
from mail2task.errors import Mail2TaskError
from mail2task.oauth.model import Clock, utcnow
from mail2task.oauth.vault import Sealed, TokenVault

if TYPE_CHECKING:
    from google.cloud import firestore

log = logging.getLogger(__name__)
PAGE_SIZE = 200


@dataclass
class RotationReport:
    target: str
    scanned: int = 0
    resealed: int = 0
    already_current: int = 0
    without_secrets: int = 0
    failed: int = 0
    resumed_after: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _reseal(db: firestore.Client, vault: TokenVault, snapshot: Any, clock: Clock) -> str:
    """``resealed`` | ``current`` | ``empty`` | ``changed`` (precondition failed) for one document."""
    from google.api_core import exceptions

    data = snapshot.to_dict() or {}
    key_id, blob = data.get("keyId"), data.get("ciphertext")
    if not isinstance(key_id, str) or not isinstance(blob, bytes):
        return "empty"
    if key_id == vault.current_key_id:
        return "current"
    secrets = vault.open(Sealed(key_id, blob), snapshot.id)
    sealed = vault.seal(secrets, snapshot.id)
    try:
        snapshot.reference.update(
            {"keyId": sealed.key_id, "ciphertext": sealed.blob, "updatedAt": clock()},
            option=db.write_option(last_update_time=snapshot.update_time),
        )
    except (exceptions.FailedPrecondition, exceptions.NotFound):
        return "changed"
    return "resealed"


def rotate(
    db: firestore.Client, vault: TokenVault, *, page_size: int = PAGE_SIZE, clock: Clock = utcnow
) -> RotationReport:
    """Re-seal every grant not yet under ``vault``'s current key; resumes from the last checkpoint."""
    report = RotationReport(target=vault.current_key_id)
    checkpoint = db.collection(store.RUNS).document(f"keys-rotate-{vault.current_key_id}")
    state = checkpoint.get().to_dict() or {}
    last_id = state.get("lastId") if not state.get("done") else None
    report.resumed_after = last_id if isinstance(last_id, str) else None
    collection = db.collection(store.TOKENS)
    while True:
        query = collection.order_by("__name__").limit(page_size)
        if isinstance(last_id, str):
            query = query.start_after({"__name__": collection.document(last_id)})
        page = list(query.stream())
        for snapshot in page:
            report.scanned += 1
            try:
                outcome = _reseal(db, vault, snapshot, clock)
                if outcome == "changed":  # refreshed meanwhile (maybe already re-sealed): once more
                    outcome = _reseal(db, vault, snapshot.reference.get(), clock)
            except Mail2TaskError as error:
                log.error("could not re-seal one grant: %s", error.code)
                outcome = "failed"
            if outcome == "resealed":
                report.resealed += 1
            elif outcome == "current":
                report.already_current += 1
            elif outcome == "empty":
                report.without_secrets += 1
            else:
                report.failed += 1
        if not page:
            break
        last_id = page[-1].id
        checkpoint.set({"lastId": last_id, "done": False, "updatedAt": clock()})
        if len(page) < page_size:
            break
    checkpoint.set({"lastId": None, "done": report.failed == 0, "updatedAt": clock()})
    return report
