"""Every project sample converts to exactly its golden dict, and the drafts' payloads match their hashes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from mail2task.conversion import convert
from mail2task.conversion.limits import MAX_DESCRIPTION_BYTES
from mail2task.conversion.titles import MAX_TITLE_CHARS
from tests.unit.conversion.golden import SAMPLES, actual, expected, sample_paths


@pytest.mark.parametrize("eml", sample_paths(), ids=lambda path: path.stem)
def test_sample_matches_golden(eml: Path) -> None:
    assert actual(eml) == expected(eml)


def test_every_sample_has_a_golden_file() -> None:
    stems = {path.stem for path in SAMPLES.glob("*.eml")}
    assert stems == {path.stem for path in SAMPLES.glob("*.json")}
    assert len(stems) >= 30


@pytest.mark.parametrize("eml", sample_paths(), ids=lambda path: path.stem)
def test_payloads_hash_to_the_reported_sha256(eml: Path) -> None:
    for attachment in convert(eml.read_bytes()).attachments:
        assert hashlib.sha256(attachment.payload).hexdigest() == attachment.sha256
        assert len(attachment.payload) == attachment.size


def _draft(name: str):
    return convert((SAMPLES / f"{name}.eml").read_bytes())


def test_attachment_payloads_are_the_decoded_bytes() -> None:
    attachments = {a.filename: a for a in _draft("attachment_names").attachments}
    assert attachments["Angebot für München.pdf"].payload.startswith(b"%PDF-1.4")
    assert attachments["budget 2024.csv"].payload == b"a,b\n1,2\n"
    assert attachments["meeting notes final.txt"].payload == b"Notes\n"
    assert _draft("inline_image_related").attachments[0].payload.startswith(b"\x89PNG")


def test_caps_hold_on_the_long_samples() -> None:
    long_title = _draft("subject_long").title
    assert len(long_title) <= MAX_TITLE_CHARS
    assert long_title.endswith("…")
    description = _draft("description_truncated").description
    assert len(description.encode("utf-8")) <= MAX_DESCRIPTION_BYTES
    assert description.rstrip().endswith("more characters not shown]")
    assert "[… truncated:" in description


def test_author_for_sender_prefers_reply_to() -> None:
    draft = _draft("plain_headers")
    author = draft.author_for_sender()
    assert author is not None
    assert (author.email, author.name) == ("support@example.com", "Support Desk")
    plain = _draft("reply_gmail_plain").author_for_sender()
    assert plain is not None
    assert plain.email == "bob@example.org"
    assert _draft("date_garbled_no_sender").author_for_sender() is None
