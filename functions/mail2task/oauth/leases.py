"""Refresh leases: a run may refresh a token only while it holds the lease of the token's partition.

Every token belongs to exactly one of ``model.PARTITIONS`` partitions, so per-partition exclusivity is
per-token exclusivity, at a cost of two writes per partition per run instead of one extra write per
token. A lease is taken with ``create()`` (exactly one of any number of racing runs wins), released with
a delete guarded by the lease's own update time, and expires at ``leaseUntil`` — the holder's deadline
plus a margin — so a run that was killed blocks its partitions only until then. Taking over an expired
lease is a delete guarded by the stale lease's update time, then ``create()`` again: still one winner.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from mail2task import store

if TYPE_CHECKING:
    from google.cloud import firestore

log = logging.getLogger(__name__)
TTL_AFTER = dt.timedelta(days=1)


class PartitionLeases:
    """The leases one run holds."""

    def __init__(self, db: firestore.Client, owner: str, lease_until: dt.datetime) -> None:
        self._db = db
        self._owner = owner
        self._until = lease_until
        self._held: dict[int, Any] = {}  # partition -> update time of our lease document

    @property
    def held(self) -> tuple[int, ...]:
        return tuple(self._held)

    def _ref(self, partition: int) -> firestore.DocumentReference:
        return self._db.collection(store.REFRESH_LEASES).document(str(partition))

    def _create(self, partition: int) -> bool:
        from google.api_core import exceptions

        document = {"owner": self._owner, "leaseUntil": self._until, "expiresAt": self._until + TTL_AFTER}
        try:
            result = self._ref(partition).create(document)
        except exceptions.Conflict:
            return False
        self._held[partition] = result.update_time
        return True

    def acquire(self, partition: int, now: dt.datetime) -> bool:
        """Take ``partition``'s lease if it is free or its holder's lease has run out."""
        from google.api_core import exceptions

        if self._create(partition):
            return True
        snapshot = self._ref(partition).get()
        if snapshot.exists:
            until = snapshot.get("leaseUntil")
            if isinstance(until, dt.datetime) and until > now:
                return False
            try:
                self._ref(partition).delete(
                    option=self._db.write_option(last_update_time=snapshot.update_time)
                )
            except (exceptions.FailedPrecondition, exceptions.NotFound):
                return False  # another run took it over first
            log.info("took over the expired lease of partition %d", partition)
        return self._create(partition)

    def release_all(self) -> None:
        """Give back every lease still ours (a lease someone took over after it expired is left alone)."""
        from google.api_core import exceptions

        for partition, update_time in list(self._held.items()):
            try:
                self._ref(partition).delete(option=self._db.write_option(last_update_time=update_time))
            except (exceptions.FailedPrecondition, exceptions.NotFound):
                log.warning("lease of partition %d was no longer ours at release", partition)
            except exceptions.GoogleAPICallError as error:
                log.warning(
                    "could not release partition %d (%s); it expires on its own", partition, error.code
                )
            del self._held[partition]
