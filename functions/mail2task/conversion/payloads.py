"""A leaf part's content as bytes: transfer encoding undone once, leniently, without extra copies."""

from __future__ import annotations

import binascii
from dataclasses import dataclass
from email.message import Message


@dataclass(frozen=True)
class Payload:
    """Decoded bytes, and whether the transfer encoding was damaged (decoded best-effort)."""

    data: bytes
    damaged: bool = False


def transfer_encoding(header: str | None) -> str:
    """A Content-Transfer-Encoding value, normalised (``base-64`` and ``"Base64"`` both ``base64``)."""
    value = (header or "").strip().strip("\"'").lower()
    squeezed = value.replace("-", "").replace("_", "").replace(" ", "")
    if squeezed.startswith("base64"):
        return "base64"
    if squeezed.startswith("quotedprintable"):
        return "quoted-printable"
    if squeezed in ("xuuencode", "uuencode", "uue", "xuue"):
        return "uuencode"
    return value


def decode_payload(part: Message, encoding: str) -> Payload:
    """Decode a leaf part's payload once, then release the parsed text so large parts are not held twice.

    ``encoding`` is the part's normalised ``transfer_encoding``. Base64 (nearly all attachment bytes)
    is decoded straight from the parsed text with ``binascii``;
    everything else goes through the standard library, which returns 8-bit content as the original
    bytes (``get_payload()`` without ``decode`` would re-decode them with the declared charset).
    """
    if part.is_multipart():
        return Payload(b"")
    if encoding == "base64":
        try:
            # Plain ASCII (as base64 is) comes back unchanged; 8-bit noise makes the stdlib re-decode
            # it with the declared charset, which can fail: then the lenient path below decodes.
            body = part.get_payload()
            result = Payload(binascii.a2b_base64(body) if isinstance(body, str) else b"")
        except (binascii.Error, ValueError, LookupError):
            result = _stdlib_decode(part, damaged=True)
    else:
        result = _stdlib_decode(part, damaged=False)
    part.set_payload("")
    return result


def _stdlib_decode(part: Message, *, damaged: bool) -> Payload:
    """The standard library's lenient path: raw 8-bit bytes, quoted-printable, uuencode, base64 repair."""
    try:
        data = part.get_payload(decode=True)
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        return Payload(b"", damaged=True)
    return Payload(data if isinstance(data, bytes) else b"", damaged=damaged)
