"""The contextual card's view of a ``format=full`` message, built from the sample mailbox's real resources."""

from __future__ import annotations

import email
from email import policy

import pytest

from mail2task.addon.message import attachment_parts, message_view, text_only_message
from mail2task.local.mailbox import Mailbox, StoredMessage

AGREEMENT = "19571447e0870926"
GERMAN = "1956af895983d598"
FORWARDED = "1957edf3440ad282"


@pytest.fixture(scope="module")
def mailbox() -> Mailbox:
    from mail2task.local.gmail_standin import SAMPLES

    return Mailbox.from_folder(SAMPLES)


def _message(mailbox: Mailbox, message_id: str) -> StoredMessage:
    stored = mailbox.get(message_id)
    assert stored is not None
    return stored


def test_attachments_are_listed_by_part_with_sizes(mailbox: Mailbox) -> None:
    parts = attachment_parts(_message(mailbox, AGREEMENT).resource("full"))
    assert [(p.part_id, p.filename, p.mime_type) for p in parts] == [
        ("1", "Service agreement 2025.pdf", "application/pdf"),
        ("2", "price-list-2025.csv", "text/csv"),
    ]
    assert all(p.size > 0 and p.attachment_id for p in parts)


def test_forwarded_messages_count_as_attachments(mailbox: Mailbox) -> None:
    parts = attachment_parts(_message(mailbox, FORWARDED).resource("full"))
    assert [(p.filename, p.mime_type) for p in parts] == [("forwarded-message.eml", "message/rfc822")]


def test_the_rebuilt_message_keeps_headers_and_text_but_no_attachment_bytes(mailbox: Mailbox) -> None:
    stored = _message(mailbox, AGREEMENT)
    rebuilt = email.message_from_bytes(text_only_message(stored.resource("full")), policy=policy.default)
    assert rebuilt["Subject"] == "Signed service agreement and 2025 price list"
    assert rebuilt["Message-ID"] == "<0a9d3f72-contract@fjordcleaning.example>"
    bodies = [p for p in rebuilt.walk() if not p.is_multipart()]
    assert [p.get_content_type() for p in bodies] == ["text/plain"]
    assert "countersign the agreement" in bodies[0].get_content()


def test_non_ascii_headers_and_legacy_charsets_survive(mailbox: Mailbox) -> None:
    view = message_view(_message(mailbox, GERMAN).resource("full"), max_attachment_bytes=1024)
    assert view.subject.startswith("Angebot für die Wartung der Kälteanlage")
    assert view.sender == "Jürgen Brandt <j.brandt@kaelteservice-brandt.example>"
    assert "Grüßen" in view.description  # iso-8859-1 body decoded
    assert view.date is not None
    assert view.date.year == 2025


def test_attachments_over_the_cap_are_marked(mailbox: Mailbox) -> None:
    view = message_view(_message(mailbox, AGREEMENT).resource("full"), max_attachment_bytes=200)
    assert [(a.key, a.too_large) for a in view.attachments] == [("1", True), ("2", False)]


def test_a_resource_without_payload_gives_an_empty_view() -> None:
    assert attachment_parts({"id": "x"}) == []
    assert text_only_message({"id": "x"}) == b""
