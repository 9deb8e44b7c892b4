"""Tenant isolation: a user of one domain never reads or changes another's tasks, whatever the parameters."""

from __future__ import annotations

from typing import Any

from mail2task import store
from tests.emulator.addon.conftest import ADA, AGREEMENT, BEN, CARL, GINA, INVOICE, OFFICE_MOVE, AddonStack
from tests.support.addon_requests import ADDON_URL, CONVERT_URL, card_of, data, notification_of, texts_of


def _acme_task(stack: AddonStack, message_id: str = AGREEMENT, **form) -> dict[str, Any]:
    stack.client.action(
        CONVERT_URL, ADA, "create_task", message_id=message_id, thread_id=message_id, form=form
    )
    docs = store.firestore_client().collection("tenants/acme.test/tasks").get()
    return {d.id: data(d) for d in docs}


def _status(task_id: str) -> str:
    return str(data(store.firestore_client().document(f"tenants/acme.test/tasks/{task_id}").get())["status"])


def test_another_tenant_cannot_change_a_task_by_id(stack: AddonStack) -> None:
    stack.member(ADA)
    stack.member(GINA)
    [task_id] = _acme_task(stack)
    status, body = stack.client.action(
        ADDON_URL, GINA, "set_status", parameters={"task": task_id, "status": "done", "origin": "message"}
    )
    assert status == 200
    assert card_of(body)["header"]["title"] == "Not possible"
    assert _status(task_id) == "open"
    assert not list(store.firestore_client().collection("tenants/globex.test/tasks").stream())


def test_another_tenant_cannot_add_comments_or_read_through_comments(stack: AddonStack) -> None:
    stack.member(ADA)
    stack.member(GINA)
    [task_id] = _acme_task(stack)
    _, body = stack.client.action(
        ADDON_URL,
        GINA,
        "add_message",
        message_id=AGREEMENT,
        thread_id=AGREEMENT,
        parameters={"task": task_id},
    )
    assert card_of(body)["header"]["title"] == "Not possible"
    assert "Signed service agreement" not in texts_of(body)
    assert not list(
        store.firestore_client().collection(f"tenants/acme.test/tasks/{task_id}/comments").stream()
    )


def test_the_same_gmail_ids_in_another_tenant_are_another_thread(stack: AddonStack) -> None:
    stack.member(ADA)
    stack.member(GINA)
    [acme_task] = _acme_task(stack)
    body = stack.client.open_message(GINA, AGREEMENT, AGREEMENT)[1]
    assert card_of(body)["name"] == "create-task"  # not Acme's linked task
    stack.client.action(CONVERT_URL, GINA, "create_task", message_id=AGREEMENT, thread_id=AGREEMENT)
    [globex_task] = store.firestore_client().collection("tenants/globex.test/tasks").get()
    assert data(globex_task)["creatorSub"] == GINA.sub
    assert _status(acme_task) == "open"


def test_homepage_and_cursors_stay_inside_the_tenant(stack: AddonStack) -> None:
    stack.member(ADA)
    stack.member(GINA)
    [task_id] = _acme_task(stack, assignee=[ADA.sub])
    for view in ("assigned", "created"):
        card = card_of(
            stack.client.action(ADDON_URL, GINA, "home", parameters={"view": view, "cursor": task_id})[1]
        )
        assert "Signed service agreement" not in texts_of(card)
        assert task_id not in texts_of(card)


def test_forged_ids_and_path_tricks_are_refused(stack: AddonStack) -> None:
    stack.member(ADA)
    stack.member(GINA)
    [task_id] = _acme_task(stack)
    for forged in ("../../acme.test/tasks/" + task_id, "acme.test/" + task_id, task_id.upper()):
        status, _ = stack.client.action(
            ADDON_URL, GINA, "set_status", parameters={"task": forged, "status": "done"}
        )
        assert status == 400
    assert _status(task_id) == "open"


def test_assignees_must_belong_to_the_users_tenant(stack: AddonStack) -> None:
    stack.member(ADA)
    stack.member(GINA)
    status, body = stack.client.action(
        CONVERT_URL, GINA, "create_task", message_id=INVOICE, thread_id=INVOICE, form={"assignee": [ADA.sub]}
    )  # a sub from acme.test
    assert status == 200
    assert card_of(body)["header"]["title"] == "Not possible"
    assert not list(store.firestore_client().collection("tenants/globex.test/tasks").stream())


def test_within_a_tenant_only_creator_and_assignee_change_a_task(stack: AddonStack) -> None:
    stack.member(ADA)
    stack.member(BEN)
    stack.member(CARL)
    tasks = _acme_task(stack, OFFICE_MOVE, assignee=[BEN.sub])
    [task_id] = tasks
    carl = stack.client.action(ADDON_URL, CARL, "set_status", parameters={"task": task_id, "status": "done"})[
        1
    ]
    assert card_of(carl)["header"]["title"] == "Not possible"
    assert _status(task_id) == "open"
    ben = stack.client.action(ADDON_URL, BEN, "set_status", parameters={"task": task_id, "status": "done"})[1]
    assert notification_of(ben) == "Marked done."
    assert _status(task_id) == "done"
