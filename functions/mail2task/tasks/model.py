"""Tasks as stored under their tenant: the record, its comments, deterministic ids and the link to the mail.

Ids are derived, never random, so that a repeated click or a retried delivery names the same document:
a thread key hashes the user's ``sub`` with the Gmail thread id (Gmail ids are per mailbox) and is the
task id (one thread, one task); a message key hashes a message's RFC 822 Message-ID, which is the same in
every mailbox that got the message, so the assignee's copy finds the creator's task; a comment id hashes
the Message-ID too (the Gmail message id when there is none).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mail2task.google.gmail import gmail_api_id

OPEN = "open"
DONE = "done"
STATUSES = (OPEN, DONE)
AUTHOR_USER = "user"
AUTHOR_SENDER = "sender"

MAX_TITLE_CHARS = 300
MAX_DESCRIPTION_CHARS = 20_000
MAX_COMMENT_CHARS = 20_000
MAX_ATTACHMENTS = 20
MAX_MESSAGE_ID_CHARS = 998  # one header line
MAX_LINKED_REFERENCES = 20  # In-Reply-To and References ids looked up per message

_TASK_ID = re.compile(r"^[0-9a-f]{32}$")
GMAIL_WEB = "https://mail.google.com/mail/"


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def thread_key(sub: str, thread_id: str) -> str:
    """The key of one user's Gmail thread (thread ids are per mailbox); also the id of its task."""
    return _digest("thread", sub, gmail_api_id(thread_id))


def normalized_message_id(value: str | None) -> str | None:
    """An RFC 822 Message-ID without angle brackets and outer space; None when empty or oversized."""
    text = (value or "").strip().removeprefix("<").removesuffix(">").strip()
    return text if text and len(text) <= MAX_MESSAGE_ID_CHARS else None


def message_key(rfc822_message_id: str | None) -> str | None:
    """The id of a message link, ``tenants/{tenant}/messages/{key}``: SHA-256 of the Message-ID."""
    normalized = normalized_message_id(rfc822_message_id)
    return hashlib.sha256(normalized.encode()).hexdigest() if normalized else None


def replied_ids(in_reply_to: str | None, references: Sequence[str]) -> tuple[str, ...]:
    """The Message-IDs a message answers, newest first, at most ``MAX_LINKED_REFERENCES``."""
    newest_first = [in_reply_to, *reversed(references)]
    unique = dict.fromkeys(v for v in newest_first if v and normalized_message_id(v))
    return tuple(unique)[:MAX_LINKED_REFERENCES]


def comment_id(message_id: str, rfc822_message_id: str | None = None) -> str:
    """The comment a message becomes: one message (whichever mailbox it is added from), one comment."""
    normalized = normalized_message_id(rfc822_message_id)
    if normalized:
        return _digest("comment", "rfc822", normalized)
    return _digest("comment", gmail_api_id(message_id))


def is_task_id(value: object) -> bool:
    return isinstance(value, str) and bool(_TASK_ID.match(value))


def message_link(rfc822_message_id: str | None, thread_id: str) -> str:
    """A Gmail web link to the message that works in whichever account holds it (no ``/u/0/``).

    The ``rfc822msgid:`` search finds the message by its Message-ID header, which is the same in every
    mailbox that received it (the creator's, and the assignee's if they got it too); a thread id is
    valid only in one mailbox, so it is the fallback when the message has no Message-ID.
    """
    if rfc822_message_id:
        query = urllib.parse.quote("rfc822msgid:" + rfc822_message_id.strip("<>"), safe="")
        return f"{GMAIL_WEB}#search/{query}"
    return f"{GMAIL_WEB}#all/{gmail_api_id(thread_id)}"


def link_for_viewer(link: str, email: str) -> str:
    """``link`` opened in the viewer's account (``authuser=<email>``), whatever their sign-in order."""
    base, _, fragment = link.partition("#")
    query = urllib.parse.urlencode({"authuser": email})
    return f"{base}?{query}#{fragment}" if fragment else f"{base}?{query}"


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class PersonRef:
    """Someone a task names; ``sub`` is set for members of the tenant, absent for outside senders."""

    email: str
    name: str = ""
    sub: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email

    def to_dict(self) -> dict[str, Any]:
        return {"email": self.email, "name": self.name, "sub": self.sub}

    @classmethod
    def from_dict(cls, data: Any) -> PersonRef | None:
        if not isinstance(data, Mapping) or not _text(data, "email"):
            return None
        sub = data.get("sub")
        return cls(_text(data, "email"), _text(data, "name"), sub if isinstance(sub, str) else None)


