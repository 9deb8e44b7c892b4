"""One email, several mailboxes: the assignee's own copy of the email finds the creator's task.

Gmail message and thread ids are per mailbox; the RFC 822 Message-ID is not. Each copy is stored in the
Gmail stand-in under its own ids (its own thread), as it would be in another person's mailbox.
"""

from __future__ import annotations

from typing import Any

from mail2task import store
from mail2task.tasks.model import message_key
from tests.emulator.addon.conftest import (
    ADA,
    AGREEMENT,
    BEN,
    CARL,
    OFFICE_MOVE,
    OFFICE_MOVE_REPLY,
    AddonStack,
)
from tests.support.addon_requests import (
    ADDON_URL,
    CONVERT_URL,
    User,
    card_of,
    data,
    notification_of,
    texts_of,
    widgets_of,
)

AGREEMENT_ID = "<0a9d3f72-contract@fjordcleaning.example>"
REPLY_ID = "<CAF7k2q+move-2@mail.example.com>"


def _copy(stack: AddonStack, message_id: str, thread_id: str) -> str:
    """Another mailbox's copy of a sample message, in thread ``thread_id`` there; its Gmail id."""
    original = stack.gmail.mailbox.get(message_id)
    assert original is not None
    return stack.gmail.mailbox.add(original.raw, label_ids=["INBOX"], thread_id=thread_id).id


def _tasks() -> dict[str, dict[str, Any]]:
    return {d.id: data(d) for d in store.firestore_client().collection("tenants/acme.test/tasks").get()}


def _link(rfc822_id: str, tenant: str = "acme.test") -> dict[str, Any]:
    key = message_key(rfc822_id)
    return data(store.firestore_client().document(f"tenants/{tenant}/{store.MESSAGES}/{key}").get())


def _create(stack: AddonStack, user: User, message_id: str, thread_id: str, **form: Any) -> dict[str, Any]:
    status, body = stack.client.action(
        CONVERT_URL, user, "create_task", message_id=message_id, thread_id=thread_id, form=form
    )
    assert status == 200
    return body


def _button(card: dict[str, Any], text: str) -> dict[str, Any]:
    for widget in widgets_of(card):
        for button in widget.get("buttonList", {}).get("buttons", []):
            if button["text"] == text:
                return {p["key"]: p["value"] for p in button["onClick"]["action"]["parameters"]}
    raise AssertionError(f"no {text!r} button")


def test_the_assignee_opening_their_copy_sees_the_task(stack: AddonStack) -> None:
    for user in (ADA, BEN, CARL):
        stack.member(user)
    _create(stack, ADA, AGREEMENT, AGREEMENT, title=["Countersign the agreement"], assignee=[BEN.sub])
    [task_id] = _tasks()
    assert _link(AGREEMENT_ID)["taskId"] == task_id  # written with the task

    bens_copy = _copy(stack, AGREEMENT, "18f00000000b0001")
    status, body = stack.client.open_message(BEN, bens_copy, "18f00000000b0001")
    assert status == 200
    card = card_of(body)
    assert (card["name"], card["header"]["title"]) == ("task", "Linked task")
    assert "Countersign the agreement" in texts_of(card)
    assert "The task was made from this message." in texts_of(card)
    assert "Create task" not in texts_of(card)

    carls_copy = _copy(stack, AGREEMENT, "18f00000000c0001")  # Carl got it too, but the task is not his
    card = card_of(stack.client.open_message(CARL, carls_copy, "18f00000000c0001")[1])
    assert card["name"] == "create-task"
    assert "Countersign the agreement" not in texts_of(card)


