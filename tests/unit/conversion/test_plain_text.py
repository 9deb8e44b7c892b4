"""Plain text: RFC 3676 format=flowed and whitespace normalisation."""

from __future__ import annotations

from mail2task.conversion.plain_text import normalize, plain_body, unflow


def test_unflow_joins_soft_breaks_and_undoes_space_stuffing() -> None:
    text = "one long \nline here\n From stuffed\n> quoted soft \n> continues\nhard\n-- \nsig"
    assert unflow(text, delete_space=False) == (
        "one long line here\nFrom stuffed\n> quoted soft continues\nhard\n-- \nsig"
    )


def test_unflow_delsp_removes_the_soft_space() -> None:
    assert unflow("日本語の \n文章", delete_space=True) == "日本語の文章"


def test_normalize() -> None:
    assert normalize("a\r\nb  \r\n\r\n\r\n\r\nc\x00\x07\ufeff\u200b") == "a\nb\n\nc"


def test_plain_body_only_unflows_when_asked() -> None:
    assert plain_body("a \nb", flowed=False, delete_space=False) == "a\nb"
    assert plain_body("a \nb", flowed=True, delete_space=False) == "a b"
