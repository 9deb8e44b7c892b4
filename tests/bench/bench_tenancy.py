"""Admin member list of a 5,000-person domain: time to the first page and Firestore reads per page.

Seeds one tenant with 5,000 members through a BulkWriter, then runs the `install` function's "People and
status" action in process (admission, admin check, one member page, card JSON) for the first page and
for a page deep in the list (cursor pagination: the same cost), plus the assignee picker's page.
Reads are counted on the Firestore client's own RPCs: each document returned by a query or a batched
get is one read (a query that returns nothing still costs one).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from mail2task import store
from mail2task.addon.request import AddonEvent
from mail2task.cards import admin as admin_cards
from mail2task.config import TenancySettings
from mail2task.identity import Identity
from mail2task.tenancy import console
from mail2task.tenancy.admission import admit
from mail2task.tenancy.authz import require_admin
from mail2task.tenancy.members import list_members
from mail2task.tenancy.model import ALL_USERS
from mail2task.tenancy.registration import new_tenant_doc, tenant_ref
from mail2task.tenancy.runtime import TenancyRuntime
from tests.bench.common import BenchContext, Row, median, p99, timings

BENCH = "tenancy"
TENANT = "bench-5000.test"
PEOPLE = 5000
PAGE = 25
PICKER_PAGE = 50
INSTALL_URL = "https://example.test/install"
ADMIN = Identity(sub="99", email=f"ada@{TENANT}", hd=TENANT, name="Ada Admin")


class ReadCounter:
    """Counts documents read through one client's ``run_query`` and ``batch_get_documents`` streams."""

    def __init__(self, client: Any) -> None:
        self.reads = 0
        api = client._firestore_api  # the client's GAPIC layer: wrap its two read streams
        for name in ("run_query", "batch_get_documents"):
            setattr(api, name, self._wrap(getattr(api, name), name))

    def _wrap(self, call: Callable[..., Any], name: str) -> Callable[..., Iterator[Any]]:
        def counted(*args: Any, **kwargs: Any) -> Iterator[Any]:
            documents = 0
            for response in call(*args, **kwargs):
                found = response.document if name == "run_query" else (response.found or response.missing)
                if found:
                    documents += 1
                    self.reads += 1  # counted as it arrives: callers may stop reading the stream early
                yield response
            if documents == 0:
                self.reads += 1

        return counted

    def measure(self, fn: Callable[[], object]) -> int:
        before = self.reads
        fn()
        return self.reads - before


def _seed(client: Any) -> float:
    started = time.perf_counter()
    now = dt.datetime.now(dt.UTC)
    tenant = new_tenant_doc(TENANT, now)
    tenant["policy"]["mode"] = ALL_USERS
    tenant["admins"] = [{"sub": ADMIN.sub, "email": ADMIN.email, "name": ADMIN.name}]
    tenant_ref(client, TENANT).set(tenant)
    members = tenant_ref(client, TENANT).collection(store.MEMBERS)
    writer = client.bulk_writer()
    writer.create(members.document(ADMIN.sub), {
        "sub": ADMIN.sub, "email": ADMIN.email, "name": ADMIN.name, "role": "admin", "access": "allowed",
        "consent": "granted", "firstSeen": now, "lastSeen": now,
    })  # fmt: skip
    for i in range(PEOPLE):
        sub = str(100000000000000000000 + i * 7919)
        state = ("none", "granted", "needs_reconnect")[i % 3]
        access = "removed" if i % 50 == 0 else "none"
        writer.create(members.document(sub), {
            "sub": sub, "email": f"person{i:05d}@{TENANT}", "name": f"Person {i:05d}", "role": "member",
            "access": access, "consent": state, "firstSeen": now, "lastSeen": now,
        })  # fmt: skip
    writer.close()
    return time.perf_counter() - started


def _admin_request(runtime: TenancyRuntime, cursor: str | None) -> str | None:
    """What the `install` function does for "People and status": admission, the admin check, one page."""
    params = {"action": admin_cards.MEMBERS, **({"cursor": cursor} if cursor else {})}
    event = AddonEvent(identity=ADMIN, audience=INSTALL_URL, parameters=params)
    admission = admit(ADMIN, runtime=runtime)
    ctx = require_admin(ADMIN, admission, admin_cards.MEMBERS, runtime.now())
    outcome = console.handle(console.Request(ctx, event, INSTALL_URL, runtime))
    token: str | None = outcome.result["nextPageToken"]
    return token


def _cursor_at(page_number: int) -> str | None:
    cursor = None
    for _ in range(page_number - 1):
        cursor = list_members(TENANT, page_token=cursor, limit=PAGE, everyone=True).next_page_token
    return cursor


def run(ctx: BenchContext) -> list[Row]:
    ctx.emulator()
    os.environ.setdefault("GOOGLE_CLOUD_PROJECT", "demo-mail2task")
    store.reset_clients()
    client = store.firestore_client()
    seed_seconds = _seed(client)
    counter = ReadCounter(client)

    runtime = TenancyRuntime(settings=TenancySettings(profile="local"))  # private deployment: no license call
    first = timings(lambda: _admin_request(runtime, None), repeat=30, warmup=3)
    deep_cursor = _cursor_at(100)
    deep = timings(lambda: _admin_request(runtime, deep_cursor), repeat=30, warmup=3)
    reads_first = counter.measure(lambda: _admin_request(runtime, None))
    reads_deep = counter.measure(lambda: _admin_request(runtime, deep_cursor))
    picker = timings(lambda: list_members(TENANT, limit=PICKER_PAGE, mode=ALL_USERS), repeat=30, warmup=3)
    reads_picker = counter.measure(lambda: list_members(TENANT, limit=PICKER_PAGE, mode=ALL_USERS))

    note = f"{PEOPLE} members, {PAGE} per page, emulator"
    ms = lambda seconds: f"{seconds * 1000:.1f} ms"  # noqa: E731
    return [
        Row(BENCH, "seed 5,000 members (BulkWriter)", f"{seed_seconds:.1f} s"),
        Row(BENCH, "admin member list: first page, median", ms(median(first)), note),
        Row(BENCH, "admin member list: first page, p99", ms(p99(first)), note),
        Row(BENCH, "admin member list: page 100, median", ms(median(deep)), "cursor pagination"),
        Row(BENCH, "Firestore reads per admin page", f"{reads_first} (page 100: {reads_deep})",
            f"admission (tenant + admin) + {PAGE} members"),
        Row(BENCH, "assignee picker page, median", ms(median(picker)), f"{PICKER_PAGE} people"),
        Row(BENCH, "Firestore reads per picker page", str(reads_picker), "mode passed in: members only"),
    ]  # fmt: skip
