"""Bytes to a parsed message tree, fed in chunks, with header values kept raw for our own decoding."""

from __future__ import annotations

import re
from email.feedparser import BytesFeedParser
from email.message import Message
from email.policy import Compat32

from mail2task.conversion.headers import unfold

_CHUNK = 64 * 1024
_FIELD = re.compile(rb"[!-9;-~]+[ \t]*:")
_BOUNDARY_LINE = re.compile(rb"^--([0-9A-Za-z'()+_,./:=?-]{1,70})[ \t]*\r?$", re.MULTILINE)
_TOKEN = re.compile(r"[a-z0-9][a-z0-9.+-]{0,60}")
_KNOWN_FIELDS = frozenset(
    {
        b"from", b"to", b"cc", b"subject", b"date", b"message-id", b"mime-version", b"received",
        b"return-path", b"content-type", b"delivered-to", b"reply-to", b"sender", b"in-reply-to",
        b"references", b"x-mailer", b"user-agent", b"x-original-to", b"envelope-to", b"newsgroups",
    }
)  # fmt: skip


class RawHeaders(Compat32):
    """The compat32 policy, but header values come back as unfolded ``str`` with 8-bit bytes still
    surrogate-escaped, never as ``email.header.Header`` objects: decoding is done by ``headers.py``."""

    def header_fetch_parse(self, name: str, value: str) -> str:
        return unfold(value)


RAW_HEADERS = RawHeaders()


def parse_message(raw: bytes) -> Message:
    """Parse ``raw`` into a message tree.

    Feeding a ``BytesFeedParser`` in chunks keeps peak memory near twice the input; the stdlib's
    ``message_from_bytes`` first copies it into a ``str`` and a ``StringIO`` (about six times).
    """
    parser = BytesFeedParser(policy=RAW_HEADERS)
    view = memoryview(raw)
    for start in range(0, len(raw), _CHUNK):
        parser.feed(bytes(view[start : start + _CHUNK]))
    return parser.close()


def reparse_with_found_boundary(body: bytes, subtype: str) -> Message | None:
    """Parse ``body`` as a multipart using the first ``--boundary`` line it contains, if it has one."""
    found = _BOUNDARY_LINE.search(body[:65536])
    if found is None:
        return None
    boundary = found.group(1).decode("ascii")
    subtype = subtype if _TOKEN.fullmatch(subtype) else "mixed"
    header = f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n'.encode()
    message = parse_message(header + body)
    return message if message.is_multipart() else None


def _header_lines(raw: bytes) -> list[bytes]:
    head = raw[: 64 * 1024].lstrip(b"\r\n\t ")
    if head.startswith(b"From "):  # an mbox separator line
        head = head.partition(b"\n")[2]
    end = len(head)
    for separator in (b"\n\n", b"\r\n\r\n"):
        found = head.find(separator)
        if found != -1:
            end = min(end, found)
    return head[:end].splitlines()


def looks_like_email(raw: bytes) -> bool:
    """Whether ``raw`` starts with an RFC 5322 header block: a field first, fields (not garbage) for the
    most part, no NUL bytes, and at least one field that messages carry (From, Subject, Received...).

    Used by the command line to refuse other files; ``convert`` itself accepts any bytes.
    """
    lines = _header_lines(raw)
    if not lines or _FIELD.match(lines[0]) is None:
        return False
    fields = malformed = 0
    known = False
    for line in lines:
        if b"\x00" in line:
            return False
        if line[:1] in (b" ", b"\t"):
            continue
        field = _FIELD.match(line)
        if field is None:
            malformed += 1
            continue
        fields += 1
        known = known or field.group(0).rstrip(b": \t").lower() in _KNOWN_FIELDS
    return known and malformed <= fields
