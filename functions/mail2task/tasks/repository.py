"""Tasks in Firestore, always under one tenant: thread lookups, idempotent creation, status, comments, lists.

Every method works inside ``tenants/{tenant}``; the tenant comes from the verified identity and ids from
requests are checked against ``is_task_id`` first, so no parameter can name another tenant's document.
Creation is one batch of ``create()`` writes (thread link, task, attachment copies): it lands whole or
not at all, and when the thread is already linked the batch fails and the existing task is returned.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mail2task import store
from mail2task.errors import BadRequest, NotFound, StoreUnavailable
from mail2task.tasks.model import STATUSES, Comment, StoredFile, Task, is_task_id

if TYPE_CHECKING:
    from google.cloud import firestore

ASSIGNED = "assigned"
CREATED = "created"
VIEWS = (ASSIGNED, CREATED)
ATTACHMENTS = "attachments"
STORE_TIMEOUT = 8.0
_VIEW_FIELD = {ASSIGNED: "assigneeSub", CREATED: "creatorSub"}


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class ThreadState:
    """What a thread is linked to, read in one round trip: the task, and whether a message is on it."""

    task: Task | None
    message_on_task: bool = False


@contextlib.contextmanager
def store_errors() -> Iterator[None]:
    """Turn Firestore outages and timeouts into StoreUnavailable (a friendly card, never a raw 500)."""
    from google.api_core import exceptions

    try:
        yield
    except exceptions.NotFound:
        raise NotFound("The task no longer exists.") from None
    except (exceptions.GoogleAPICallError, exceptions.RetryError) as error:
        raise StoreUnavailable(f"Firestore failed: {type(error).__name__}") from None


def _retry(timeout: float) -> Any:
    from google.api_core import exceptions, retry

    transient = retry.if_exception_type(
        exceptions.ServiceUnavailable, exceptions.DeadlineExceeded, exceptions.InternalServerError
    )
    return retry.Retry(predicate=transient, initial=0.1, maximum=1.0, multiplier=2.0, timeout=timeout)


class TaskRepository:
    """The tasks of one tenant."""

    def __init__(
        self,
        tenant: str,
        *,
        client: firestore.Client | None = None,
        now: Callable[[], dt.datetime] = utc_now,
        timeout: float = STORE_TIMEOUT,
    ) -> None:
        if not tenant or "/" in tenant or len(tenant) > 255:
            raise BadRequest("invalid tenant")
        self.tenant = tenant
        self._client = client or store.firestore_client()
        self._now = now
        # bounded: an unreachable Firestore fails the request within ``timeout`` instead of minutes
        self._calls: dict[str, Any] = {"retry": _retry(timeout), "timeout": timeout}

    # references ---------------------------------------------------------------------------------------
    def _tenant_doc(self) -> Any:
        return self._client.collection(store.TENANTS).document(self.tenant)

    def _task_ref(self, task_id: str) -> Any:
        if not is_task_id(task_id):
            raise NotFound("The task no longer exists.")
        return self._tenant_doc().collection(store.TASKS).document(task_id)

    def _thread_ref(self, key: str) -> Any:
        return self._tenant_doc().collection(store.THREADS).document(key)

    # reads --------------------------------------------------------------------------------------------
    def lookup(self, key: str, task_id: str, comment_id: str | None = None) -> ThreadState:
        """The thread link, its task and (optionally) one comment, in a single batched read."""
        refs = [self._thread_ref(key), self._task_ref(task_id)]
        if comment_id is not None:
            refs.append(refs[1].collection(store.COMMENTS).document(comment_id))
        with store_errors():
            snapshots = {snap.reference.path: snap for snap in self._client.get_all(refs, **self._calls)}
        link, task_snap = snapshots.get(refs[0].path), snapshots.get(refs[1].path)
        if link is None or not link.exists or task_snap is None or not task_snap.exists:
            return ThreadState(None)
        comment = snapshots.get(refs[2].path) if comment_id is not None else None
        return ThreadState(
            Task.from_document(task_id, task_snap.to_dict() or {}), bool(comment and comment.exists)
        )

    def get(self, task_id: str) -> Task | None:
        with store_errors():
            snap = self._task_ref(task_id).get(**self._calls)
        return Task.from_document(task_id, snap.to_dict() or {}) if snap.exists else None

    def get_for(self, task_id: str, sub: str) -> Task:
        """The task if ``sub`` is its creator or assignee; NotFound otherwise (existence is not revealed)."""
        task = self.get(task_id)
        if task is None or not task.involves(sub):
            raise NotFound("The task no longer exists or is not yours.")
        return task

    def page(
        self, sub: str, view: str, *, limit: int = 20, after: str | None = None
    ) -> tuple[list[Task], str | None]:
        """Tasks assigned to / created by ``sub``, newest first; returns the page and the next cursor."""
        from google.cloud.firestore_v1.base_query import FieldFilter

        if view not in VIEWS:
            raise BadRequest("unknown task list")
        tasks = self._tenant_doc().collection(store.TASKS)
        query = tasks.where(filter=FieldFilter(_VIEW_FIELD[view], "==", sub))
        query = query.order_by("createdAt", direction="DESCENDING").limit(limit + 1)
        with store_errors():
            if after is not None:
                cursor = self._task_ref(after).get(**self._calls)
                if cursor.exists:
                    query = query.start_after(cursor)
            found = [Task.from_document(s.id, s.to_dict() or {}) for s in query.stream(**self._calls)]
        more = len(found) > limit
        found = found[:limit]
        return found, (found[-1].id if more and found else None)

    # writes -------------------------------------------------------------------------------------------
    def create(self, task: Task, key: str, files: Sequence[StoredFile] = ()) -> tuple[Task, bool]:
        """Store ``task`` for thread ``key`` unless the thread is linked; returns (the task, created?)."""
        from google.api_core import exceptions

        now = self._now()
        stored = dataclasses.replace(task, created_at=now, updated_at=now)
        task_ref = self._task_ref(task.id)
        batch = self._client.batch()
        batch.create(
            self._thread_ref(key), {"taskId": task.id, "createdBy": task.creator.sub, "createdAt": now}
        )
        batch.create(task_ref, stored.to_document())
        for file in files:
            batch.create(
                task_ref.collection(ATTACHMENTS).document(file.record.sha256[:32]),
                {**file.record.to_dict(), "data": file.data},
            )
        with store_errors():
            try:
                batch.commit(**self._calls)
            except exceptions.Conflict:  # AlreadyExists: another click, delivery or retry won the link
                existing = self.get(task.id)
                if existing is None:  # a batch is atomic, so this means the task was deleted since
                    raise NotFound("The task linked to this thread no longer exists.") from None
                return existing, False
        return stored, True

    def set_status(self, task_id: str, status: str, sub: str) -> Task:
        """Set the status of a task ``sub`` may change (its creator or assignee)."""
        if status not in STATUSES:
            raise BadRequest("unknown status")
        task = self.get_for(task_id, sub)
        if task.status == status:
            return task
        now = self._now()
        with store_errors():
            self._task_ref(task_id).update({"status": status, "updatedAt": now}, **self._calls)
        return dataclasses.replace(task, status=status, updated_at=now)

    def add_comment(self, task: Task, comment: Comment) -> bool:
        """Append ``comment`` once (its id is derived from the message); False when it was already there."""
        from google.api_core import exceptions
        from google.cloud.firestore_v1 import Increment

        task_ref = self._task_ref(task.id)
        now = self._now()
        batch = self._client.batch()
        batch.create(
            task_ref.collection(store.COMMENTS).document(comment.id),
            {**comment.to_document(), "createdAt": now},
        )
        batch.update(task_ref, {"commentCount": Increment(1), "updatedAt": now})
        with store_errors():
            try:
                batch.commit(**self._calls)
            except exceptions.Conflict:
                return False
        return True
