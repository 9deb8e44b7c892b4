"""HTML bodies as readable text: sanitised by nh3, laid out by inscriptis, reply quotes marked with ``>``."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import nh3

# Characters lxml refuses (not allowed in XML); also the private-use sentinels used below.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff\ue000\ue001]")
_QUOTE_START = "\ue000"
_QUOTE_END = "\ue001"
# Everything that is not content: removed together with what it contains.
_DROPPED_WITH_CONTENT = {
    "script", "style", "title", "head", "template", "svg", "math", "object", "iframe", "select",
}  # fmt: skip
# Images go (tracking pixels, logos, spacers); their links and text stay.
_TAGS = (set(nh3.ALLOWED_TAGS) | {"tfoot", "font", "section", "main"}) - {"img", "area", "map"}
_ATTRIBUTES = {
    "*": {"style", "class", "hidden"},
    "a": {"href"},
    "blockquote": {"type"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
_STYLE_PROPERTIES = {"display", "visibility", "max-height", "font-size", "opacity", "mso-hide"}
# Blockquotes mail clients use for the quoted message (Gmail, Proton, Yahoo); Apple Mail and
# Thunderbird mark theirs type="cite". Other blockquotes are indentation and stay plain text.
_QUOTE_CLASSES = ("gmail_quote", "protonmail_quote", "yahoo_quoted")


def _hidden(style: str) -> bool:
    """Whether an inline style hides its element (pre-header text, tracking blocks)."""
    for declaration in style.lower().split(";"):
        prop, _, value = declaration.partition(":")
        prop, value = prop.strip(), value.replace("!important", "").strip()
        if (prop, value) in (("display", "none"), ("visibility", "hidden"), ("mso-hide", "all")):
            return True
        if prop in ("max-height", "font-size", "opacity") and value in ("0", "0px", "0pt", "0%", "0em"):
            return True
    return False


def _is_reply_quote(element: Any) -> bool:
    if element.tag != "blockquote":
        return False
    if (element.get("type") or "").lower() == "cite":
        return True
    classes = (element.get("class") or "").lower()
    return any(name in classes for name in _QUOTE_CLASSES)


def _same_target(text: str, href: str) -> bool:
    def bare(value: str) -> str:
        value = value.strip().lower().removeprefix("mailto:").removeprefix("tel:")
        return value.removeprefix("https://").removeprefix("http://").removeprefix("www.").rstrip("/")

    return bare(text) == bare(href)


def _prepare(root: Any) -> None:
    """Drop hidden elements, mark reply quotes with sentinels, and unlink links that repeat their URL."""
    from lxml import html

    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element.getparent() is None:
            continue
        if element.get("hidden") is not None or _hidden(element.get("style") or ""):
            element.drop_tree()
            continue
        if _is_reply_quote(element):
            start, end = html.Element("p"), html.Element("p")
            start.text, end.text = _QUOTE_START, _QUOTE_END
            element.addprevious(start)
            element.addnext(end)
            end.tail, element.tail = element.tail, None
        elif element.tag == "a" and element.get("href"):
            text = element.text_content().strip()
            if not text or _same_target(text, element.get("href") or ""):
                del element.attrib["href"]


def _quote_lines(text: str) -> str:
    """Replace sentinel lines with ``>`` prefixes on the lines between them."""
    depth = 0
    out: list[str] = []
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped == _QUOTE_START:
            depth += 1
        elif stripped == _QUOTE_END:
            depth = max(0, depth - 1)
        elif depth:
            out.append(f"{'>' * depth} {line.strip()}".rstrip())
        else:
            out.append(line)
    return "\n".join(out)


@lru_cache(maxsize=1)
def _config() -> Any:
    from inscriptis.css_profiles import CSS_PROFILES
    from inscriptis.model.config import ParserConfig

    return ParserConfig(css=CSS_PROFILES["strict"], display_links=True, display_images=False)


def html_to_text(markup: str) -> str:
    """Readable text for an HTML body: paragraphs, lists, links as ``[text](url)``, simple tables."""
    from inscriptis import Inscriptis
    from lxml import html

    markup = _NOT_XML.sub("", markup)
    cleaned = nh3.clean(
        markup,
        tags=_TAGS,
        clean_content_tags=_DROPPED_WITH_CONTENT,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel=None,
        filter_style_properties=_STYLE_PROPERTIES,
    )
    if not cleaned.strip():
        return ""
    root = html.fragment_fromstring(cleaned, create_parent="div")
    _prepare(root)
    return _quote_lines(Inscriptis(root, _config()).get_text())
