"""``users.messages.send`` for the Gmail stand-in: a JSON ``raw`` body, or a media or multipart upload."""

from __future__ import annotations

import email
import email.policy
import json
from dataclasses import dataclass
from email.message import Message
from typing import TYPE_CHECKING, Any

from mail2task.local.gmail_api import ApiError, Call, authorize, check_user
from mail2task.local.mailbox import StoredMessage, b64url_decode, header_text, normalized_subject

if TYPE_CHECKING:
    from mail2task.local.gmail_standin import GmailStandIn


@dataclass
class SentMessage:
    """A message received by ``users.messages.send``."""

    id: str
    thread_id: str
    raw: bytes
    requested_thread_id: str | None


def messages_send(standin: GmailStandIn, call: Call, user: str, upload: bool) -> dict[str, Any]:
    check_user(user)
    authorize(standin, call, "messages.send")
    raw, requested_thread = _send_payload(call, upload)
    parsed = email.message_from_bytes(raw, policy=email.policy.compat32)
    if not any(parsed.get(name) for name in ("To", "Cc", "Bcc")):
        raise ApiError(400, "Recipient address required", "invalidArgument")
    thread = None
    if requested_thread:
        existing = standin.mailbox.thread(requested_thread)
        if not existing:
            raise ApiError(404, "Requested entity was not found.", "notFound")
        if _same_subject(existing[0], header_text(parsed, "Subject")):
            thread = requested_thread
    stored = standin.mailbox.add(raw, label_ids=["SENT"], thread_id=thread)
    standin.record_sent(SentMessage(stored.id, stored.thread_id, raw, requested_thread))
    return {"id": stored.id, "threadId": stored.thread_id, "labelIds": ["SENT"]}


def _same_subject(first: StoredMessage, subject: str) -> bool:
    return normalized_subject(header_text(first.parsed, "Subject")) == normalized_subject(subject)


def _send_payload(call: Call, upload: bool) -> tuple[bytes, str | None]:
    missing = ApiError(
        400, "'raw' RFC822 payload message string or uploading message via /upload/* URL required",
        "invalidArgument",
    )  # fmt: skip
    if not upload:
        try:
            body = json.loads(call.body or b"{}")
            raw = b64url_decode(str(body["raw"]))
        except (ValueError, KeyError, TypeError):
            raise missing from None
        return raw, body.get("threadId") or None
    content_type = call.headers.get("content-type", "")
    if call.param("uploadType") != "multipart":
        return call.body, None
    container = email.message_from_bytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + call.body, policy=email.policy.compat32
    )
    parts = container.get_payload()
    if not isinstance(parts, list) or len(parts) != 2:
        raise missing
    meta_part, media_part = parts
    if not isinstance(meta_part, Message) or not isinstance(media_part, Message):
        raise missing
    meta_bytes = meta_part.get_payload(decode=True)
    try:
        metadata = json.loads(meta_bytes if isinstance(meta_bytes, bytes) else b"{}")
    except ValueError:
        raise missing from None
    inner = media_part.get_payload()
    if isinstance(inner, list) and inner and isinstance(inner[0], Message):  # parsed message/rfc822
        return inner[0].as_bytes(), metadata.get("threadId") or None
    media = media_part.get_payload(decode=True)
    return (media if isinstance(media, bytes) else b""), metadata.get("threadId") or None
