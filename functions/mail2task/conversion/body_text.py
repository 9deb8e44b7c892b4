"""One body part as readable text: charset repaired, format=flowed joined, HTML laid out."""

from __future__ import annotations

from mail2task.conversion.charsets import decode_text
from mail2task.conversion.html_text import html_to_text
from mail2task.conversion.limits import MAX_HTML_CHARS, MAX_TEXT_CHARS
from mail2task.conversion.part_info import PartInfo
from mail2task.conversion.plain_text import normalize, plain_body


def _meta_charset(data: bytes) -> str | None:
    """The charset an HTML document declares in a ``<meta>`` near its start (the browsers' pre-scan)."""
    from html.parser import HTMLParser

    found: list[str] = []

    class _MetaScan(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag != "meta" or found:
                return
            values = {name.lower(): (value or "") for name, value in attrs}
            if values.get("charset"):
                found.append(values["charset"])
            elif values.get("http-equiv", "").lower() == "content-type":
                _, _, charset = values.get("content", "").lower().partition("charset=")
                if charset:
                    found.append(charset.split(";")[0])

    scanner = _MetaScan(convert_charrefs=True)
    scanner.feed(data[:4096].decode("ascii", "replace"))
    return found[0].strip() if found else None


def part_text(info: PartInfo, data: bytes, notes: list[str]) -> str:
    """Readable text of a text/plain or text/html part whose payload bytes are ``data``."""
    is_html = info.subtype == "html"
    label = info.charset
    if is_html and not label:
        label = _meta_charset(data)
    decoded = decode_text(data, label)
    if decoded.guessed:
        declared = f"declared as {label!r}" if label else "without a declared charset"
        notes.append(f"A text part {declared} was decoded as {decoded.guessed}.")
    text = decoded.text
    if is_html:
        if len(text) > MAX_HTML_CHARS:
            notes.append(
                f"An HTML part was longer than {MAX_HTML_CHARS} characters; only its start was read."
            )
            text = text[:MAX_HTML_CHARS]
        return normalize(html_to_text(text))
    if len(text) > MAX_TEXT_CHARS:
        notes.append(f"A text part was longer than {MAX_TEXT_CHARS} characters; only its start was read.")
        text = text[:MAX_TEXT_CHARS]
    format_flowed = info.params.get("format", "").strip().lower() == "flowed"
    delete_space = info.params.get("delsp", "").strip().lower() == "yes"
    return plain_body(text, flowed=format_flowed, delete_space=delete_space)
