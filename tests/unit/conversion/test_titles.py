"""Titles: reply/forward prefixes in many languages, list tags, ordinary colons kept, caps and fallbacks."""

from __future__ import annotations

import pytest

from mail2task.conversion.titles import MAX_TITLE_CHARS, NO_SUBJECT, cap, strip_prefixes, title_for


@pytest.mark.parametrize(
    ("subject", "title"),
    [
        ("Re: Budget", "Budget"),
        ("RE: RE: re: Budget", "Budget"),
        ("RE[2]: Budget", "Budget"),
        ("Re(3): Budget", "Budget"),
        ("Re^2: Budget", "Budget"),
        ("Fwd: Fw: FW: Budget", "Budget"),
        ("AW: WG: Angebot", "Angebot"),
        ("SV: VS: Möte", "Möte"),
        ("RV: Reunión", "Reunión"),
        ("TR: Réunion", "Réunion"),
        ("RE : Réunion", "Réunion"),
        ("RE\u00a0: TR\u00a0: Réunion", "Réunion"),
        ("Antw: Doorst: Vergadering", "Vergadering"),
        ("Odp: PD: Spotkanie", "Spotkanie"),
        ("Отв: Ответ: Пересл: Отчёт", "Отчёт"),
        ("回复：转发：会议纪要", "会议纪要"),
        ("答复: 报告", "报告"),
        ("RE：全角", "全角"),
        ("\uff32\uff25\uff1a full-width prefix", "full-width prefix"),
        ("RE:RE:tight", "tight"),
        ("[team] Re: Topic", "Topic"),
        ("Re: [team] Re: Topic", "Topic"),
        ("[EXTERNAL] RE: Invoice 42", "Invoice 42"),
        ("Meeting notes (fwd)", "Meeting notes"),
    ],
)
def test_prefixes_are_removed(subject: str, title: str) -> None:
    assert strip_prefixes(subject).text == title


@pytest.mark.parametrize(
    "subject",
    [
        "Note: buy milk",
        "Invoice: 2024-117",
        "Rework: plan",
        "Reminder: renew the certificate",
        "[team] Topic",
        "Fwdx: not a prefix",
        "Update: RE: not at the start is kept after a word",
    ],
)
def test_ordinary_words_and_lone_tags_are_kept(subject: str) -> None:
    assert strip_prefixes(subject).text == subject


@pytest.mark.parametrize(
    ("subject", "forwarded"),
    [
        ("Fwd: x", True),
        ("FW: RE: x", True),
        ("RE: FW: x", False),
        ("WG: x", True),
        ("x (fwd)", True),
        ("x", False),
    ],
)
def test_outermost_prefix_decides_forwarded(subject: str, forwarded: bool) -> None:
    assert strip_prefixes(subject).forwarded is forwarded


def test_cap_cuts_at_a_word_with_an_ellipsis() -> None:
    text = "word " * 100
    capped = cap(text)
    assert len(capped) <= MAX_TITLE_CHARS
    assert capped.endswith("word…")
    unbroken = "x" * 400
    assert cap(unbroken) == "x" * (MAX_TITLE_CHARS - 1) + "…"
    assert cap("short") == "short"


def test_empty_subject_falls_back_to_the_body_then_a_placeholder() -> None:
    assert title_for("Re:", "\n\n  Call [Bob](mailto:bob@example.org) today\nmore") == (
        "Call Bob today",
        True,
    )
    assert title_for("", "") == (NO_SUBJECT, False)
    assert title_for("Fwd:  Plan ", "body") == ("Plan", False)
