"""An in-memory mailbox of RFC 5322 messages, rendered as Gmail API resources (Message, MessagePart, Thread).

Ids look like Gmail's: 16 hex digits derived from the message date, so listing order and id order agree.
Threads group replies by ``In-Reply-To``/``References`` and, for ``Re:`` subjects, by normalized subject.
"""

from __future__ import annotations

import base64
import email
import email.header
import email.policy
import email.utils
import hashlib
import html
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

FORMATS = ("full", "metadata", "minimal", "raw")
_REPLY_PREFIX = re.compile(r"^\s*((re|aw|sv|vs|antw|odp)(\[\d+\])?\s*[:\uff1a]\s*)+", re.IGNORECASE)
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
SNIPPET_CHARS = 200
_INVISIBLE = ("script", "style", "head")


def b64url(data: bytes) -> str:
    """Gmail's encoding of ``raw`` and body ``data``: URL-safe base64 with padding."""
    return base64.urlsafe_b64encode(data).decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in _INVISIBLE:
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _INVISIBLE and self._skip > 0:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.chunks.append(data)


def _decoded_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return payload.decode(part.get_content_charset() or "utf-8", errors="replace")


def text_of(message: Message) -> str:
    """The readable text of a message: its first text/plain part, else its first HTML part stripped."""
    html_text = None
    for part in message.walk():
        if part.get_content_disposition() == "attachment" or part.get_content_maintype() == "multipart":
            continue
        if part.get_content_type() == "text/plain":
            return _decoded_text(part)
        if part.get_content_type() == "text/html" and html_text is None:
            parser = _TextOnly()
            parser.feed(_decoded_text(part))
            html_text = "".join(parser.chunks)
    return html_text or ""


def header_text(message: Message, name: str) -> str:
    """A header's value with RFC 2047 words decoded and folding removed; ``""`` when absent."""
    raw = message.get(name)
    return "" if raw is None else header_text_value(raw)


@dataclass
class StoredMessage:
    """One message as the mailbox holds it."""

    id: str
    thread_id: str
    raw: bytes
    parsed: Message
    internal_date: int
    label_ids: list[str]
    history_id: int
    attachments: dict[str, bytes] = field(default_factory=dict)  # attachmentId -> decoded bytes

    @property
    def snippet(self) -> str:
        text = " ".join(text_of(self.parsed).split())
        return html.escape(text[:SNIPPET_CHARS], quote=True)

    def headers(self, part: Message, only: Iterable[str] | None = None) -> list[dict[str, str]]:
        wanted = {name.lower() for name in only} if only is not None else None
        return [
            {"name": name, "value": header_text_value(value)}
            for name, value in part.items()
            if wanted is None or name.lower() in wanted
        ]

    def resource(self, fmt: str = "full", metadata_headers: Iterable[str] | None = None) -> dict[str, Any]:
        """The Gmail ``Message`` resource in ``fmt`` (full, metadata, minimal or raw)."""
        body: dict[str, Any] = {
            "id": self.id,
            "threadId": self.thread_id,
            "labelIds": list(self.label_ids),
            "snippet": self.snippet,
            "sizeEstimate": len(self.raw),
            "historyId": str(self.history_id),
            "internalDate": str(self.internal_date),
        }
        if fmt == "raw":
            body["raw"] = b64url(self.raw)
        elif fmt == "metadata":
            headers = list(metadata_headers or []) or None
            body["payload"] = {
                "mimeType": self.parsed.get_content_type(),
                "headers": self.headers(self.parsed, headers),
            }
        elif fmt == "full":
            body["payload"] = self._part(self.parsed, "")
        return body

    def _part(self, part: Message, part_id: str) -> dict[str, Any]:
        filename = part.get_filename() or ""
        resource: dict[str, Any] = {
            "partId": part_id,
            "mimeType": part.get_content_type(),
            "filename": filename,
            "headers": self.headers(part),
        }
        if part.is_multipart() and part.get_content_type() != "message/rfc822":
            children = part.get_payload()
            assert isinstance(children, list)
            prefix = f"{part_id}." if part_id else ""
            resource["body"] = {"size": 0}
            resource["parts"] = [self._part(child, f"{prefix}{i}") for i, child in enumerate(children)]
            return resource
        data = _leaf_bytes(part)
        if filename or part.get_content_type() == "message/rfc822":
            attachment_id = _attachment_id(self.id, part_id)
            self.attachments[attachment_id] = data
            resource["body"] = {"attachmentId": attachment_id, "size": len(data)}
        else:
            resource["body"] = {"size": len(data), "data": b64url(data)}
        return resource


