"""The header fields a task needs (people, date, subject, thread ids), decoded and bounded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import Message

from mail2task.conversion.headers import addresses, header_text, message_ids, parse_date
from mail2task.conversion.limits import MAX_PEOPLE, MAX_REFERENCES
from mail2task.conversion.model import Person


@dataclass(frozen=True)
class Envelope:
    subject: str
    sender: Person | None
    reply_to: tuple[Person, ...]
    to: tuple[Person, ...]
    cc: tuple[Person, ...]
    date: datetime | None
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]


class _Headers:
    """Header values by lower-cased name, indexed once (``Message.get`` scans every header per call)."""

    def __init__(self, message: Message) -> None:
        self._by_name: dict[str, list[str]] = {}
        for name, value in message.raw_items():
            self._by_name.setdefault(name.lower(), []).append(str(value))

    def all(self, name: str) -> list[str]:
        return self._by_name.get(name, [])

    def first(self, name: str) -> str | None:
        values = self._by_name.get(name)
        return values[0] if values else None


def _people(headers: _Headers, name: str, notes: list[str], hint: str | None) -> tuple[Person, ...]:
    people = addresses(headers.all(name), hint)
    if len(people) > MAX_PEOPLE:
        notes.append(f"Only the first {MAX_PEOPLE} addresses of {name.title()} are kept.")
        people = people[:MAX_PEOPLE]
    return tuple(people)


def _sender(headers: _Headers, notes: list[str], hint: str | None) -> Person | None:
    for name in ("from", "sender", "return-path"):
        people = addresses(headers.all(name), hint)
        if people:
            if name != "from":
                notes.append(f"The message has no usable From address; the {name.title()} address is used.")
            return people[0]
    notes.append("The message has no sender address.")
    return None


def _date(headers: _Headers, notes: list[str]) -> datetime | None:
    value = headers.first("date")
    date, zone_known = parse_date(value)
    if date is not None:
        if not zone_known:
            notes.append("The Date header has no time zone; it was read as UTC.")
        return date
    notes.append("The message has no Date header." if not value else "The Date header could not be read.")
    for received in headers.all("received")[:1]:
        fallback, _ = parse_date(received.rpartition(";")[2])
        if fallback is not None:
            notes.append("The date is taken from the newest Received header.")
            return fallback
    return None


def _references(headers: _Headers, notes: list[str]) -> tuple[str, ...]:
    ids = message_ids(headers.first("references"))
    if len(ids) > MAX_REFERENCES:
        notes.append(f"References was shortened to its first and last {MAX_REFERENCES - 1} ids.")
        ids = ids[:1] + ids[-(MAX_REFERENCES - 1) :]
    return tuple(ids)


def read_envelope(message: Message, notes: list[str], hint: str | None = None) -> Envelope:
    """Decode the headers of ``message``, adding a note for each missing or unreadable one."""
    headers = _Headers(message)
    message_id = message_ids(headers.first("message-id"))
    in_reply_to = message_ids(headers.first("in-reply-to"))
    return Envelope(
        subject=header_text(headers.first("subject"), hint),
        sender=_sender(headers, notes, hint),
        reply_to=_people(headers, "reply-to", notes, hint),
        to=_people(headers, "to", notes, hint),
        cc=_people(headers, "cc", notes, hint),
        date=_date(headers, notes),
        message_id=message_id[0] if message_id else None,
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=_references(headers, notes),
    )
