"""Ten concurrent first requests from one new domain: one tenant, one member (and user) record each."""

from __future__ import annotations

import threading

from mail2task import store
from mail2task.tenancy import admission
from tests.emulator.tenancy.harness import Stack


def test_ten_concurrent_first_requests(env: Stack) -> None:
    env.licensing.license_domain("fresh.test")
    people = [env.person(f"p{i}@fresh.test", f"Person {i}") for i in range(10)]
    start = threading.Barrier(len(people))
    results: dict[str, str] = {}
    errors: list[BaseException] = []

    def first_request(index: int) -> None:
        try:
            start.wait()
            results[people[index].sub] = env.admit(people[index]).reason
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=first_request, args=(i,)) for i in range(len(people))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert set(results.values()) == {admission.SETUP_NEEDED}  # nobody is app admin yet

    db = store.firestore_client()
    tenants = list(db.collection(store.TENANTS).stream())
    assert [t.id for t in tenants] == ["fresh.test"]
    members = list(db.collection(store.TENANTS).document("fresh.test").collection(store.MEMBERS).stream())
    assert sorted(m.id for m in members) == sorted(p.sub for p in people)
    users = list(db.collection(store.USERS).stream())
    assert sorted(u.id for u in users) == sorted(p.sub for p in people)
    assert env.tenant_doc("fresh.test")["createdAt"] == env.clock()
