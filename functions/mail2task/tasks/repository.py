"""Tasks in Firestore, always under one tenant: message lookups, idempotent creation, status, comments, lists.

Every method works inside ``tenants/{tenant}``; the tenant comes from the verified identity and ids from
requests (and from stored links) are checked against ``is_task_id`` first, so nothing can name another
tenant's document. Creation is one batch of ``create()`` writes (thread link, task, the source message's
link, attachment copies): it lands whole or not at all, and when the thread is already linked the batch
fails and the existing task is returned. Message links (``messages/{sha256(Message-ID)}`` -> task id)
let everyone who got the same email find its task from their own mailbox; the first task to link a
message keeps the link.
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
from mail2task.tasks.model import (
    MAX_LINKED_REFERENCES,
    STATUSES,
    Comment,
    StoredFile,
    Task,
    is_task_id,
    message_key,
)

if TYPE_CHECKING:
    from google.cloud import firestore

ASSIGNED = "assigned"
CREATED = "created"
VIEWS = (ASSIGNED, CREATED)
SOURCE_LINK = "source"  # a message link's kind: the message the task was made from
COMMENT_LINK = "comment"  # ... or a message added to the task as a comment
STORE_TIMEOUT = 8.0
_VIEW_FIELD = {ASSIGNED: "assigneeSub", CREATED: "creatorSub"}


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class ThreadState:
    """The task an open message belongs to for one user, and how the message stands with it.

    ``message_on_task``: the message is already on that task (a comment, or its link names the task);
    ``message_linked``: the message's Message-ID already links to some task (perhaps not this user's).
    """

    task: Task | None
    message_on_task: bool = False
    message_linked: bool = False


def _data(snapshot: Any) -> dict[str, Any] | None:
    """A snapshot's fields; None when it is missing or the document does not exist."""
    if snapshot is None or not snapshot.exists:
        return None
    data: dict[str, Any] = snapshot.to_dict() or {}
    return data


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

    def _message_ref(self, key: str) -> Any:
        return self._tenant_doc().collection(store.MESSAGES).document(key)

    def _get_all(self, refs: Sequence[Any]) -> dict[str, Any]:
        """Snapshots of ``refs`` by path, in one batched read."""
        with store_errors():
            return {snap.reference.path: snap for snap in self._client.get_all(list(refs), **self._calls)}

    # reads --------------------------------------------------------------------------------------------
    def lookup(
        self,
        sub: str,
        key: str,
        *,
        message_id: str | None = None,
        replies_to: Sequence[str] = (),
        comment_id: str | None = None,
    ) -> ThreadState:
        """The task an open message belongs to for ``sub``, or none.

        One batched read holds the user's thread link ``key`` and its task (the task id is the thread
        key), the message's comment ``comment_id`` on it, and the message links of the open message
        (``message_id``, its RFC 822 Message-ID) and of the messages it replies to (``replies_to``,
        newest first). The user's own thread wins; otherwise the first linked task that ``sub`` may see
        (creator or assignee), which costs a second batched read, only when some link exists.
        """
        own = message_key(message_id)
        keys = dict.fromkeys(k for k in (own, *map(message_key, replies_to[:MAX_LINKED_REFERENCES])) if k)
        thread_ref, task_ref = self._thread_ref(key), self._task_ref(key)
        comment_ref = task_ref.collection(store.COMMENTS).document(comment_id) if comment_id else None
        link_refs = {k: self._message_ref(k) for k in keys}
        extra = [comment_ref] if comment_ref is not None else []
        snaps = self._get_all([thread_ref, task_ref, *extra, *link_refs.values()])
        linked: dict[str, str] = {}  # message key -> the task its link names
        for k, ref in link_refs.items():
            task_id = (_data(snaps.get(ref.path)) or {}).get("taskId")
            if is_task_id(task_id):
                linked[k] = str(task_id)
        own_task = linked.get(own) if own else None
        message_linked = own is not None and _data(snaps.get(link_refs[own].path)) is not None
        thread, fields = _data(snaps.get(thread_ref.path)), _data(snaps.get(task_ref.path))
        if thread is not None and fields is not None:
            task = Task.from_document(key, fields)
            if task.involves(sub):
                commented = comment_ref is not None and _data(snaps.get(comment_ref.path)) is not None
                return ThreadState(task, own_task == key or commented, message_linked)
        candidates = [t for t in dict.fromkeys(linked.values()) if t != key]
        found = self._get_all([self._task_ref(t) for t in candidates]) if candidates else {}
        for task_id in candidates:
            fields = _data(found.get(self._task_ref(task_id).path))
            if fields is not None:
                task = Task.from_document(task_id, fields)
                if task.involves(sub):
                    return ThreadState(task, own_task == task_id, message_linked)
        return ThreadState(None, False, message_linked)

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
    def _link(self, task_id: str, kind: str, sub: str | None, now: dt.datetime) -> dict[str, Any]:
        return {"taskId": task_id, "kind": kind, "createdBy": sub, "createdAt": now}

    def create(
        self, task: Task, files: Sequence[StoredFile] = (), *, link_message: bool = True
    ) -> tuple[Task, bool]:
        """Store ``task`` unless its thread is linked; returns (the task, created?).

        ``task.id`` is its creator's thread key. With ``link_message`` the source message's link is
        written in the same batch; when another task took that link meanwhile, that task is returned if
        the creator may see it, else ``task`` is stored without the link.
        """
        from google.api_core import exceptions

        now = self._now()
        stored = dataclasses.replace(task, created_at=now, updated_at=now)
        task_ref = self._task_ref(task.id)
        link = message_key(task.source.rfc822_message_id) if link_message else None
        batch = self._client.batch()
        batch.create(
            self._thread_ref(task.id), {"taskId": task.id, "createdBy": task.creator.sub, "createdAt": now}
        )
        batch.create(task_ref, stored.to_document())
        if link is not None:
            batch.create(self._message_ref(link), self._link(task.id, SOURCE_LINK, task.creator.sub, now))
        for file in files:
            batch.create(
                task_ref.collection(store.ATTACHMENTS).document(file.record.sha256[:32]),
                {**file.record.to_dict(), "data": file.data},
            )
        with store_errors():
            try:
                batch.commit(**self._calls)
            except exceptions.Conflict:  # AlreadyExists: another click, delivery or retry won a link
                pass
            else:
                return stored, True
        existing = self.get(task.id)
        if existing is not None:
            return existing, False
        if link is None:  # a batch is atomic, so this means the task was deleted since
            raise NotFound("The task linked to this thread no longer exists.")
        # the message's link was taken by another task since the caller looked
        state = self.lookup(task.creator.sub or "", task.id, message_id=task.source.rfc822_message_id)
        if state.task is not None:
            return state.task, False
        return self.create(task, files, link_message=False)

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

    def add_comment(self, task: Task, comment: Comment, *, link_message: bool = True) -> bool:
        """Append ``comment`` once (its id is derived from the message); False when it was already there.

        With ``link_message`` the message's link to ``task`` is written in the same batch, unless the
        message already links to a task (then the comment is added without it).
        """
        from google.api_core import exceptions
        from google.cloud.firestore_v1 import Increment

        task_ref = self._task_ref(task.id)
        comment_ref = task_ref.collection(store.COMMENTS).document(comment.id)
        link = message_key(comment.rfc822_message_id) if link_message else None
        now = self._now()
        batch = self._client.batch()
        batch.create(comment_ref, {**comment.to_document(), "createdAt": now})
        batch.update(task_ref, {"commentCount": Increment(1), "updatedAt": now})
        if link is not None:
            batch.create(self._message_ref(link), self._link(task.id, COMMENT_LINK, comment.added_by, now))
        with store_errors():
            try:
                batch.commit(**self._calls)
            except exceptions.Conflict:
                pass
            else:
                return True
            if link is None or comment_ref.get(**self._calls).exists:
                return False
        return self.add_comment(task, comment, link_message=False)
