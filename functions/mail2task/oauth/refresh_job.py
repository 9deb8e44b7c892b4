"""The scheduled refresh run: renew due grants with bounded concurrency, within a time budget.

Per partition (leased, see ``leases``) the run pages through due tokens with one indexed query and hands
each to a thread pool. A worker calls Google outside any transaction, then writes the outcome as one
update guarded by the document's update time as read by the query (group-committed with other workers'
through BatchWrite, see ``batched_writes``) and waits for it before taking the next token: one read and
one write per token, and never more than ``concurrency`` answers from Google not yet stored.

Outcomes: refreshed; retried (5xx/408/429/temporarily_unavailable/timeouts, or an unexpected answer:
back off with jitter, next run); revoked (``invalid_grant``: secrets deleted, member marked
``needs_reconnect``); skipped (budget reached, changed meanwhile, unreadable). A refresh whose write
lost its precondition to bookkeeping only (``lastUsedAt`` noted by ``credentials_for``, a re-seal) is
written once more, so a refresh token Google rotated is never dropped. ``invalid_client`` stops
the run: the client configuration is wrong and every user would fail alike.
"""

from __future__ import annotations

import collections
import datetime as dt
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mail2task.errors import Mail2TaskError
from mail2task.oauth import model, repository
from mail2task.oauth.batched_writes import FAILED_PRECONDITION, NOT_FOUND, OK, BatchedUpdates
from mail2task.oauth.leases import PartitionLeases
from mail2task.oauth.runtime import Runtime
from mail2task.oauth.token_client import Failure, TokenEndpointError
from mail2task.oauth.vault import Sealed, TokenSecrets

if TYPE_CHECKING:
    from mail2task.config import RefreshSettings

log = logging.getLogger(__name__)
WRITE_MARGIN_SECONDS = 2.0  # time kept back after the last refresh for its write and lease release


@dataclass
class RunSummary:
    picked: int = 0
    refreshed: int = 0
    retried: int = 0
    revoked: int = 0
    skipped: int = 0
    partitions_leased: int = 0
    partitions_busy: int = 0
    budget_exhausted: bool = False
    aborted: str | None = None
    errors: collections.Counter[str] = field(default_factory=collections.Counter)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "picked": self.picked,
            "refreshed": self.refreshed,
            "retried": self.retried,
            "revoked": self.revoked,
            "skipped": self.skipped,
            "partitions": {"leased": self.partitions_leased, "busy": self.partitions_busy},
            "budgetExhausted": self.budget_exhausted,
            "aborted": self.aborted,
            "errors": dict(sorted(self.errors.items())),
            "seconds": round(self.seconds, 3),
        }


def policy_from(settings: RefreshSettings) -> model.RefreshPolicy:
    return model.RefreshPolicy(
        window=dt.timedelta(seconds=settings.window_seconds),
        active_period=dt.timedelta(days=settings.active_days),
        idle_after=dt.timedelta(days=settings.idle_days),
    )


