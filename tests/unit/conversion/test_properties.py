"""Property tests: no input bytes make conversion raise, and what it returns is always well-formed."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mail2task.conversion import TaskDraft, convert
from mail2task.conversion.limits import MAX_DESCRIPTION_BYTES
from mail2task.conversion.parse import looks_like_email
from mail2task.conversion.titles import MAX_TITLE_CHARS
from tests.unit.conversion.golden import sample_paths

REAL_MESSAGES = [path.read_bytes() for path in sample_paths()]
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _well_formed(draft: TaskDraft) -> None:
    assert isinstance(draft, TaskDraft)
    assert draft.title.strip()
    assert len(draft.title) <= MAX_TITLE_CHARS
    assert len(draft.description.encode("utf-8")) <= MAX_DESCRIPTION_BYTES
    assert draft.date is None or draft.date.tzinfo is not None
    json.dumps(draft.to_dict())


@PROPERTY_SETTINGS
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    _well_formed(convert(raw))
    looks_like_email(raw)


HEADER_NOISE = st.sampled_from(
    [
        b"=?utf-8?b?", b"=?", b"?=", b"\r\n ", b"\r\n\r\n", b";", b'"', b"<", b">", b"@", b"\\", b"*0*=",
        b"filename*=''%", b"boundary=", b"--", b"Content-Type: multipart/mixed; boundary=x\r\n",
        b"Content-Transfer-Encoding: base64\r\n", b"charset=bogus", b"\xff\xfe", b"\x00", b"\xc3",
    ]
)  # fmt: skip


@st.composite
def mutated_message(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(REAL_MESSAGES)))
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        position = draw(st.integers(min_value=0, max_value=len(data)))
        action = draw(st.sampled_from(["insert", "delete", "flip", "truncate"]))
        if action == "insert":
            data[position:position] = draw(st.one_of(HEADER_NOISE, st.binary(min_size=1, max_size=16)))
        elif action == "delete":
            del data[position : position + draw(st.integers(min_value=1, max_value=64))]
        elif action == "flip" and position < len(data):
            data[position] = draw(st.integers(min_value=0, max_value=255))
        elif action == "truncate":
            del data[position:]
    return bytes(data)


@PROPERTY_SETTINGS
@given(mutated_message())
def test_mutated_real_messages_never_raise(raw: bytes) -> None:
    draft = convert(raw)
    _well_formed(draft)
    assert not any(warning.startswith("The message could not be read") for warning in draft.warnings)


@PROPERTY_SETTINGS
@given(st.text(max_size=300), st.text(max_size=2000))
def test_arbitrary_subject_and_body_text(subject: str, body: str) -> None:
    raw = f"From: a@example.com\r\nSubject: {subject}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{body}"
    _well_formed(convert(raw.encode("utf-8", "surrogatepass")))


def test_corpus_is_present() -> None:
    assert len(REAL_MESSAGES) >= 30
    assert all(Path(path).suffix == ".eml" for path in sample_paths())
