"""The open message for the contextual card: read once in ``format=full``, previewed through conversion.

``format=full`` carries every header and the text parts, while attachments come by reference (part id,
size, attachment id), so opening a message with large files stays cheap. The preview rebuilds the
message without the attachment bytes and runs the same conversion as task creation, so the title and
description shown are the ones the task will get. Attachments are offered by Gmail part id, which is
stable across reads (attachment ids are not); ``convert`` re-resolves the part to fetch its bytes. The
same read gives the RFC 822 ids (Message-ID, In-Reply-To, References) that find the message's task.
"""

from __future__ import annotations

import base64
import email.errors
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from mail2task.cards.views import AttachmentOption, MessageView
from mail2task.google.gmail import b64url_decode
from mail2task.tasks.model import replied_ids

if TYPE_CHECKING:
    from mail2task.conversion.model import Person

MAX_PARTS = 200
MAX_DEPTH = 8
MAX_PREVIEW_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class OpenMessage:
    """The open message: its card view, its sender, and the RFC 822 ids that tie it to tasks."""

    api_id: str
    view: MessageView
    sender: Person | None = None
    rfc822_message_id: str | None = None
    replies_to: tuple[str, ...] = ()  # In-Reply-To and References, newest first, bounded


@dataclass(frozen=True)
class AttachmentPart:
    """A part of a ``format=full`` message that Gmail serves through ``attachments.get``."""

    part_id: str
    attachment_id: str
    filename: str
    mime_type: str
    size: int


def _parts(part: Mapping[str, Any], depth: int = 0) -> Iterator[Mapping[str, Any]]:
    yield part
    children = part.get("parts")
    if depth < MAX_DEPTH and isinstance(children, list):
        for child in children:
            if isinstance(child, dict):
                yield from _parts(child, depth + 1)


def attachment_parts(resource: Mapping[str, Any]) -> list[AttachmentPart]:
    """Every attachment of a ``format=full`` message (forwarded messages included), in message order."""
    found: list[AttachmentPart] = []
    payload = resource.get("payload")
    if not isinstance(payload, dict):
        return found
    for i, part in enumerate(_parts(payload)):
        body = part.get("body") if isinstance(part.get("body"), dict) else {}
        attachment_id = body.get("attachmentId")  # type: ignore[union-attr]
        if i >= MAX_PARTS:
            break
        if not isinstance(attachment_id, str):
            continue
        mime = str(part.get("mimeType", "application/octet-stream"))
        filename = str(
            part.get("filename") or ("forwarded-message.eml" if mime == "message/rfc822" else "file")
        )
        size = body.get("size")  # type: ignore[union-attr]
        found.append(
            AttachmentPart(
                str(part.get("partId", "")),
                attachment_id,
                filename,
                mime,
                size if isinstance(size, int) else 0,
            )
        )
    return found


def _build(part: Mapping[str, Any], depth: int) -> EmailMessage | None:
    """One MIME part rebuilt from its JSON form; attachment parts are left out."""
    body = part.get("body") if isinstance(part.get("body"), dict) else {}
    if "attachmentId" in body or depth > MAX_DEPTH:  # type: ignore[operator]
        return None
    mime = str(part.get("mimeType", "text/plain"))
    message = EmailMessage(policy=policy.SMTP)
    for header in part.get("headers") or []:
        name, value = str(header.get("name", "")), str(header.get("value", ""))
        if not name or name.lower() in ("content-transfer-encoding", "mime-version"):
            continue
        if mime.startswith("multipart/") and name.lower() == "content-type":
            continue  # a new boundary is generated
        try:
            message[name] = " ".join(value.split())
        except (ValueError, TypeError, IndexError, email.errors.HeaderParseError):
            continue  # a header the preview can do without
    if mime.startswith("multipart/"):
        children = [c for c in (_build(p, depth + 1) for p in part.get("parts") or []) if c is not None]
        message["Content-Type"] = mime
        message.set_payload(children)  # type: ignore[arg-type]
        return message
    data = b64url_decode(str(body.get("data", "")))  # type: ignore[union-attr]
    if "Content-Type" not in message:
        message["Content-Type"] = mime
    message["Content-Transfer-Encoding"] = "base64"
    message.set_payload(base64.encodebytes(data).decode("ascii"))
    return message


def text_only_message(resource: Mapping[str, Any]) -> bytes:
    """RFC 5322 bytes rebuilt from a ``format=full`` message: all headers and text, no attachment bytes."""
    payload = resource.get("payload")
    built = _build(payload, 0) if isinstance(payload, dict) else None
    return built.as_bytes() if built is not None else b""


def read_message(resource: Mapping[str, Any], *, max_attachment_bytes: int) -> OpenMessage:
    """A ``format=full`` message as the add-on works with it (card view, sender, RFC 822 ids)."""
    from mail2task.conversion import convert

    draft = convert(text_only_message(resource), max_bytes=MAX_PREVIEW_BYTES)
    sender = draft.sender.name or draft.sender.email if draft.sender else ""
    if draft.sender and draft.sender.name and draft.sender.email:
        sender = f"{draft.sender.name} <{draft.sender.email}>"
    options = tuple(
        AttachmentOption(a.part_id, a.filename, a.size, a.size > max_attachment_bytes)
        for a in attachment_parts(resource)
    )
    view = MessageView(draft.subject, sender, draft.date, draft.title, draft.description, options)
    replies_to = replied_ids(draft.in_reply_to, draft.references)
    return OpenMessage(str(resource.get("id", "")), view, draft.sender, draft.message_id, replies_to)


def message_view(resource: Mapping[str, Any], *, max_attachment_bytes: int) -> MessageView:
    """The contextual card's view of a ``format=full`` message."""
    return read_message(resource, max_attachment_bytes=max_attachment_bytes).view
