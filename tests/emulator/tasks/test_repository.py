"""The task repository on the emulator: the create race, status rules, comments, listing."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from mail2task import store
from mail2task.errors import BadRequest, NotFound
from mail2task.tasks.model import (
    AttachmentRecord,
    Comment,
    PersonRef,
    Source,
    StoredFile,
    Task,
    message_link,
    thread_key,
)
from mail2task.tasks.repository import ASSIGNED, CREATED, TaskRepository
from tests.support.addon_requests import data

ADA = PersonRef("ada@acme.test", "Ada", "111")
BEN = PersonRef("ben@acme.test", "Ben", "222")


def _task(thread: str, title: str = "T", assignee: PersonRef | None = None) -> Task:
    """Ada's task of ``thread``: its id is her thread key."""
    source = Source(thread, thread, None, message_link(None, thread))
    return Task(thread_key(ADA.sub or "", thread), title, "d", ADA, "user", ADA, source, assignee=assignee)


def test_racing_creates_make_one_task_and_all_return_it() -> None:
    repository = TaskRepository("acme.test")
    start = threading.Barrier(12)

    def create(i: int) -> tuple[Task, bool]:
        task = _task("19571447e0870926", f"attempt {i}")
        start.wait(timeout=30)
        return repository.create(task)

    with ThreadPoolExecutor(12) as pool:
        results = list(pool.map(create, range(12)))
    assert [created for _, created in results].count(True) == 1
    assert len({task.title for task, _ in results}) == 1
    assert len(store.firestore_client().collection("tenants/acme.test/tasks").get()) == 1


def test_attachments_are_written_with_the_task_or_not_at_all() -> None:
    repository = TaskRepository("acme.test")
    task = _task("a1")
    record = AttachmentRecord("a.txt", "text/plain", 3, "ab" * 32)
    stored, created = repository.create(task, [StoredFile(record, b"abc")])
    assert created
    again, created = repository.create(task, [StoredFile(record, b"abc")])
    assert not created
    assert again.id == stored.id
    copies = store.firestore_client().collection(f"tenants/acme.test/tasks/{task.id}/attachments").get()
    assert [data(c)["data"] for c in copies] == [b"abc"]


def test_status_changes_only_by_creator_or_assignee() -> None:
    repository = TaskRepository("acme.test")
    task = _task("s1", assignee=BEN)
    repository.create(task)
    assert repository.set_status(task.id, "done", "222").done
    assert not repository.set_status(task.id, "open", "111").done
    with pytest.raises(NotFound):
        repository.set_status(task.id, "done", "333")
    with pytest.raises(BadRequest):
        repository.set_status(task.id, "deleted", "111")
    with pytest.raises(NotFound):
        TaskRepository("globex.test").set_status(task.id, "done", "111")


def test_comments_are_appended_once() -> None:
    repository = TaskRepository("acme.test")
    task = _task("c1")
    repository.create(task)
    comment = Comment("c" * 32, "m2", PersonRef("x@y.z"), "text", "111")
    assert repository.add_comment(task, comment) is True
    assert repository.add_comment(task, comment) is False
    state = repository.lookup("111", task.id, comment_id="c" * 32)
    assert state.task is not None
    assert state.task.comment_count == 1
    assert state.message_on_task


def test_pages_by_view() -> None:
    repository = TaskRepository("acme.test")
    for i in range(5):
        task = _task(f"p{i}", f"T{i}", assignee=BEN if i % 2 else None)
        repository.create(task)
    mine, cursor = repository.page("111", CREATED, limit=3)
    assert [t.title for t in mine] == ["T4", "T3", "T2"]
    assert cursor == mine[-1].id
    rest, cursor = repository.page("111", CREATED, limit=3, after=cursor)
    assert [t.title for t in rest] == ["T1", "T0"]
    assert cursor is None
    assert [t.title for t in repository.page("222", ASSIGNED)[0]] == ["T3", "T1"]
    assert repository.page("111", ASSIGNED)[0] == []


def test_tenants_are_validated() -> None:
    for bad in ("", "a/b", "x" * 300):
        with pytest.raises(BadRequest):
            TaskRepository(bad)
