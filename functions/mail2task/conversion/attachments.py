"""Attachment names, types and identities, including the name encodings the standard library misreads."""

from __future__ import annotations

import hashlib
import mimetypes
import re
from email.message import Message
from functools import lru_cache
from typing import Any

from mail2task.conversion.charsets import codec_for, decode_header_bytes, unescape_surrogates
from mail2task.conversion.headers import decode_words
from mail2task.conversion.model import Attachment

MAX_FILENAME_BYTES = 255
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069\u200e\u200f]")
_WHITESPACE = re.compile(r"\s+")
_NOT_SIMPLE = ("*", "\\", "(", ")", "<", ">")  # RFC 2231, escapes, comments: the stdlib parses those
_DEFAULT_NAMES = {
    "text/calendar": "invite.ics",
    "application/ics": "invite.ics",
    "application/ms-tnef": "winmail.dat",
    "application/vnd.ms-tnef": "winmail.dat",
    "message/delivery-status": "delivery-status.txt",
    "message/disposition-notification": "disposition-notification.txt",
    "text/rfc822-headers": "headers.txt",
}
TNEF_TYPES = frozenset({"application/ms-tnef", "application/vnd.ms-tnef"})


@lru_cache(maxsize=1)
def _types() -> mimetypes.MimeTypes:
    """A table holding the standard library's built-in types only (not the machine's mime.types)."""
    return mimetypes.MimeTypes()


def _decode_extended(charset: str, text: str) -> str:
    """An RFC 2231 ``name*=charset'lang'%XX`` value; a wrong or missing charset falls back to a guess."""
    try:
        data = text.encode("latin-1", "surrogateescape")
    except UnicodeEncodeError:
        return text
    codec = codec_for(charset)
    if codec is not None:
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            pass
    return decode_header_bytes(data, None)


Params = list[tuple[str, Any]]


def header_params(part: Message, header: str, value: str | None) -> Params:
    """``part.get_params(header=header)`` for the header's (unfolded) ``value``: first item the value
    itself, then ``(name, value)`` pairs; ``[]`` if absent or unreadable.

    Plain ``type/subtype; name=value`` headers, optionally with simply quoted values, are by far the
    most common and are split here; anything with RFC 2231 parts, comments, escapes or a quoted ``;``
    goes through the standard library's parser.
    """
    if value is None:
        return []
    simple = _simple_params(value)
    if simple is not None:
        return simple
    try:
        return part.get_params(header=header) or []
    except (ValueError, IndexError, TypeError, LookupError, UnicodeError):
        return []


def _unquoted(text: str) -> str | None:
    if '"' not in text:
        return text
    if len(text) >= 2 and text[0] == text[-1] == '"' and '"' not in text[1:-1]:
        return text[1:-1]
    return None


def _simple_params(value: str) -> Params | None:
    if any(char in value for char in _NOT_SIMPLE):
        return None
    first, *rest = value.split(";")
    if "=" in first or '"' in first:
        return None
    params: Params = [(first.strip(), "")]
    for piece in rest:
        name, equals, raw = piece.partition("=")
        text = _unquoted(raw.strip())
        if text is None or '"' in name:
            return None
        if equals:
            params.append((name.strip().lower(), text))
        elif piece.strip():
            params.append((piece.strip(), ""))
    return params


def _parameter(params: Params, name: str, hint: str | None) -> str | None:
    """Parameter ``name``, preferring the RFC 2231 form when both forms are present."""
    plain: str | None = None
    for key, value in params[1:]:
        if key.strip().lower() != name:
            continue
        if isinstance(value, tuple):
            charset, _language, text = value
            return _decode_extended(charset or "", str(text))
        if plain is None and value:
            plain = decode_words(unescape_surrogates(str(value), hint))
    return plain


def clean_filename(name: str) -> str:
    """A safe display name: no directories, control or direction-override characters, bounded length."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("", _WHITESPACE.sub(" ", name)).strip().rstrip(". ")
    if name in ("", ".", ".."):
        return ""
    if len(name.encode("utf-8")) > MAX_FILENAME_BYTES:
        stem, dot, extension = name.rpartition(".")
        if not dot or len(extension) > 16:
            stem, extension = name, ""
        room = MAX_FILENAME_BYTES - len(extension.encode("utf-8")) - (1 if extension else 0)
        stem = stem.encode("utf-8")[:room].decode("utf-8", "ignore")
        name = f"{stem}.{extension}" if extension else stem
    return name


def filename_from(disposition_params: Params, type_params: Params, hint: str | None = None) -> str:
    """The file name from Content-Disposition ``filename``, else Content-Type ``name`` ("" if none)."""
    for params, name in ((disposition_params, "filename"), (type_params, "name")):
        value = _parameter(params, name, hint)
        if value:
            cleaned = clean_filename(value)
            if cleaned:
                return cleaned
    return ""


def filename_of(part: Message, hint: str | None = None) -> str:
    """The part's file name (see ``filename_from``)."""
    disposition = header_params(part, "content-disposition", part.get("content-disposition"))
    return filename_from(disposition, header_params(part, "content-type", part.get("content-type")), hint)


def _default_name(content_type: str, number: int) -> str:
    if content_type in _DEFAULT_NAMES:
        return _DEFAULT_NAMES[content_type]
    extension = _types().guess_extension(content_type) or ""
    stem = "image" if content_type.startswith("image/") else "attachment"
    return f"{stem}-{number}{extension}"


def _refined_type(content_type: str, filename: str) -> str:
    if content_type not in ("application/octet-stream", "application/x-unknown", "application/unknown"):
        return content_type
    guessed, _ = _types().guess_type(filename, strict=False)
    return guessed or content_type


def content_id_of(value: str | None) -> str | None:
    """A Content-ID without its angle brackets (``None`` if absent or empty)."""
    text = unescape_surrogates(value or "").strip().strip("<>").strip()
    return text or None


def build_attachment(
    data: bytes,
    *,
    content_type: str,
    disposition: str | None,
    filename: str,
    content_id: str | None,
    number: int,
    inline_context: bool,
) -> Attachment:
    """Describe one attachment (``filename`` as ``filename_of`` read it, maybe empty); ``inline_context``
    is true for a resource of multipart/related (an embedded image)."""
    inline = disposition == "inline" or (disposition is None and inline_context and content_id is not None)
    return Attachment(
        filename=filename or _default_name(content_type, number),
        content_type=_refined_type(content_type, filename),
        size=len(data),
        inline=inline,
        content_id=content_id,
        sha256=hashlib.sha256(data).hexdigest(),
        payload=data,
    )
