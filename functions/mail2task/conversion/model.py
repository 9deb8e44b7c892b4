"""The result of converting one message: a frozen ``TaskDraft`` and the people and attachments it names."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Person:
    """A mailbox: address (lower-cased domain, as written otherwise) and decoded display name."""

    email: str
    name: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"email": self.email, "name": self.name}


@dataclass(frozen=True)
class Attachment:
    """One file carried by the message; ``payload`` holds its decoded bytes (not part of ``to_dict``)."""

    filename: str
    content_type: str
    size: int
    inline: bool
    content_id: str | None
    sha256: str
    payload: bytes = field(default=b"", repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "size": self.size,
            "inline": self.inline,
            "content_id": self.content_id,
            "sha256": self.sha256,
        }


@dataclass(frozen=True)
class TaskDraft:
    """What a message becomes before anyone edits it: title, description, people, ids and attachments.

    Message ids keep their angle brackets (``<id@host>``), as written in ``References``. ``date`` is aware
    or ``None``; ``warnings`` lists, in plain words, everything that was guessed, dropped or cut.
    """

    title: str
    description: str
    subject: str = ""
    sender: Person | None = None
    reply_to: tuple[Person, ...] = ()
    to: tuple[Person, ...] = ()
    cc: tuple[Person, ...] = ()
    date: datetime | None = None
    message_id: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    warnings: tuple[str, ...] = ()

    def author_for_sender(self) -> Person | None:
        """The person a "create task from sender" task is authored by: the first Reply-To, else From."""
        for person in self.reply_to:
            if person.email:
                return person
        if self.sender is not None and self.sender.email:
            return self.sender
        return None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the CLI's output and the golden samples' format)."""
        return {
            "title": self.title,
            "description": self.description,
            "subject": self.subject,
            "sender": self.sender.to_dict() if self.sender is not None else None,
            "reply_to": [p.to_dict() for p in self.reply_to],
            "to": [p.to_dict() for p in self.to],
            "cc": [p.to_dict() for p in self.cc],
            "date": self.date.isoformat() if self.date is not None else None,
            "message_id": self.message_id,
            "in_reply_to": self.in_reply_to,
            "references": list(self.references),
            "attachments": [a.to_dict() for a in self.attachments],
            "warnings": list(self.warnings),
        }
