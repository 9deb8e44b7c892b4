"""Header values as people meant them: RFC 2047 words, display names, aware dates and message ids."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime
from email.utils import getaddresses, parsedate_to_datetime

from mail2task.conversion.charsets import codec_for, decode_header_bytes, unescape_surrogates
from mail2task.conversion.model import Person

# An RFC 2047 encoded word, leniently: also inside quoted strings and glued to neighbouring text.
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([QqBb])\?([^?]*)\?=")
_BETWEEN_WORDS = re.compile(r"[ \t\r\n]*")
_QP_HEX = re.compile(rb"=([0-9A-Fa-f]{2})")
_MSG_ID = re.compile(r"<([^<>\s]+)>")
_BARE_ID = re.compile(r"[^\s<>()\"',;]+@[^\s<>()\"',;]+")
_WHITESPACE = re.compile(r"\s+")
_ADDR_SPEC = r"[^\s<>()\[\]\\,;:@\"]+@[^\s<>()\[\]\\,;:@\"]+"
_MAILBOX = rf'\s*(?:(?:"((?:[^"\\]|\\.)*)"|([^"<>()\[\]\\,;:@]*))\s*<({_ADDR_SPEC})>|({_ADDR_SPEC}))\s*'
_SIMPLE_MAILBOX = re.compile(_MAILBOX)
_MAILBOX_ITEM = re.compile(_MAILBOX + r"(?:,|\Z)")
_QUOTED_PAIR = re.compile(r"\\(.)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def unfold(value: str) -> str:
    """Remove line folding (CRLF or LF before whitespace) and stray line breaks."""
    if "\n" not in value and "\r" not in value:
        return value
    return value.replace("\r", "").replace("\n", "")


def _word_bytes(encoding: str, text: str) -> bytes:
    """The bytes of one encoded word; ``ValueError`` (or ``binascii.Error``) if it is not valid."""
    if encoding in "Bb":
        data = text.encode("ascii").rstrip(b"=")
        return base64.b64decode(data + b"=" * (-len(data) % 4), validate=True)
    raw = text.replace("_", " ").encode("utf-8", "surrogateescape")
    return _QP_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), raw)


def _decode_run(charset: str, data: bytes) -> str:
    codec = codec_for(charset.split("*", 1)[0])
    if codec is not None:
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            pass
    return decode_header_bytes(data, None)


def decode_words(value: str) -> str:
    """Decode RFC 2047 encoded words, joining adjacent words of one charset at the byte level first.

    Senders split multi-byte characters across words; joining bytes before decoding repairs that, and
    whitespace between adjacent encoded words is dropped as RFC 2047 section 6.2 requires.
    """
    if "=?" not in value:
        return value
    out: list[str] = []
    run_charset: str | None = None
    run = bytearray()
    position = 0
    for match in _ENCODED_WORD.finditer(value):
        gap = value[position : match.start()]
        if run_charset is not None and _BETWEEN_WORDS.fullmatch(gap) is None:
            out.append(_decode_run(run_charset, bytes(run)))
            run_charset, run = None, bytearray()
        if run_charset is None:
            out.append(gap)
        charset = match.group(1).lower()
        if run_charset is not None and charset != run_charset:
            out.append(_decode_run(run_charset, bytes(run)))
            run = bytearray()
        run_charset = charset
        try:
            run += _word_bytes(match.group(2), match.group(3))
        except (binascii.Error, ValueError):
            run += match.group(0).encode("utf-8", "surrogateescape")
        position = match.end()
    if run_charset is not None:
        out.append(_decode_run(run_charset, bytes(run)))
    out.append(value[position:])
    return "".join(out)


def header_text(value: str | None, hint: str | None = None) -> str:
    """A display-ready header value: 8-bit bytes decoded, RFC 2047 decoded, whitespace collapsed."""
    if not value:
        return ""
    text = decode_words(unescape_surrogates(unfold(value), hint))
    return _WHITESPACE.sub(" ", _CONTROL.sub("", text)).strip()


def _person(name: str, address: str, hint: str | None) -> Person | None:
    address = _WHITESPACE.sub("", address).strip("<>")
    name = header_text(name, hint).strip("\"' ")
    local, _, domain = address.rpartition("@")
    if not local or not domain:
        return None
    email = f"{local}@{domain.lower()}"
    return Person(email=email, name="" if name == email else name)


def _simple_mailboxes(text: str) -> list[tuple[str, str]] | None:
    """``Name <addr>`` and bare ``addr`` items separated by commas, or ``None`` for anything else."""
    found: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        item = _MAILBOX_ITEM.match(text, position)
        if item is None or item.end() == position:
            return None
        name = item.group(1) if item.group(1) is not None else (item.group(2) or "").strip()
        found.append((_QUOTED_PAIR.sub(r"\1", name), item.group(3) or item.group(4)))
        position = item.end()
    return found


def _parse_addresses(texts: list[str]) -> list[tuple[str, str]]:
    """``getaddresses``, with a fast path for plain lists of ``Name <addr>`` or bare ``addr``: the
    standard library's full RFC 5322 parser costs tens of microseconds per address."""
    found: list[tuple[str, str]] = []
    for text in texts:
        simple = _simple_mailboxes(text)
        if simple is None:
            return getaddresses(texts)
        found += simple
    return found


def addresses(values: list[str], hint: str | None = None) -> list[Person]:
    """Every mailbox in the given address header values (groups flattened, unusable entries skipped)."""
    texts = [unescape_surrogates(unfold(v), hint) for v in values if v]
    if not texts:
        return []
    people: list[Person] = []
    seen: set[str] = set()
    for name, address in _parse_addresses(texts):
        person = _person(name, address, hint)
        if person is not None and person.email.lower() not in seen:
            seen.add(person.email.lower())
            people.append(person)
    return people


def parse_date(value: str | None) -> tuple[datetime | None, bool]:
    """``(aware datetime, zone_known)``; ``(None, False)`` when the value is not a date.

    A date without a zone (or with ``-0000``, "zone unknown" per RFC 5322) is read as UTC.
    """
    if not value:
        return None, False
    text = _WHITESPACE.sub(" ", unfold(value)).strip()
    try:
        parsed = parsedate_to_datetime(text)
    except (ValueError, IndexError, TypeError, OverflowError):
        return None, False
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC), False
    return parsed, True


def message_ids(value: str | None) -> list[str]:
    """Message ids in a Message-ID, In-Reply-To or References value, as ``<id>``, in order, deduplicated."""
    if not value:
        return []
    text = unfold(value)
    found = _MSG_ID.findall(text) or _BARE_ID.findall(text)
    ids = (f"<{unescape_surrogates(item).strip()}>" for item in found)
    return list(dict.fromkeys(ids))
