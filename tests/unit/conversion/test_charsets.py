"""Charset repair: trusted labels, UTF-8 under any 8-bit label, guesses for missing or wrong labels."""

from __future__ import annotations

import pytest

from mail2task.conversion.charsets import codec_for, decode_text

RUSSIAN = "Привет, как дела? Это тестовое сообщение для проверки кодировки."
GERMAN = "Schöne Grüße aus München, bis nächste Woche!"


@pytest.mark.parametrize(
    ("data", "label", "text", "guessed"),
    [
        (RUSSIAN.encode("koi8-r"), "koi8-r", RUSSIAN, None),
        (RUSSIAN.encode("cp1251"), "windows-1251", RUSSIAN, None),
        (RUSSIAN.encode("koi8-r"), None, RUSSIAN, "koi8-r"),
        (RUSSIAN.encode("cp1251"), None, RUSSIAN, "cp1251"),
        (RUSSIAN.encode("cp1251"), "iso-8859-1", RUSSIAN, "cp1251"),
        (RUSSIAN.encode("koi8-r"), "us-ascii", RUSSIAN, "koi8-r"),
        ("會議改到星期三下午三點".encode(), "big5", "會議改到星期三下午三點", "utf-8"),
        ("會議改到星期三下午三點".encode("big5"), "big5", "會議改到星期三下午三點", None),
        (GERMAN.encode("latin-1"), "iso-8859-1", GERMAN, None),
        (GERMAN.encode("latin-1"), None, GERMAN, "cp1252"),
        (GERMAN.encode("latin-1"), "utf-8", GERMAN, "cp1252"),
        (GERMAN.encode(), None, GERMAN, "utf-8"),
        (GERMAN.encode(), "utf-8", GERMAN, None),
        ("明日の会議".encode("iso2022_jp"), "iso-2022-jp", "明日の会議", None),
        ("hi".encode("utf-16"), "utf-16", "hi", None),
        (b"plain ascii", "no-such-charset", "plain ascii", None),
        (b"smart \x93quotes\x94", "iso-8859-1", "smart \u201cquotes\u201d", None),  # read as windows-1252
    ],
)
def test_decode_text(data: bytes, label: str | None, text: str, guessed: str | None) -> None:
    decoded = decode_text(data, label)
    assert decoded.text == text
    assert decoded.guessed == guessed


def test_codec_for_maps_labels_to_supersets() -> None:
    assert codec_for("GB2312") == "gb18030"
    assert codec_for('"ks_c_5601-1987"') == "cp949"
    assert codec_for("unknown-8bit") is None
    assert codec_for("bogus") is None
    assert codec_for("quoted-printable") is None  # a codec, but not a text encoding
    assert codec_for("base64") is None
    assert codec_for(None) is None


def test_undecodable_bytes_never_raise() -> None:
    decoded = decode_text(bytes(range(256)), "utf-8")
    assert isinstance(decoded.text, str)
    assert decoded.guessed is not None
