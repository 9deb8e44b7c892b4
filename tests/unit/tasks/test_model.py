"""Task records: deterministic ids, the link back to the mail, and the stored document shape."""

from __future__ import annotations

import datetime as dt
import re

from mail2task.tasks.model import (
    AUTHOR_SENDER,
    DONE,
    AttachmentRecord,
    PersonRef,
    Source,
    Task,
    comment_id,
    is_task_id,
    link_for_viewer,
    message_key,
    message_link,
    replied_ids,
    thread_key,
)


def test_thread_keys_are_per_user_and_ignore_the_id_form() -> None:
    hex_id = "19571447e0870926"
    event_id = f"thread-f:{int(hex_id, 16)}"
    assert thread_key("u1", hex_id) == thread_key("u1", event_id)
    assert thread_key("u1", hex_id) != thread_key("u2", hex_id)  # Gmail thread ids are per mailbox
    assert is_task_id(thread_key("u1", hex_id))  # a thread key is its task's id


def test_comment_ids_are_one_per_message() -> None:
    assert comment_id("195654683f838a76") == comment_id(f"msg-f:{int('195654683f838a76', 16)}")
    assert comment_id("195654683f838a76") != comment_id("1956140c6b05ee18")
    # with a Message-ID, the copies of one email in different mailboxes make the same comment
    assert comment_id("195654683f838a76", "<move-2@x>") == comment_id("18aa00000000000f", "move-2@x")
    assert comment_id("195654683f838a76", "<move-2@x>") != comment_id("195654683f838a76")


def test_message_keys_are_the_same_in_every_mailbox() -> None:
    key = message_key("<0a9d3f72-contract@fjordcleaning.example>")
    assert key == message_key(" 0a9d3f72-contract@fjordcleaning.example ")
    assert key is not None
    assert re.fullmatch(r"[0-9a-f]{64}", key)  # a SHA-256 hex digest: a safe document id
    assert key != message_key("<other@fjordcleaning.example>")
    assert message_key(None) is None
    assert message_key("<>") is None
    assert message_key("<" + "x" * 2000 + ">") is None  # bounded


def test_replied_ids_are_newest_first_unique_and_bounded() -> None:
    references = tuple(f"<r{i}@x>" for i in range(40))
    ids = replied_ids("<r39@x>", references)
    assert ids[:3] == ("<r39@x>", "<r38@x>", "<r37@x>")
    assert len(ids) == 20
    assert replied_ids(None, ()) == ()
    assert replied_ids("<a@x>", ("<b@x>", "<>")) == ("<a@x>", "<b@x>")


def test_task_ids_refuse_anything_that_could_be_a_path() -> None:
    assert not is_task_id("../other")
    assert not is_task_id("a" * 31)
    assert not is_task_id(None)
    assert not is_task_id("0123456789ABCDEF0123456789ABCDEF")


def test_message_links_work_in_any_account() -> None:
    link = message_link("<0a9d3f72-contract@fjordcleaning.example>", "19571447e0870926")
    assert (
        link == "https://mail.google.com/mail/#search/rfc822msgid%3A0a9d3f72-contract%40fjordcleaning.example"
    )
    assert "/u/" not in link
    assert message_link(None, "thread-f:1") == "https://mail.google.com/mail/#all/1"
    viewer = link_for_viewer(link, "ada+tasks@acme.test")
    assert viewer == (
        "https://mail.google.com/mail/?authuser=ada%2Btasks%40acme.test"
        "#search/rfc822msgid%3A0a9d3f72-contract%40fjordcleaning.example"
    )


def test_documents_round_trip() -> None:
    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    task = Task(
        id="0" * 32,
        title="T" * 400,
        description="d",
        author=PersonRef("ingrid@fjord.example", "Ingrid"),
        author_kind=AUTHOR_SENDER,
        creator=PersonRef("ada@acme.test", "Ada", "111"),
        source=Source("m", "t", "<id@x>", "https://mail.google.com/mail/#all/t"),
        status=DONE,
        assignee=PersonRef("ben@acme.test", "Ben", "222"),
        due=dt.date(2026, 2, 1),
        attachments=(AttachmentRecord("a.pdf", "application/pdf", 10, "f" * 64),),
        comment_count=3,
        created_at=when,
        updated_at=when,
    )
    document = task.to_document()
    assert (document["creatorSub"], document["assigneeSub"], document["due"]) == ("111", "222", "2026-02-01")
    assert len(document["title"]) == 300  # bounded
    again = Task.from_document(task.id, document)
    assert again == Task(**{**task.__dict__, "title": "T" * 300})
    assert again.involves("111")
    assert again.involves("222")
    assert not again.involves("333")


def test_unreadable_fields_fall_back_safely() -> None:
    task = Task.from_document(
        "0" * 32, {"status": "exploded", "due": None, "attachments": "x", "commentCount": "2"}
    )
    assert (task.status, task.due, task.attachments, task.comment_count) == ("open", None, (), 0)
    assert task.assignee is None
    assert not task.involves("")