def header_text_value(value: Any) -> str:
    """A raw header value with RFC 2047 words decoded and folding removed."""
    try:
        text = str(email.header.make_header(email.header.decode_header(str(value))))
    except (ValueError, LookupError, UnicodeError):
        text = str(value)
    return re.sub(r"\s*\r?\n\s*", " ", text).strip()


def _leaf_bytes(part: Message) -> bytes:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        inner_message = inner[0] if isinstance(inner, list) else inner
        return inner_message.as_bytes() if isinstance(inner_message, Message) else b""
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _attachment_id(message_id: str, part_id: str) -> str:
    digest = hashlib.sha256(f"{message_id}/{part_id}".encode()).digest()
    return "ANGjdJ" + base64.urlsafe_b64encode(digest * 2).decode().rstrip("=")


def normalized_subject(subject: str) -> str:
    """A subject without reply prefixes, whitespace-collapsed and lower-cased (thread matching)."""
    return " ".join(_REPLY_PREFIX.sub("", subject).split()).lower()


class Mailbox:
    """Messages and threads of one mailbox; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: dict[str, StoredMessage] = {}
        self._by_rfc822_id: dict[str, str] = {}  # Message-ID header -> thread id
        self._history = 1000

    @classmethod
    def from_folder(cls, folder: Path | str) -> Mailbox:
        """A mailbox holding every ``*.eml`` file of ``folder``, oldest first."""
        mailbox = cls()
        parsed = [(path.read_bytes(), path.name) for path in sorted(Path(folder).glob("*.eml"))]
        for raw, _ in sorted(parsed, key=lambda item: _date_ms(email.message_from_bytes(item[0]), 0)):
            mailbox.add(raw, label_ids=["INBOX"])
        return mailbox

    def add(self, raw: bytes, *, label_ids: list[str], thread_id: str | None = None) -> StoredMessage:
        """Store ``raw`` and return it with its new id; ``thread_id`` forces the thread (messages.send)."""
        parsed = email.message_from_bytes(raw, policy=email.policy.compat32)
        with self._lock:
            self._history += 1
            internal = _date_ms(parsed, self._history)
            message_id = self._new_id(internal, raw)
            thread = thread_id or self._thread_for(parsed) or message_id
            stored = StoredMessage(message_id, thread, raw, parsed, internal, label_ids, self._history)
            self._messages[message_id] = stored
            rfc822_id = parsed.get("Message-ID", "").strip()
            if rfc822_id:
                self._by_rfc822_id.setdefault(rfc822_id, thread)
            return stored

    def _new_id(self, internal: int, raw: bytes) -> str:
        value = (internal << 20) | (int.from_bytes(hashlib.sha256(raw).digest()[:3], "big") & 0xFFFFF)
        while f"{value:016x}" in self._messages:
            value += 1
        return f"{value:016x}"

    def _thread_for(self, parsed: Message) -> str | None:
        refs = _MESSAGE_ID.findall(f"{parsed.get('In-Reply-To', '')} {parsed.get('References', '')}")
        for ref in reversed(refs):
            if ref in self._by_rfc822_id:
                return self._by_rfc822_id[ref]
        subject = header_text(parsed, "Subject")
        if _REPLY_PREFIX.match(subject):
            wanted = normalized_subject(subject)
            for other in self._messages.values():
                if normalized_subject(header_text(other.parsed, "Subject")) == wanted:
                    return other.thread_id
        return None

    def get(self, message_id: str) -> StoredMessage | None:
        with self._lock:
            return self._messages.get(message_id)

    def thread(self, thread_id: str) -> list[StoredMessage]:
        """The messages of a thread, oldest first (empty when unknown)."""
        with self._lock:
            found = [m for m in self._messages.values() if m.thread_id == thread_id]
        return sorted(found, key=lambda m: (m.internal_date, m.id))

    def messages(self) -> Iterator[StoredMessage]:
        """Every message, newest first (the order of messages.list)."""
        with self._lock:
            ordered = sorted(self._messages.values(), key=lambda m: (m.internal_date, m.id), reverse=True)
        return iter(ordered)

    def attachment(self, message_id: str, attachment_id: str) -> bytes | None:
        stored = self.get(message_id)
        if stored is None:
            return None
        if attachment_id not in stored.attachments:
            stored.resource("full")  # walks the parts and registers their attachment ids
        return stored.attachments.get(attachment_id)


def _date_ms(parsed: Message, fallback: int) -> int:
    try:
        date = email.utils.parsedate_to_datetime(str(parsed.get("Date", "")))
    except (TypeError, ValueError, IndexError):
        return 1_700_000_000_000 + fallback
    if date.tzinfo is None:
        return 1_700_000_000_000 + fallback
    return int(date.timestamp() * 1000)
