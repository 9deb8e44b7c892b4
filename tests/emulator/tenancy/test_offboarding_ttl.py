"""Offboarding stamps every document of the tenant, and Terraform has a TTL policy for each group it stamps.

The tenant's data is written through the real code paths (admission, people, the task repository), then
the whole document tree under the tenant is walked without naming any collection: whatever subcollection
the code writes, offboarding must stamp it and infra/firestore.tf must expire it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from google.cloud.firestore_v1 import FieldFilter

from mail2task import store
from mail2task.identity import Identity
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
from mail2task.tasks.repository import TaskRepository
from mail2task.tenancy import people, policy
from mail2task.tenancy.sweep import run_sweep
from tests.emulator.tenancy.harness import Stack, stack
from tests.infra.parsed import infra

TENANT = "acme.test"


@pytest.fixture
def env() -> Iterator[Stack]:
    with stack(retention_days=7) as running:
        yield running


def _tree(document: Any) -> Iterator[Any]:
    """Every stored document below ``document``, at any depth (including under missing parents)."""
    for collection in document.collections():
        for child in collection.list_documents():
            snap = child.get()
            if snap.exists:
                yield snap
            yield from _tree(child)


def _seed_tasks(person: Identity) -> None:
    """Tasks made the way the add-on makes them: thread and message links, attachment copies, a comment."""
    repository = TaskRepository(TENANT)
    creator = PersonRef(person.email, person.name or "", person.sub)
    for thread in ("t1", "t2"):
        source = Source(thread, thread, f"<{thread}@mail.acme.test>", message_link(None, thread))
        task = Task(thread_key(person.sub, thread), f"Task {thread}", "d", creator, "user", creator, source)
        record = AttachmentRecord("a.txt", "text/plain", 3, thread.encode().hex().ljust(64, "0"))
        _, created = repository.create(task, [StoredFile(record, b"abc")])
        assert created
        reply = f"<re-{thread}@mail.acme.test>"
        comment = Comment("c" * 32, "m2", creator, "a comment", person.sub, rfc822_message_id=reply)
        assert repository.add_comment(task, comment)


def _ttl_policy_groups() -> set[str]:
    groups = infra().locals["ttl_collection_groups"]
    return {name for names in groups.values() for name in names}


def test_every_collection_group_offboarding_stamps_has_a_ttl_policy(env: Stack) -> None:
    ada = env.install_with_admin()
    policy.set_mode(env.ctx(ada), "specific_users")
    bob = env.person("bob@acme.test", "Bob Builder")
    people.add_people(env.ctx(ada), [bob.sub], env.runtime, notify=True)  # members, notifications, audit
    _seed_tasks(ada)  # tasks, threads, message links, comments, attachment copies

    env.licensing.license_domain(TENANT, "UNLICENSED")
    env.clock.advance(seconds=env.runtime.settings.license_cache_seconds + 1)
    assert run_sweep(env.runtime, budget_seconds=60).uninstalled == [TENANT]
    retain_until = env.clock() + dt.timedelta(days=7)

    client = store.firestore_client()
    tenant = client.collection(store.TENANTS).document(TENANT)
    documents = list(_tree(tenant))
    documents += list(
        client.collection(store.USERS).where(filter=FieldFilter("tenant", "==", TENANT)).stream()
    )
    unstamped = sorted(
        d.reference.path for d in documents if (d.to_dict() or {}).get("expiresAt") != retain_until
    )
    assert not unstamped, f"offboarding left these without expiresAt: {unstamped}"

    stamped = {d.reference.parent.id for d in documents}
    assert store.ATTACHMENTS in stamped, "the seed must reach every kind of tenant data"
    assert stamped == set(store.TENANT_TTL_COLLECTION_GROUPS), (
        "store.TENANT_TTL_COLLECTION_GROUPS must name exactly the collection groups offboarding stamps"
    )
    missing = stamped - _ttl_policy_groups()
    assert not missing, (
        f"infra/firestore.tf has no TTL policy for stamped collection groups: {sorted(missing)}"
    )
