"""Every file of CPython's own email test data converts without an exception (skipped if not installed)."""

from __future__ import annotations

import email
from pathlib import Path

import pytest

from mail2task.conversion import TaskDraft, convert

CPYTHON_DATA = Path(email.__file__).parent.parent / "test" / "test_email" / "data"


def cpython_files() -> list[Path]:
    return sorted(CPYTHON_DATA.iterdir()) if CPYTHON_DATA.is_dir() else []


pytestmark = pytest.mark.skipif(not cpython_files(), reason="this Python has no test/test_email/data")


@pytest.mark.parametrize("path", cpython_files(), ids=lambda path: path.name)
def test_converts_without_exception(path: Path) -> None:
    draft = convert(path.read_bytes())
    assert isinstance(draft, TaskDraft)
    assert draft.title
    assert not any(warning.startswith("The message could not be read") for warning in draft.warnings)
    draft.to_dict()


def test_known_message_details() -> None:
    draft = convert((CPYTHON_DATA / "msg_07.txt").read_bytes())
    assert draft.title == "Here is your dingus fish"
    assert draft.description == "Hi there,\n\nThis is the dingus fish."
    assert [(a.filename, a.content_type, a.inline) for a in draft.attachments] == [
        ("dingusfish.gif", "image/gif", False)
    ]
    assert draft.attachments[0].payload.startswith(b"GIF87a")
