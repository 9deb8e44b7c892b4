"""Turn bytes into text when the declared charset is missing, unknown or wrong."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from functools import lru_cache

# Labels mail software writes, mapped to the codec that decodes what they actually send (mostly the
# Microsoft or GB supersets, as browsers do per the WHATWG Encoding Standard).
_SUPERSETS = {
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "iso-8859-9": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc-cn": "gb18030",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "iso-8859-8-i": "iso-8859-8",
    "utf8": "utf-8",
    "x-user-defined": "cp1252",
}
_UNKNOWN_LABELS = frozenset({"", "unknown", "unknown-8bit", "x-unknown", "default", "none", "charset"})
_ASCII_LABELS = frozenset({"ascii", "us-ascii", "us_ascii", "ansi_x3.4-1968", "iso646-us"})
_WESTERN = frozenset({"cp1252", "iso8859-1", "iso8859-15"})
# Codecs whose bytes can look like ASCII or UTF-8 while meaning something else: always decode as labelled.
_LITERAL = ("utf-16", "utf-32", "utf-7", "iso2022", "hz")
# What unlabelled or mislabelled mail is written in, in practice; detection chooses only among these.
_CANDIDATES = (
    "cp1252", "cp1250", "cp1251", "koi8_r", "koi8_u", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257",
    "cp1258", "iso8859_2", "iso8859_15", "cp874", "gb18030", "big5hkscs", "cp932", "euc_jp", "cp949",
    "mac_roman",
)  # fmt: skip


@dataclass(frozen=True)
class Decoded:
    """Text and, when the label was missing or could not be trusted, the codec actually used."""

    text: str
    guessed: str | None = None


def _label(label: str | None) -> str:
    return (label or "").strip().strip("\"'").lower()


@lru_cache(maxsize=256)
def codec_for(label: str | None) -> str | None:
    """The Python text codec for a charset label (``None`` when unknown), mapped to its common superset."""
    name = _label(label)
    if name in _UNKNOWN_LABELS:
        return None
    name = _SUPERSETS.get(name, name)
    try:
        codec = codecs.lookup(name).name
    except (LookupError, ValueError):  # ValueError: a NUL inside the label
        return None
    try:
        b"a".decode(codec)
    except LookupError:  # a codec, but not a text encoding ("quoted-printable", "zlib")
        return None
    except UnicodeDecodeError:  # a text encoding that needs more than one byte
        pass
    return codec


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _looks_misdecoded(text: str) -> bool:
    """A Western decoding of text in another script: most letters come out as accented Latin ones."""
    letters = 0
    accented = 0
    for char in text[:4000]:
        if char.isalpha():
            letters += 1
            if "\u00c0" <= char <= "\u00ff":
                accented += 1
    return letters >= 12 and accented * 2 > letters


def _detect(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:100_000], cp_isolation=list(_CANDIDATES)).best()
    if best is None:
        return None
    try:
        guess = codecs.lookup(best.encoding).name
    except LookupError:
        return None
    if guess != "cp1252" and _same_as_western(data, guess):
        return "cp1252"  # report the common codec when the guess reads the bytes the same way
    return guess


def _same_as_western(data: bytes, codec: str) -> bool:
    try:
        return data.decode("cp1252") == data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return False


def decode_text(data: bytes, label: str | None) -> Decoded:
    """Decode ``data`` declared as ``label``: trust a label that fits, else guess (valid UTF-8 first).

    Valid multi-byte UTF-8 wins over any other 8-bit label: legacy text is practically never valid
    UTF-8 by accident, while UTF-8 mislabelled as the sender's locale charset is common.
    """
    codec = codec_for(label)
    if codec is not None and codec.startswith(_LITERAL):
        return _decode_with(data, codec)
    if data.isascii():
        return Decoded(data.decode("ascii"))
    if codec != "utf-8" and _is_utf8(data):
        return Decoded(data.decode("utf-8"), guessed="utf-8")
    if codec is None or _label(label) in _ASCII_LABELS:
        guess = _detect(data) or "cp1252"
        return Decoded(data.decode(guess, "replace"), guessed=guess)
    decoded = _decode_with(data, codec)
    if decoded.guessed is None and codec in _WESTERN and _looks_misdecoded(decoded.text):
        better = _detect(data)
        if better is not None and better not in _WESTERN:
            return Decoded(data.decode(better, "replace"), guessed=better)
    return decoded


def _decode_with(data: bytes, codec: str) -> Decoded:
    try:
        return Decoded(data.decode(codec))
    except UnicodeDecodeError:
        pass
    guess = _detect(data)
    if guess is not None and guess != codec:
        return Decoded(data.decode(guess, "replace"), guessed=guess)
    return Decoded(data.decode(codec, "replace"), guessed=f"{codec} with replacements")


def decode_header_bytes(data: bytes, hint: str | None = None) -> str:
    """Raw 8-bit header bytes: UTF-8 (RFC 6532) if valid, else the message's body charset, else cp1252."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    codec = codec_for(hint)
    if codec is not None and codec != "utf-8":
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            pass
    return data.decode("cp1252", "replace")


def unescape_surrogates(text: str, hint: str | None = None) -> str:
    """Undo the parser's ``surrogateescape`` of 8-bit header bytes and decode them properly."""
    if text.isascii() or not any("\udc80" <= c <= "\udcff" for c in text):
        return text
    return decode_header_bytes(text.encode("utf-8", "surrogateescape"), hint)