@dataclass(frozen=True)
class Source:
    """The message a task came from."""

    message_id: str
    thread_id: str
    rfc822_message_id: str | None
    link: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "messageId": self.message_id,
            "threadId": self.thread_id,
            "rfc822MessageId": self.rfc822_message_id,
            "link": self.link,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Source:
        data = data if isinstance(data, Mapping) else {}
        rfc = data.get("rfc822MessageId")
        return cls(
            _text(data, "messageId"),
            _text(data, "threadId"),
            rfc if isinstance(rfc, str) else None,
            _text(data, "link"),
        )


@dataclass(frozen=True)
class AttachmentRecord:
    """A file of the source message copied into the task (bytes live in the attachments subcollection)."""

    filename: str
    content_type: str
    size: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "contentType": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AttachmentRecord:
        size = data.get("size")
        return cls(
            _text(data, "filename"),
            _text(data, "contentType"),
            size if isinstance(size, int) else 0,
            _text(data, "sha256"),
        )


@dataclass(frozen=True)
class Task:
    """tenants/{tenant}/tasks/{id}."""

    id: str
    title: str
    description: str
    author: PersonRef
    author_kind: str
    creator: PersonRef
    source: Source
    status: str = OPEN
    assignee: PersonRef | None = None
    due: dt.date | None = None
    attachments: tuple[AttachmentRecord, ...] = ()
    comment_count: int = 0
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None

    @property
    def done(self) -> bool:
        return self.status == DONE

    def involves(self, sub: str) -> bool:
        """Whether ``sub`` may see and change this task: its creator or its assignee."""
        return sub == self.creator.sub or (self.assignee is not None and sub == self.assignee.sub)

    def to_document(self) -> dict[str, Any]:
        return {
            "title": self.title[:MAX_TITLE_CHARS],
            "description": self.description[:MAX_DESCRIPTION_CHARS],
            "status": self.status,
            "author": {**self.author.to_dict(), "kind": self.author_kind},
            "creator": self.creator.to_dict(),
            "creatorSub": self.creator.sub,
            "assignee": self.assignee.to_dict() if self.assignee else None,
            "assigneeSub": self.assignee.sub if self.assignee else None,
            "due": self.due.isoformat() if self.due else None,
            "source": self.source.to_dict(),
            "attachments": [a.to_dict() for a in self.attachments[:MAX_ATTACHMENTS]],
            "commentCount": self.comment_count,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        }

    @classmethod
    def from_document(cls, task_id: str, data: Mapping[str, Any]) -> Task:
        author = data.get("author") if isinstance(data.get("author"), Mapping) else {}
        due = data.get("due")
        count = data.get("commentCount")
        raw_attachments = data.get("attachments")
        return cls(
            id=task_id,
            title=_text(data, "title"),
            description=_text(data, "description"),
            author=PersonRef.from_dict(author) or PersonRef(""),
            author_kind=_text(author, "kind") or AUTHOR_USER,  # type: ignore[arg-type]
            creator=PersonRef.from_dict(data.get("creator")) or PersonRef(""),
            source=Source.from_dict(data.get("source")),
            status=_text(data, "status") if _text(data, "status") in STATUSES else OPEN,
            assignee=PersonRef.from_dict(data.get("assignee")),
            due=dt.date.fromisoformat(due) if isinstance(due, str) and due else None,
            attachments=tuple(
                AttachmentRecord.from_dict(a)
                for a in (raw_attachments if isinstance(raw_attachments, list) else [])
                if isinstance(a, Mapping)
            ),
            comment_count=count if isinstance(count, int) else 0,
            created_at=data.get("createdAt") if isinstance(data.get("createdAt"), dt.datetime) else None,
            updated_at=data.get("updatedAt") if isinstance(data.get("updatedAt"), dt.datetime) else None,
        )


@dataclass(frozen=True)
class Comment:
    """tenants/{tenant}/tasks/{id}/comments/{commentId}: a later message of the thread."""

    id: str
    message_id: str
    author: PersonRef
    text: str
    added_by: str
    created_at: dt.datetime | None = None
    rfc822_message_id: str | None = None

    def to_document(self) -> dict[str, Any]:
        return {
            "messageId": self.message_id,
            "rfc822MessageId": self.rfc822_message_id,
            "author": self.author.to_dict(),
            "text": self.text[:MAX_COMMENT_CHARS],
            "addedBy": self.added_by,
            "createdAt": self.created_at,
        }


@dataclass(frozen=True)
class StoredFile:
    """An attachment's bytes, stored next to the task (one document each, under Firestore's 1 MiB)."""

    record: AttachmentRecord
    data: bytes = field(repr=False)
