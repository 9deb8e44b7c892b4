"""Guarded document updates from many threads, group-committed through BatchWrite by one writer.

Each caller queues one update and waits for its outcome. The writer sends whatever is queued as soon as
it is free (at most ``batch_size`` per request): a lone write goes out at once, and under load the writes
that arrive during one round trip share the next. (On the emulator a BatchWrite costs about the same
whatever it carries, so fewer, fuller requests win; one writer fills them better than several.)
BatchWrite is not atomic: every write keeps its own ``update_time`` precondition and gets its own
status, so a document changed meanwhile fails alone. Batching changes how many round trips carry the
writes, never what is written: one write per document.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from google.cloud import firestore

log = logging.getLogger(__name__)
OK, UNKNOWN, NOT_FOUND, FAILED_PRECONDITION = 0, 2, 5, 9
COMMIT_TIMEOUT_SECONDS = 10.0


class BatchedUpdates:
    """One document update per caller, carried by one writer thread."""

    def __init__(self, db: firestore.Client, *, batch_size: int = 50) -> None:
        self._db = db
        self._batch_size = batch_size
        self._pending: list[tuple[Any, dict[str, Any], Any, Future[int]]] = []
        self._condition = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="refresh-writes", daemon=True)
        self._thread.start()

    def update(self, ref: Any, fields: dict[str, Any], update_time: Any) -> int:
        """``ref.update(fields)`` if the document is unchanged since ``update_time``; returns the write's
        gRPC status code (OK, FAILED_PRECONDITION, NOT_FOUND, or another on failure)."""
        future: Future[int] = Future()
        with self._condition:
            if self._closed:
                raise RuntimeError("writes are closed")
            self._pending.append((ref, fields, update_time, future))
            self._condition.notify()
        return future.result()

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify()
        self._thread.join()

    def _loop(self) -> None:
        while True:
            with self._condition:
                self._condition.wait_for(lambda: self._closed or bool(self._pending))
                batch, self._pending = self._pending[: self._batch_size], self._pending[self._batch_size :]
                if not batch:
                    return  # closed and drained
            self._commit(batch)

    def _commit(self, batch: list[tuple[Any, dict[str, Any], Any, Future[int]]]) -> None:
        from google.api_core import exceptions
        from google.cloud.firestore_v1.bulk_batch import BulkWriteBatch

        bulk = BulkWriteBatch(self._db)
        for ref, fields, update_time, _ in batch:
            bulk.update(ref, fields, option=self._db.write_option(last_update_time=update_time))
        try:
            # no automatic retry: a retried BatchWrite could report a write that did land as failed
            response = bulk.commit(retry=None, timeout=COMMIT_TIMEOUT_SECONDS)
            codes = [int(status.code) for status in response.status]
        except exceptions.GoogleAPICallError as error:
            log.warning("a batch of %d writes failed: %s", len(batch), type(error).__name__)
            codes = [UNKNOWN] * len(batch)
        except Exception as error:  # the writer thread must answer every caller, whatever happens
            log.exception("a batch of %d writes failed: %s", len(batch), type(error).__name__)
            codes = [UNKNOWN] * len(batch)
        for (_, _, _, future), code in zip(batch, codes, strict=True):
            future.set_result(code)
