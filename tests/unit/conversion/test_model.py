"""The draft model: a JSON-ready dict with the contract's keys, and the author used for "from sender"."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from mail2task.conversion import Attachment, Person, TaskDraft

CONTRACT_KEYS = {
    "title", "description", "sender", "reply_to", "to", "cc", "date", "message_id", "in_reply_to",
    "references", "attachments", "warnings",
}  # fmt: skip


def test_to_dict_has_the_contract_keys_and_is_json() -> None:
    draft = TaskDraft(
        title="t",
        description="d",
        sender=Person("a@example.com", "A"),
        to=(Person("b@example.com"),),
        date=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        references=("<r@x>",),
        attachments=(Attachment("f.pdf", "application/pdf", 3, False, None, "ab", payload=b"abc"),),
        warnings=("w",),
    )
    data = draft.to_dict()
    assert data.keys() >= CONTRACT_KEYS
    assert data["date"] == "2024-01-02T03:04:05+00:00"
    assert data["sender"] == {"email": "a@example.com", "name": "A"}
    assert data["attachments"] == [
        {
            "filename": "f.pdf",
            "content_type": "application/pdf",
            "size": 3,
            "inline": False,
            "content_id": None,
            "sha256": "ab",
        }
    ]
    assert "payload" not in json.dumps(data)
    assert "abc" not in repr(draft.attachments[0])


def test_author_for_sender() -> None:
    sender = Person("from@example.com", "From")
    reply = Person("reply@example.com", "Reply")
    assert TaskDraft("t", "d", sender=sender, reply_to=(reply,)).author_for_sender() == reply
    assert TaskDraft("t", "d", sender=sender, reply_to=(Person(""),)).author_for_sender() == sender
    assert TaskDraft("t", "d", sender=sender).author_for_sender() == sender
    assert TaskDraft("t", "d").author_for_sender() is None
