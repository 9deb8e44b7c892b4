"""One thread, one task: repeated clicks, retried deliveries and 20 concurrent clicks."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from mail2task import store
from tests.emulator.addon.conftest import ADA, AGREEMENT, AddonStack
from tests.support.addon_requests import CONVERT_URL, card_of, data, notification_of


def _count(tenant: str, collection: str) -> int:
    ref = store.firestore_client().collection(store.TENANTS).document(tenant).collection(collection)
    return len(list(ref.stream()))


def test_repeated_clicks_return_the_same_task(stack: AddonStack) -> None:
    stack.member(ADA)
    first = stack.client.action(CONVERT_URL, ADA, "create_task", message_id=AGREEMENT, thread_id=AGREEMENT)[1]
    reads = len(stack.gmail.requests)
    second = stack.client.action(
        CONVERT_URL,
        ADA,
        "create_task_from_sender",
        message_id=AGREEMENT,
        thread_id=AGREEMENT,
        form={"title": ["Something else"]},
    )[1]
    assert notification_of(first) == "Task created."
    assert notification_of(second) == "This thread already has a task."
    assert card_of(first)["sections"][0] == card_of(second)["sections"][0]  # the same task shown
    assert (_count("acme.test", store.TASKS), _count("acme.test", store.THREADS)) == (1, 1)
    assert len(stack.gmail.requests) == reads  # the repeat never read Gmail


def test_a_retried_delivery_of_the_same_request(stack: AddonStack) -> None:
    stack.member(ADA)
    body = stack.client.event(
        ADA,
        message_id=AGREEMENT,
        thread_id=AGREEMENT,
        parameters={"action": "create_task"},
        form={"attachments": ["1", "2"]},
    )
    token = stack.client.system_token(CONVERT_URL)
    first = stack.client.post(CONVERT_URL, body, token=token)
    again = stack.client.post(CONVERT_URL, body, token=token)  # byte-identical redelivery
    assert first[0] == again[0] == 200
    assert (_count("acme.test", store.TASKS), _count("acme.test", store.THREADS)) == (1, 1)
    task_id = store.firestore_client().collection("tenants/acme.test/tasks").limit(1).get()[0].id
    copies = store.firestore_client().collection(f"tenants/acme.test/tasks/{task_id}/attachments").get()
    assert len(copies) == 2


@pytest.mark.slow
def test_twenty_concurrent_clicks_make_exactly_one_task(stack: AddonStack) -> None:
    stack.member(ADA)
    start = threading.Barrier(20)

    def click(i: int) -> tuple[int, dict[str, Any]]:
        body = stack.client.event(
            ADA,
            message_id=AGREEMENT,
            thread_id=AGREEMENT,
            parameters={"action": "create_task"},
            form={"title": [f"click {i}"]},
        )
        token = stack.client.system_token(CONVERT_URL)
        start.wait(timeout=30)
        return stack.client.post(CONVERT_URL, body, token=token)

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(click, range(20)))
    assert all(status == 200 for status, _ in results)
    notes = [notification_of(body) for _, body in results]
    assert notes.count("Task created.") == 1
    assert notes.count("This thread already has a task.") == 19
    assert (_count("acme.test", store.TASKS), _count("acme.test", store.THREADS)) == (1, 1)
    [task] = store.firestore_client().collection("tenants/acme.test/tasks").get()
    shown = {card_of(body)["header"]["subtitle"] for _, body in results}
    assert shown == {data(task)["title"]}  # everyone sees the one task that won
