"""HTML to text: structure kept, hidden and active content gone, reply quotes marked for trimming."""

from __future__ import annotations

from mail2task.conversion.html_text import html_to_text


def test_structure_is_kept() -> None:
    text = html_to_text(
        "<p>First paragraph with a <a href='https://example.com/doc'>link</a>.</p><p>Second<br>line</p>"
        "<ul><li>one</li><li>two<ul><li>nested</li></ul></li></ul><ol><li>first</li><li>second</li></ol>"
        "<table><tr><th>Name</th><th>Qty</th></tr><tr><td>Apples</td><td>3</td></tr></table>"
    )
    assert "First paragraph with a [link](https://example.com/doc)." in text
    assert "Second\nline" in text
    assert "  * one\n  * two\n      + nested" in text
    assert " 1. first\n 2. second" in text
    assert "Name    Qty\nApples  3" in text


def test_active_hidden_and_tracking_content_is_gone() -> None:
    text = html_to_text(
        "<html><head><title>Title</title><style>p{color:red}</style></head><body>"
        "<script>alert('x')</script><div style='display:none'>preheader</div>"
        "<span style='font-size:0px'>zero</span><p hidden>hidden</p>"
        "<img src='https://t.example.com/p.gif' width='1' height='1' alt='pixel'>"
        "<!--[if mso]><p>mso only</p><![endif]--><p>Visible</p>"
        "<iframe src='https://example.com'>frame</iframe><svg><text>icon</text></svg></body></html>"
    )
    assert text.strip() == "Visible"


def test_links_that_repeat_their_address_are_not_doubled() -> None:
    text = html_to_text(
        "<p><a href='https://example.com/'>https://example.com</a> "
        "<a href='mailto:a@example.com'>a@example.com</a> <a href='javascript:alert(1)'>js</a></p>"
    )
    assert text.strip() == "https://example.com a@example.com js"


def test_reply_quotes_become_quote_markers_but_indentation_does_not() -> None:
    text = html_to_text(
        "<div>New text</div><blockquote style='margin:0 0 0 40px;border:none'>indented</blockquote>"
        "<div class='gmail_quote'>On Mon, Alice &lt;a@example.com&gt; wrote:<br>"
        "<blockquote class='gmail_quote'>old<blockquote type='cite'>older</blockquote></blockquote></div>"
    )
    lines = [line for line in text.split("\n") if line.strip()]
    assert lines[:2] == ["New text", "indented"]
    assert "> old" in lines
    assert ">> older" in lines


def test_sentinel_characters_in_the_input_cannot_fake_quotes() -> None:
    assert html_to_text("<p>\ue000</p><p>text</p><p>\ue001</p>").strip() == "text"


def test_empty_and_garbage_markup() -> None:
    assert html_to_text("") == ""
    assert html_to_text("<<<>>>&&&;;").strip() == "<<<>>>&&&;;"
