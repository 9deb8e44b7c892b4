"""Header decoding: RFC 2047 words (split, folded, mislabelled), addresses, dates, message ids."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone
from email.utils import getaddresses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mail2task.conversion.headers import (
    _parse_addresses,
    _simple_mailboxes,
    addresses,
    decode_words,
    header_text,
    message_ids,
    parse_date,
)
from mail2task.conversion.model import Person


def _b(charset: str, data: bytes) -> str:
    return f"=?{charset}?B?{base64.b64encode(data).decode()}?="


def test_adjacent_words_join_bytes_before_decoding() -> None:
    data = "Привет".encode()
    split = f"{_b('utf-8', data[:3])} {_b('utf-8', data[3:])}"
    assert decode_words(split) == "Привет"


def test_folded_words_lose_the_whitespace_between_them() -> None:
    assert header_text("=?UTF-8?Q?Re=C3=A7u_?=\r\n =?UTF-8?Q?2024?= and =?iso-8859-1?q?caf=E9?= end") == (
        "Reçu 2024 and café end"
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("=?koi8-r?B?8NLJ18XU?=", "Привет"),
        ("=?big5?B?5pyD6K2w6YCa55+l?=", "會議通知"),  # labelled big5, really UTF-8
        ("=?utf-8?q?caf=E9?=", "café"),  # labelled UTF-8, really Latin-1
        ("=?x-unknown?q?caf=C3=A9?=", "café"),
        ("=?utf-8*en?q?hello?=", "hello"),  # RFC 2231 language tag
        ("Re:=?utf-8?q?=E4=BD=A0=E5=A5=BD?=", "Re:你好"),
        ("=?utf-8?b?broken base64?=", "=?utf-8?b?broken base64?="),
        ("plain\r\n folded\ttext", "plain folded text"),
        ("8-bit raw: Gr\udcc3\udcbc\udcc3\udc9fe", "8-bit raw: Grüße"),
    ],
)
def test_header_text(value: str, text: str) -> None:
    assert header_text(value) == text


def test_addresses_decode_names_and_flatten_groups() -> None:
    people = addresses(
        [
            '"=?UTF-8?B?0JjQstCw0L0=?=" <Ivan@Example.RU>, bob@x.org, "Smith, Alice" <a@y.org>',
            "Team: c@z.org, d@z.org;, undisclosed-recipients:;",
            "bob@x.org",
        ]
    )
    assert people == [
        Person("Ivan@example.ru", "Иван"),
        Person("bob@x.org", ""),
        Person("a@y.org", "Smith, Alice"),
        Person("c@z.org", ""),
        Person("d@z.org", ""),
    ]


def test_addresses_skip_unusable_entries() -> None:
    assert addresses(["not an address", "", "<>"]) == []


@pytest.mark.parametrize(
    ("value", "expected", "zone_known"),
    [
        (
            "Tue, 1 Jul 2003 10:52:37 +0200",
            datetime(2003, 7, 1, 10, 52, 37, tzinfo=timezone(timedelta(hours=2))),
            True,
        ),
        ("1 Jan 2024 10:00 EST", datetime(2024, 1, 1, 10, 0, tzinfo=timezone(timedelta(hours=-5))), True),
        ("Tue, 1 Jul 2003 10:52:37 -0000", datetime(2003, 7, 1, 10, 52, 37, tzinfo=UTC), False),
        ("Tue, 1 Jul 2003 10:52:37", datetime(2003, 7, 1, 10, 52, 37, tzinfo=UTC), False),
        ("garbage", None, False),
        ("Mon, 32 Jan 2024 10:00 +0000", None, False),
        ("Tue, 1 Jul 99999 10:52:37 +0200", None, False),
        ("Tue, 1 Jul 2003 10:52:37 +9999", None, False),
        (None, None, False),
    ],
)
def test_parse_date(value: str | None, expected: datetime | None, zone_known: bool) -> None:
    assert parse_date(value) == (expected, zone_known)
    if expected is not None:
        parsed, _ = parse_date(value)
        assert parsed is not None
        assert parsed.tzinfo is not None


def test_message_ids() -> None:
    assert message_ids("<a@b>\r\n <c@d>  <a@b>") == ["<a@b>", "<c@d>"]
    assert message_ids("abc@def") == ["<abc@def>"]
    assert message_ids("<a@b> (sent by John)") == ["<a@b>"]
    assert message_ids("") == []


_PRINTABLE = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
_ADDRESS = st.builds(
    "{}@{}".format,
    st.text(alphabet="ab.+_-=?", min_size=1, max_size=6),
    st.text(alphabet="ab.-", min_size=1, max_size=6),
)
_PHRASE = st.text(alphabet="abXY .'-=?", max_size=10)
_QUOTED = st.text(alphabet='ab ,;:<>@()"\\', max_size=8).map(
    lambda n: '"' + n.replace("\\", "\\\\").replace('"', '\\"') + '"'
)
_MAILBOX_TEXT = st.one_of(
    _PRINTABLE,
    _ADDRESS,
    st.builds("{} <{}>".format, _PHRASE, _ADDRESS),
    st.builds("{} <{}>".format, _QUOTED, _ADDRESS),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_MAILBOX_TEXT, min_size=1, max_size=4))
def test_fast_mailbox_path_agrees_with_getaddresses(items: list[str]) -> None:
    """The shortcut for plain mailbox lists must read exactly what ``getaddresses`` reads."""
    value = ", ".join(items)
    if _simple_mailboxes(value) is None:
        return
    ours = [(" ".join(name.split()), address) for name, address in _parse_addresses([value])]
    theirs = [(" ".join(name.split()), address) for name, address in getaddresses([value])]
    assert ours == theirs


@pytest.mark.parametrize(
    "value",
    [
        '"Al \\"The\\" Pal" <al@x.org>',
        "Dr. Who <who@tardis.org>",
        "<a@b.org>",
        " a@b.org ",
        "O'Brien <o@x.ie>",
        'Bob <b@x.org>, "Smith, Alice" <a@y.org>, c@z.org',
        "a@b.org,",
    ],
)
def test_fast_mailbox_path_examples(value: str) -> None:
    assert _simple_mailboxes(value) is not None
    assert _parse_addresses([value]) == getaddresses([value])


@pytest.mark.parametrize(
    "value", ["Team: a@b.org;", "a@b.org (comment)", "a@b.org,,c@d.org", "x <a@b.org> y"]
)
def test_other_forms_go_to_the_standard_library(value: str) -> None:
    assert _simple_mailboxes(value) is None
    assert _parse_addresses([value]) == getaddresses([value])
