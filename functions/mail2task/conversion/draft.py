"""Build a ``TaskDraft`` from raw message bytes: the one entry point of conversion, which never fails on
malformed input (it reports what it could not read in ``warnings``) and refuses oversized input."""

from __future__ import annotations

import logging
from email.message import Message

from mail2task.config import ConversionSettings, load
from mail2task.conversion.envelope import read_envelope
from mail2task.conversion.headers import header_text
from mail2task.conversion.limits import MAX_DESCRIPTION_BYTES
from mail2task.conversion.model import TaskDraft
from mail2task.conversion.parse import parse_message
from mail2task.conversion.parts import Content, PartWalker
from mail2task.conversion.titles import NO_SUBJECT, cap, first_line, strip_prefixes
from mail2task.conversion.trimming import trim_reply
from mail2task.errors import MessageTooLarge as MessageTooLarge

log = logging.getLogger(__name__)

FORWARD_HEADING = "---------- Forwarded message ----------"
_STRUCTURAL_DEFECTS = frozenset(
    {
        "NoBoundaryInMultipartDefect", "StartBoundaryNotFoundDefect", "CloseBoundaryNotFoundDefect",
        "MultipartInvariantViolationDefect", "MissingHeaderBodySeparatorDefect",
        "FirstHeaderLineIsContinuationDefect", "InvalidMultipartContentTransferEncodingDefect",
        "MisplacedEnvelopeHeaderDefect",
    }
)  # fmt: skip


def convert(raw: bytes | bytearray | memoryview, *, max_bytes: int | None = None) -> TaskDraft:
    """Convert one RFC 5322 message into a task draft.

    ``max_bytes`` defaults to ``ConversionSettings.max_message_bytes`` (``MAX_MESSAGE_BYTES``, 25 MB);
    larger input raises ``MessageTooLarge``. Any other input, however broken, yields a draft.
    """
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise TypeError(f"convert() takes the message's bytes, not {type(raw).__name__}")
    limit = load(ConversionSettings).max_message_bytes if max_bytes is None else max_bytes
    if len(raw) > limit:
        raise MessageTooLarge(f"The message is {len(raw)} bytes; the limit is {limit} bytes.")
    notes: list[str] = []
    try:
        return _convert(bytes(raw), notes)
    except MemoryError:
        raise
    except Exception as error:  # noqa: BLE001 - the contract: no input bytes make conversion fail
        log.warning("conversion failed unexpectedly: %s", type(error).__name__)
        notes.append(f"The message could not be read ({type(error).__name__}).")
        return TaskDraft(title=NO_SUBJECT, description="", warnings=tuple(dict.fromkeys(notes)))


def _convert(raw: bytes, notes: list[str]) -> TaskDraft:
    message = parse_message(raw)
    hint = None if raw.isascii() else _charset_hint(message)  # only 8-bit header bytes need a hint
    envelope = read_envelope(message, notes, hint)
    walker = PartWalker(notes, hint)
    content = walker.read(message)
    _note_defects(message, notes)
    subject = strip_prefixes(envelope.subject)
    own = trim_reply("\n\n".join(t for t in content.texts if t.strip()), forwarded=subject.forwarded).text
    blocks = [own] + [_forward_block(forward, hint) for forward in content.forwards]
    description = _cap_description("\n\n".join(b for b in blocks if b.strip()), notes)
    return TaskDraft(
        title=_title(subject.text, content, description, hint, notes),
        description=description,
        subject=envelope.subject,
        sender=envelope.sender,
        reply_to=envelope.reply_to,
        to=envelope.to,
        cc=envelope.cc,
        date=envelope.date,
        message_id=envelope.message_id,
        in_reply_to=envelope.in_reply_to,
        references=envelope.references,
        attachments=tuple(walker.attachments),
        warnings=tuple(dict.fromkeys(notes)),
    )


def _charset_hint(message: Message) -> str | None:
    """The charset of the first part that names one: the best guess for raw 8-bit header bytes."""
    for part in message.walk():
        charset = part.get_content_charset()
        if charset:
            return charset
    return None


def _note_defects(message: Message, notes: list[str]) -> None:
    found = {type(d).__name__ for part in message.walk() for d in getattr(part, "defects", [])}
    structural = sorted(found & _STRUCTURAL_DEFECTS)
    if structural:
        notes.append(f"The MIME structure is malformed ({', '.join(structural)}); it was read best-effort.")


def _forward_block(forward: Content, hint: str | None) -> str:
    """A forwarded message as Gmail shows one: a rule, its main headers, then its own content."""
    envelope = read_envelope(forward.message, [], hint)
    lines = [FORWARD_HEADING]
    if envelope.sender is not None:
        lines.append(f"From: {_mailbox(envelope.sender.name, envelope.sender.email)}")
    date = header_text(str(forward.message.get("date", "") or ""), hint)
    if date:
        lines.append(f"Date: {date}")
    if envelope.subject:
        lines.append(f"Subject: {envelope.subject}")
    if envelope.to:
        lines.append("To: " + ", ".join(_mailbox(p.name, p.email) for p in envelope.to))
    body = [t for t in forward.texts if t.strip()] + [_forward_block(f, hint) for f in forward.forwards]
    return "\n".join(lines) + ("\n\n" + "\n\n".join(body) if body else "")


def _mailbox(name: str, email: str) -> str:
    return f"{name} <{email}>" if name else email


def _title(subject: str, content: Content, description: str, hint: str | None, notes: list[str]) -> str:
    if subject:
        return cap(subject)
    for forward in content.forwards:
        forwarded_subject = strip_prefixes(read_envelope(forward.message, [], hint).subject).text
        if forwarded_subject:
            notes.append("The message has no subject; the title is the forwarded message's subject.")
            return cap(forwarded_subject)
    line = first_line(description)
    if line and line != FORWARD_HEADING:
        notes.append("The message has no subject; the title is the first line of the body.")
        return cap(line)
    notes.append("The message has no subject and no text.")
    return NO_SUBJECT


def _cap_description(text: str, notes: list[str]) -> str:
    """At most ``MAX_DESCRIPTION_BYTES`` of UTF-8, cut at a line end if one is near, with a visible marker."""
    data = text.encode("utf-8")
    if len(data) <= MAX_DESCRIPTION_BYTES:
        return text
    marker = "\n\n[… truncated: {} more characters not shown]"
    room = MAX_DESCRIPTION_BYTES - len(marker.encode("utf-8")) - 12
    kept = data[:room].decode("utf-8", "ignore")
    newline = kept.rfind("\n")
    if newline > len(kept) * 9 // 10:
        kept = kept[:newline]
    kept = kept.rstrip()
    notes.append(f"The description was cut to {MAX_DESCRIPTION_BYTES // 1024} KiB.")
    return kept + marker.format(len(text) - len(kept))
