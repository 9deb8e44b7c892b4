"""End to end: signed Gmail events through the entry points, the Gmail stand-in, tasks in Firestore."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mail2task import store
from mail2task.addon.deployment import GMAIL_EXECUTE, USERINFO_EMAIL
from mail2task.tasks.model import PersonRef, Source, Task, message_link, thread_key
from mail2task.tasks.repository import TaskRepository
from tests.emulator.addon.conftest import (
    ADA,
    AGREEMENT,
    BEN,
    INVOICE,
    OFFICE_MOVE,
    OFFICE_MOVE_REPLY,
    AddonStack,
)
from tests.support.addon_requests import (
    ADDON_URL,
    CONVERT_URL,
    card_of,
    data,
    notification_of,
    texts_of,
    widgets_of,
)

DUE_MS = int(dt.datetime(2026, 4, 30, tzinfo=dt.UTC).timestamp() * 1000)


def _tasks(tenant: str) -> list[dict[str, Any]]:
    docs = (
        store.firestore_client().collection(store.TENANTS).document(tenant).collection(store.TASKS).stream()
    )
    return [data(d) | {"id": d.id} for d in docs]


def _create(stack: AddonStack, message_id: str, *, action: str = "create_task", user=ADA, **form):
    return stack.client.action(
        CONVERT_URL, user, action, message_id=message_id, thread_id=message_id, form=form
    )


def test_open_create_reopen(stack: AddonStack) -> None:
    stack.member(ADA)
    stack.member(BEN)
    status, body = stack.client.open_message(ADA, AGREEMENT, AGREEMENT)
    assert status == 200
    form = card_of(body)
    assert form["name"] == "create-task"
    text = texts_of(form)
    assert "Signed service agreement and 2025 price list" in text
    assert "2 files" in text
    assert "Ben Carter (ben@acme.test)" in text  # tenant members in the assignee picker

    status, body = _create(
        stack,
        AGREEMENT,
        title=["Countersign the agreement"],
        assignee=[BEN.sub],
        due={"ms": DUE_MS},
        attachments=["1"],
    )
    assert status == 200
    assert notification_of(body) == "Task created."
    [task] = _tasks("acme.test")
    assert task["title"] == "Countersign the agreement"
    assert task["author"] == {"email": ADA.email, "name": ADA.name, "sub": ADA.sub, "kind": "user"}
    assert task["creatorSub"] == ADA.sub
    assert task["assigneeSub"] == BEN.sub
    assert task["due"] == "2026-04-30"
    assert task["source"]["messageId"] == AGREEMENT
    assert task["source"]["link"].endswith("rfc822msgid%3A0a9d3f72-contract%40fjordcleaning.example")
    assert [a["filename"] for a in task["attachments"]] == ["Service agreement 2025.pdf"]
    copies = list(
        store.firestore_client()
        .document(f"tenants/acme.test/tasks/{task['id']}")
        .collection("attachments")
        .stream()
    )
    assert len(copies) == 1
    assert data(copies[0])["data"].startswith(b"%PDF")
    link = store.firestore_client().document(f"tenants/acme.test/threads/{task['id']}").get()
    assert data(link)["taskId"] == task["id"]
    fetched = [r for r in stack.gmail.requests if "/attachments/" in r.path]
    assert len(fetched) == 1
    assert fetched[0].status == 200

    status, body = stack.client.open_message(ADA, AGREEMENT, AGREEMENT)
    linked = card_of(body)
    assert linked["name"] == "task"
    assert "Countersign the agreement" in texts_of(linked)
    assert "Mark done" in texts_of(linked)
    assert "The task was made from this message." in texts_of(linked)


def test_create_from_sender_respects_reply_to(stack: AddonStack) -> None:
    stack.member(ADA)
    raw = (
        b"Message-ID: <rt-1@vendor.example>\r\nDate: Mon, 02 Mar 2026 09:00:00 +0000\r\n"
        b"From: Sales Robot <noreply@vendor.example>\r\nReply-To: Petra Sales <petra@vendor.example>\r\n"
        b"To: ada@acme.test\r\nSubject: Re: Your quote\r\n\r\nPlease confirm the quote.\r\n"
    )
    message = stack.gmail.mailbox.add(raw, label_ids=["INBOX"])
    status, body = _create(stack, message.id, action="create_task_from_sender")
    assert status == 200
    [task] = _tasks("acme.test")
    assert task["author"] == {
        "email": "petra@vendor.example",
        "name": "Petra Sales",
        "sub": None,
        "kind": "sender",
    }
    assert task["creator"]["sub"] == ADA.sub
    assert "(the sender)" in texts_of(card_of(body))


def test_event_message_ids_are_converted(stack: AddonStack) -> None:
    stack.member(ADA)
    event_id, thread_id = f"msg-f:{int(INVOICE, 16)}", f"thread-f:{int(INVOICE, 16)}"
    status, body = stack.client.action(
        CONVERT_URL, ADA, "create_task", message_id=event_id, thread_id=thread_id
    )
    assert status == 200
    assert notification_of(body) == "Task created."
    [task] = _tasks("acme.test")
    assert task["source"]["messageId"] == INVOICE
    # the same thread named by its hex id is the same thread
    again = stack.client.action(CONVERT_URL, ADA, "create_task", message_id=INVOICE, thread_id=INVOICE)[1]
    assert notification_of(again) == "This thread already has a task."
    assert len(_tasks("acme.test")) == 1


def test_later_message_becomes_a_comment_once(stack: AddonStack) -> None:
    stack.member(ADA)
    _create(stack, OFFICE_MOVE)
    [task] = _tasks("acme.test")
    _, body = stack.client.open_message(ADA, OFFICE_MOVE_REPLY, OFFICE_MOVE)
    assert "Add this message to the task" in texts_of(card_of(body))

    def add():
        return stack.client.action(
            ADDON_URL,
            ADA,
            "add_message",
            message_id=OFFICE_MOVE_REPLY,
            thread_id=OFFICE_MOVE,
            parameters={"task": task["id"]},
        )[1]

    assert notification_of(add()) == "Message added to the task."
    assert notification_of(add()) == "This message was already on the task."
    comments = list(
        store.firestore_client()
        .document(f"tenants/acme.test/tasks/{task['id']}")
        .collection("comments")
        .stream()
    )
    assert len(comments) == 1
    assert data(comments[0])["messageId"] == OFFICE_MOVE_REPLY
    assert _tasks("acme.test")[0]["commentCount"] == 1
    body = stack.client.open_message(ADA, OFFICE_MOVE_REPLY, OFFICE_MOVE)[1]
    assert "This message is on the task." in texts_of(card_of(body))


def test_homepage_lists_and_toggles(stack: AddonStack) -> None:
    stack.member(ADA, admin=True)
    stack.member(BEN)
    status, body = stack.client.homepage(ADA)
    assert status == 200
    assert "Manage access" in texts_of(card_of(body))  # app admins reach the access settings
    assert "Manage access" not in texts_of(card_of(stack.client.homepage(BEN)[1]))
    assert "Nothing is assigned to you" in texts_of(card_of(body))
    _create(stack, OFFICE_MOVE, assignee=[BEN.sub])
    _create(stack, INVOICE, assignee=[ADA.sub])
    assigned = card_of(stack.client.homepage(ADA)[1])
    assert "Question about invoice" in texts_of(assigned)
    assert "Office move" not in texts_of(assigned)
    created = card_of(stack.client.action(ADDON_URL, ADA, "home", parameters={"view": "created"})[1])
    assert "Office move" in texts_of(created)
    assert "Question about invoice" in texts_of(created)
    bens = card_of(stack.client.homepage(BEN)[1])
    [row] = [w for w in widgets_of(bens) if "switchControl" in w.get("decoratedText", {})]
    toggle = row["decoratedText"]["switchControl"]["onChangeAction"]
    params = {p["key"]: p["value"] for p in toggle["parameters"]}
    status, body = stack.client.action(ADDON_URL, BEN, params.pop("action"), parameters=params)
    assert status == 200
    assert notification_of(body) == "Marked done."
    assert {t["title"]: t["status"] for t in _tasks("acme.test")}[
        "Office move: network cabling for the 3rd floor"
    ] == "done"


def test_homepage_paginates(stack: AddonStack) -> None:
    stack.member(ADA)
    repository = TaskRepository("acme.test")
    for i in range(23):
        key = thread_key(ADA.sub, f"{i:016x}")
        me = PersonRef(ADA.email, ADA.name, ADA.sub)
        source = Source(f"{i:016x}", f"{i:016x}", None, message_link(None, f"{i:016x}"))
        repository.create(Task(key, f"Task {i}", "", me, "user", me, source))
    seen: list[str] = []
    parameters = {"view": "created"}
    while True:
        card = card_of(stack.client.action(ADDON_URL, ADA, "home", parameters=parameters)[1])
        seen += [
            w["decoratedText"]["text"]
            for w in widgets_of(card)
            if "switchControl" in w.get("decoratedText", {})
        ]
        nxt = [
            b
            for w in widgets_of(card)
            for b in w.get("buttonList", {}).get("buttons", [])
            if b["text"] == "Next page"
        ]
        if not nxt:
            break
        parameters = {
            p["key"]: p["value"] for p in nxt[0]["onClick"]["action"]["parameters"] if p["key"] != "action"
        }
    assert sorted(seen) == sorted(f"Task {i}" for i in range(23))  # every task once, over two pages


def test_missing_scopes_are_requested(stack: AddonStack) -> None:
    stack.member(ADA)
    status, body = stack.client.open_message(
        ADA, AGREEMENT, AGREEMENT, scopes=(GMAIL_EXECUTE, USERINFO_EMAIL)
    )
    assert (status, body) == (
        200,
        {
            "requesting_google_scopes": {
                "scopes": ["https://www.googleapis.com/auth/gmail.addons.current.message.readonly"]
            }
        },
    )
    assert not stack.gmail.requests  # nothing was read without the scope


def test_consumer_accounts_get_the_workspace_only_card(stack: AddonStack) -> None:
    from tests.support.addon_requests import User

    status, body = stack.client.homepage(User("300", "someone@gmail.com", None))
    assert status == 200
    assert "Google Workspace" in texts_of(card_of(body))
    assert not list(store.firestore_client().collection(store.TENANTS).stream())


def test_people_not_admitted_see_the_admission_card(stack: AddonStack) -> None:
    stack.member(ADA)
    stack.member(BEN, access="removed")  # an app admin removed Ben
    status, body = stack.client.open_message(BEN, AGREEMENT, AGREEMENT)
    assert status == 200
    assert card_of(body)["name"] == "access-denied"
    status, body = _create(stack, AGREEMENT, user=BEN)
    assert status == 200
    assert card_of(body)["name"] == "access-denied"
    assert not _tasks("acme.test")
    assert not stack.gmail.requests


def test_events_missing_what_the_action_needs_are_400(stack: AddonStack) -> None:
    stack.member(ADA)
    status, body = stack.client.post(ADDON_URL + "?trigger=contextual", stack.client.event(ADA))  # no gmail
    assert status == 400
    assert body["error"]["code"] == "bad_request"
    status, _ = stack.client.action(ADDON_URL, ADA, "set_status", parameters={"status": "done"})  # no task
    assert status == 400
    status, _ = stack.client.action(
        CONVERT_URL, ADA, "create_task", message_id=INVOICE, thread_id=INVOICE, form={"due": {"ms": 10**17}}
    )
    assert status == 400
