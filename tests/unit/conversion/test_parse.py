"""Parsing: what counts as an email for the command line, chunked parsing, boundary recovery."""

from __future__ import annotations

import email
from email import policy

import pytest

from mail2task.conversion.parse import looks_like_email, parse_message, reparse_with_found_boundary
from tests.unit.conversion.golden import sample_paths


@pytest.mark.parametrize(
    "raw",
    [
        b"From: a@example.com\nSubject: x\n\nbody",
        b"From sender@example.com Sat Jan  1 00:00:00 2024\nSubject: mbox\n\nbody",
        b"\r\n\r\nReceived: from x\r\n\tby y; Mon, 1 Jan 2024 00:00:00 +0000\r\nTo: b@example.com\r\n\r\n",
        b"Subject: headers only, no body",
        b"X-Custom: first\nbroken line without colon\nFrom: a@example.com\n\nbody",
    ],
)
def test_email_like_input(raw: bytes) -> None:
    assert looks_like_email(raw)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\n\n\n",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"PK\x03\x04\x14\x00\x06\x00",
        b"key: value\nother: thing\n",  # a header-like file naming no message field
        b"import os\nprint('hello')\n",
        b"Subject: x\x00y\n\nbody",
        b"<html><body>hi</body></html>",
        b"Just some text.\nFrom: a@example.com\n",
    ],
)
def test_non_email_input(raw: bytes) -> None:
    assert not looks_like_email(raw)


@pytest.mark.parametrize("eml", sample_paths(), ids=lambda path: path.stem)
def test_chunked_parse_matches_the_stdlib(eml) -> None:
    raw = eml.read_bytes()
    ours = parse_message(raw)
    theirs = email.message_from_bytes(raw, policy=policy.compat32)
    assert [p.get_content_type() for p in ours.walk()] == [p.get_content_type() for p in theirs.walk()]


def test_parse_across_chunk_boundaries() -> None:
    body = b"".join(b"line %06d\r\n" % n for n in range(20_000))  # about 240 KB, several chunks
    message = parse_message(b"Subject: big\r\n\r\n" + body)
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    assert payload == body


def test_boundary_found_in_the_body() -> None:
    body = b"--real\r\nContent-Type: text/plain\r\n\r\nhello\r\n--real--\r\n"
    recovered = reparse_with_found_boundary(body, "mixed")
    assert recovered is not None
    assert [p.get_content_type() for p in recovered.walk()] == ["multipart/mixed", "text/plain"]
    assert reparse_with_found_boundary(b"no boundary here", "mixed") is None