class RefreshRun:
    """One run. ``monotonic`` measures the budget; the runtime's clock decides what is due."""

    def __init__(
        self,
        settings: RefreshSettings,
        *,
        runtime: Runtime | None = None,
        rng: random.Random | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        run_id: str | None = None,
    ) -> None:
        self.settings = settings
        self.rt = runtime or Runtime()
        self.rng = rng or random.Random()  # noqa: S311 - back-off jitter, not security
        self.monotonic = monotonic
        self.run_id = run_id or uuid.uuid4().hex
        self.policy = policy_from(settings)
        self.summary = RunSummary()
        self._lock = threading.Lock()
        self._abort = threading.Event()
        self._stop_at = 0.0

    def _count(self, outcome: str, error: str | None = None) -> None:
        with self._lock:
            setattr(self.summary, outcome, getattr(self.summary, outcome) + 1)
            if error:
                self.summary.errors[error] += 1

    def run(self) -> RunSummary:
        started = self.monotonic()
        timeout = self.rt.client.http_timeout_seconds
        budget = self.settings.time_budget_seconds
        self._stop_at = started + budget - timeout - WRITE_MARGIN_SECONDS
        lease_until = self.rt.clock() + dt.timedelta(seconds=budget + timeout + 30)
        leases = PartitionLeases(self.rt.db, self.run_id, lease_until)
        slots = threading.BoundedSemaphore(self.settings.concurrency * 2)
        pool = ThreadPoolExecutor(self.settings.concurrency, thread_name_prefix="refresh")
        self._writes = BatchedUpdates(self.rt.db)
        try:
            for partition in self.rng.sample(range(model.PARTITIONS), model.PARTITIONS):
                if self._abort.is_set() or self.monotonic() >= self._stop_at:
                    self.summary.budget_exhausted = not self._abort.is_set()
                    break
                if not leases.acquire(partition, self.rt.clock()):
                    self.summary.partitions_busy += 1
                    continue
                self.summary.partitions_leased += 1
                self._drain(partition, pool, slots)
        finally:
            pool.shutdown(wait=True)
            self._writes.close()
            leases.release_all()
        self.summary.seconds = self.monotonic() - started
        return self.summary

    def _drain(self, partition: int, pool: ThreadPoolExecutor, slots: threading.BoundedSemaphore) -> None:
        after = None
        while not self._abort.is_set():
            if self.monotonic() >= self._stop_at:
                self.summary.budget_exhausted = True
                return
            page = repository.due_page(
                self.rt.db, partition, self.rt.clock(), self.settings.page_size, after=after
            )
            with self._lock:
                self.summary.picked += len(page)
            for snapshot in page:
                slots.acquire()
                future = pool.submit(self._refresh_one, snapshot)
                future.add_done_callback(lambda _: slots.release())
            if len(page) < self.settings.page_size:
                return
            after = page[-1]

    def _refresh_one(self, snapshot: Any) -> None:
        try:
            self._count(self._outcome(snapshot))
        except Exception as error:  # a worker must never take the run down; the token stays due
            log.exception("refresh of one grant failed unexpectedly: %s", type(error).__name__)
            self._count("skipped", type(error).__name__)

    def _write(
        self, snapshot: Any, fields: dict[str, Any], outcome: str, presented: str | None = None
    ) -> str:
        code = self._writes.update(snapshot.reference, fields, snapshot.update_time)
        if code == FAILED_PRECONDITION and presented is not None:
            code = self._write_again(snapshot.reference, fields, presented)
        if code == OK:
            return outcome
        if code not in (FAILED_PRECONDITION, NOT_FOUND):
            with self._lock:
                self.summary.errors[f"store_status_{code}"] += 1
        return "skipped"  # changed meanwhile (a consent, disconnect or RISC event): theirs wins

    def _write_again(self, ref: Any, fields: dict[str, Any], presented: str) -> int:
        """A refresh result whose guarded write failed. If the document still holds the grant that was
        refreshed (only bookkeeping such as ``lastUsedAt`` changed it), Google's answer (perhaps a new
        refresh token, the old one dead) is written once more against what is stored now; else theirs
        wins. One more read and write, only after such a conflict."""
        current = ref.get()
        data = (current.to_dict() or {}) if current.exists else {}
        if not repository.holds_refresh_token(data, presented):
            return FAILED_PRECONDITION
        now = fields["lastRefreshedAt"]
        again = {name: value for name, value in fields.items() if name != "scopes"}  # theirs may be newer
        again["refreshDueAt"] = self.policy.next_due(
            access_expires_at=fields["accessExpiresAt"],
            last_refreshed_at=now,
            last_used_at=model.TokenRecord.from_dict(ref.id, data).last_used_at,
            now=now,
        )
        return self._writes.update(ref, again, current.update_time)

    def _outcome(self, snapshot: Any) -> str:
        if self._abort.is_set():
            return "skipped"
        if self.monotonic() >= self._stop_at:
            self.summary.budget_exhausted = True
            return "skipped"
        record = model.TokenRecord.from_dict(snapshot.id, snapshot.to_dict() or {})
        now = self.rt.clock()
        if record.key_id is None or record.ciphertext is None or not record.usable:
            return "skipped"
        if record.refresh_due_at is None or record.refresh_due_at > now:
            return "skipped"
        try:
            secrets = self.rt.vault.open(Sealed(record.key_id, record.ciphertext), record.sub)
        except Mail2TaskError as error:
            log.error("stored grant unreadable: %s", error.code)
            with self._lock:
                self.summary.errors[error.code] += 1
            return "skipped"
        try:
            response = self.rt.tokens.refresh(secrets.refresh_token)
        except TokenEndpointError as error:
            return self._failed(record, snapshot, error, now)
        fresh = TokenSecrets(response.refresh_token or secrets.refresh_token, response.access_token)
        due = self.policy.next_due(
            access_expires_at=response.expires_at,
            last_refreshed_at=now,
            last_used_at=record.last_used_at,
            now=now,
        )
        fields = repository.refresh_fields(
            sealed=self.rt.vault.seal(fresh, record.sub),
            refresh_token=fresh.refresh_token,
            scopes=response.scopes,
            access_expires_at=response.expires_at,
            refresh_due_at=due,
            now=now,
        )
        return self._write(snapshot, fields, "refreshed", presented=secrets.refresh_token)

    def _failed(
        self, record: model.TokenRecord, snapshot: Any, error: TokenEndpointError, now: dt.datetime
    ) -> str:
        from google.api_core import exceptions

        with self._lock:
            self.summary.errors[error.error] += 1
        if error.failure is Failure.CLIENT:
            if not self._abort.is_set():
                log.error("token endpoint rejects our OAuth client (%s): stopping the run", error.error)
                self.summary.aborted = error.error
                self._abort.set()
            return "skipped"
        if error.failure is Failure.FINAL:  # the secrets and the member's state change together
            try:
                repository.mark_lost(
                    self.rt.db, record.sub, record.tenant, status=model.NEEDS_RECONNECT, reason=error.error,
                    now=now, if_unchanged_since=snapshot.update_time,
                )  # fmt: skip
            except (exceptions.FailedPrecondition, exceptions.NotFound):
                return "skipped"
            return "revoked"
        failures = record.failures + 1
        fields = {
            "failures": failures,
            "lastError": error.error,
            "refreshDueAt": self.policy.retry_due(failures, now, self.rng),
            "updatedAt": now,
        }
        return self._write(snapshot, fields, "retried")