def test_a_reply_in_the_assignees_mailbox_is_added_and_seen_by_both(stack: AddonStack) -> None:
    for user in (ADA, BEN):
        stack.member(user)
    _create(stack, ADA, OFFICE_MOVE, OFFICE_MOVE, assignee=[BEN.sub])
    [task_id] = _tasks()
    bens_thread = "18f00000000b0002"
    _copy(stack, OFFICE_MOVE, bens_thread)
    bens_reply = _copy(stack, OFFICE_MOVE_REPLY, bens_thread)

    card = card_of(stack.client.open_message(BEN, bens_reply, bens_thread)[1])  # found by its References
    assert card["header"]["title"] == "Linked task"
    params = _button(card, "Add this message to the task")
    status, body = stack.client.action(
        ADDON_URL, BEN, params.pop("action"), message_id=bens_reply, thread_id=bens_thread, parameters=params
    )
    assert status == 200
    assert notification_of(body) == "Message added to the task."
    added = card_of(body)
    assert added["header"]["title"] == "Linked task"  # the open message stays on the card
    assert "This message is on the task." in texts_of(added)
    assert _link(REPLY_ID) | {"createdAt": None} == {
        "taskId": task_id,
        "kind": "comment",
        "createdBy": BEN.sub,
        "createdAt": None,
    }

    # Ada's own copy of the reply is on the task too: no second "Add", no second comment
    card = card_of(stack.client.open_message(ADA, OFFICE_MOVE_REPLY, OFFICE_MOVE)[1])
    assert "This message is on the task." in texts_of(card)
    assert "Add this message to the task" not in texts_of(card)
    status, body = stack.client.action(
        ADDON_URL,
        ADA,
        "add_message",
        message_id=OFFICE_MOVE_REPLY,
        thread_id=OFFICE_MOVE,
        parameters={"task": task_id},
    )
    assert notification_of(body) == "This message was already on the task."
    comments = store.firestore_client().collection(f"tenants/acme.test/tasks/{task_id}/comments").get()
    assert len(comments) == 1
    assert _tasks()[task_id]["commentCount"] == 1


def test_creating_from_a_copy_returns_the_task_the_user_may_see(stack: AddonStack) -> None:
    for user in (ADA, BEN, CARL):
        stack.member(user)
    _create(stack, ADA, AGREEMENT, AGREEMENT, assignee=[BEN.sub])
    [adas_task] = _tasks()

    bens_copy = _copy(stack, AGREEMENT, "18f00000000b0003")
    body = _create(stack, BEN, bens_copy, "18f00000000b0003")
    assert notification_of(body) == "This email already has a task."
    assert card_of(body)["header"]["subtitle"] == _tasks()[adas_task]["title"]  # Ada's task, shown to Ben
    assert list(_tasks()) == [adas_task]

    carls_copy = _copy(stack, AGREEMENT, "18f00000000c0003")  # not Carl's task: he makes his own
    assert notification_of(_create(stack, CARL, carls_copy, "18f00000000c0003")) == "Task created."
    assert len(_tasks()) == 2
    assert _link(AGREEMENT_ID)["taskId"] == adas_task  # the first task keeps the link


def test_links_stay_inside_the_tenant(stack: AddonStack) -> None:
    from tests.emulator.addon.conftest import GINA

    stack.member(ADA)
    stack.member(GINA)
    _create(stack, ADA, AGREEMENT, AGREEMENT)
    ginas_copy = _copy(stack, AGREEMENT, "18f0000000090001")
    assert (
        card_of(stack.client.open_message(GINA, ginas_copy, "18f0000000090001")[1])["name"] == "create-task"
    )
    assert notification_of(_create(stack, GINA, ginas_copy, "18f0000000090001")) == "Task created."
    [ginas_task] = store.firestore_client().collection("tenants/globex.test/tasks").get()
    assert _link(AGREEMENT_ID, "globex.test")["taskId"] == ginas_task.id
    assert _link(AGREEMENT_ID)["taskId"] in _tasks()  # Acme's link is untouched


def test_mark_done_on_a_linked_card_keeps_the_message_on_it(stack: AddonStack) -> None:
    stack.member(ADA)
    _create(stack, ADA, OFFICE_MOVE, OFFICE_MOVE)
    card = card_of(stack.client.open_message(ADA, OFFICE_MOVE_REPLY, OFFICE_MOVE)[1])
    params = _button(card, "Mark done")
    status, body = stack.client.action(
        ADDON_URL,
        ADA,
        params.pop("action"),
        message_id=OFFICE_MOVE_REPLY,
        thread_id=OFFICE_MOVE,
        parameters=params,
    )
    assert status == 200
    assert notification_of(body) == "Marked done."
    after = card_of(body)
    assert after["header"]["title"] == "Linked task"
    assert after["sections"][0] == card["sections"][0]  # the open message, as before
    assert "Add this message to the task" in texts_of(after)
    assert "Reopen" in texts_of(after)
