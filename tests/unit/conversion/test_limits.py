"""Size limits: oversized input is refused clearly; everything produced is bounded."""

from __future__ import annotations

import pytest

from mail2task.conversion import MessageTooLarge, convert
from mail2task.conversion.limits import MAX_ATTACHMENTS, MAX_DEPTH, MAX_PEOPLE, MAX_REFERENCES
from mail2task.errors import PayloadTooLarge

SMALL = b"From: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n"


def test_limit_argument() -> None:
    assert convert(SMALL, max_bytes=len(SMALL)).title == "hi"
    with pytest.raises(MessageTooLarge) as raised:
        convert(SMALL, max_bytes=len(SMALL) - 1)
    assert isinstance(raised.value, PayloadTooLarge)
    assert raised.value.status == 413
    assert f"limit is {len(SMALL) - 1} bytes" in str(raised.value)


def test_limit_defaults_to_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_MESSAGE_BYTES", "10")
    with pytest.raises(MessageTooLarge):
        convert(SMALL)
    monkeypatch.setenv("MAX_MESSAGE_BYTES", str(len(SMALL)))
    assert convert(SMALL).title == "hi"


def test_default_limit_is_25_mb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAX_MESSAGE_BYTES", raising=False)
    assert convert(b"x" * (25 * 1024 * 1024)).title
    with pytest.raises(MessageTooLarge):
        convert(b"x" * (25 * 1024 * 1024 + 1))


def _multipart(parts: list[str]) -> bytes:
    body = "".join(f"--b\r\n{part}\r\n" for part in parts)
    head = "From: a@example.com\r\nSubject: many\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
    return f"{head}{body}--b--\r\n".encode()


def test_attachment_count_is_bounded() -> None:
    parts = [f'Content-Type: application/pdf; name="f{n}.pdf"\r\n\r\n{n}' for n in range(MAX_ATTACHMENTS + 5)]
    draft = convert(_multipart(parts))
    assert len(draft.attachments) == MAX_ATTACHMENTS
    assert f"Only the first {MAX_ATTACHMENTS} attachments are listed." in draft.warnings


def test_nesting_depth_is_bounded() -> None:
    depth = MAX_DEPTH + 10
    head = "".join(f"Content-Type: multipart/mixed; boundary=b{n}\r\n\r\n--b{n}\r\n" for n in range(depth))
    tail = "".join(f"\r\n--b{n}--" for n in reversed(range(depth)))
    raw = f"From: a@example.com\r\nSubject: deep\r\n{head}Content-Type: text/plain\r\n\r\ndeep text{tail}\r\n"
    draft = convert(raw.encode())
    assert draft.title == "deep"
    assert f"Parts nested deeper than {MAX_DEPTH} levels were not read." in draft.warnings


def test_recipients_and_references_are_bounded() -> None:
    to = ", ".join(f"user{n}@example.com" for n in range(MAX_PEOPLE + 20))
    references = " ".join(f"<id{n}@example.com>" for n in range(MAX_REFERENCES + 30))
    raw = f"From: a@example.com\r\nTo: {to}\r\nReferences: {references}\r\nSubject: x\r\n\r\nbody".encode()
    draft = convert(raw)
    assert len(draft.to) == MAX_PEOPLE
    assert len(draft.references) == MAX_REFERENCES
    assert draft.references[0] == "<id0@example.com>"
    assert draft.references[-1] == f"<id{MAX_REFERENCES + 29}@example.com>"


def test_text_instead_of_bytes_is_a_programming_error() -> None:
    with pytest.raises(TypeError, match="bytes"):
        convert("From: a@example.com\r\n\r\nbody")  # type: ignore[arg-type]
    assert convert(bytearray(SMALL)).title == "hi"
    assert convert(memoryview(SMALL)).title == "hi"
