"""Task titles from subjects: reply/forward prefixes and list tags removed, bounded, never empty."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_TITLE_CHARS = 250
NO_SUBJECT = "(no subject)"

# Reply prefixes, then forward prefixes, as mail clients write them in the languages our users use.
_REPLY = (
    r"re|aw|antw|antwort|sv|vs|vá|res|rif|odp|odg|ynt|απ|σχετ|השב|رد|отв|ответ|회신|"
    r"回复|回覆|答复|答覆|返信"
)
_FORWARD = r"fwd?|wg|tr|rv|enc|doorst|pd|vb|vl|fs|ilt|İlt|πρθ|העבר|пересл|переслано|전달|转发|轉寄|轉發|転送"
_COUNTER = r"(?:\[\d{1,3}\]|\(\d{1,3}\)|\^\d{1,3}|\*\d{1,3})?"
_PREFIX = re.compile(rf"\s*(?:({_REPLY})|({_FORWARD})){_COUNTER}\s*[:\uff1a\ufe55]\s*", re.IGNORECASE)
_TAG = re.compile(r"^\s*\[[^\[\]]{1,40}\]\s*")
_GATEWAY_TAG = re.compile(
    r"^\s*(?:\[(?:external|ext|extern|externe?\s+e-?mail|external\s+e-?mail|spam|suspected\s+spam|"
    r"possible\s+spam|caution|warning|phish\w*)\]|\*{1,3}\s*spam\s*\*{1,3})\s*",
    re.IGNORECASE,
)
# Full-width forms (U+FF01..U+FF5E, as in a full-width "RE:") read as ASCII for matching:
# a one-to-one mapping, so match offsets stay valid in the original text.
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_TRAILING_FWD = re.compile(r"\s*\((?:fwd|fw)\)\s*$", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")
_MARKDOWN_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")


@dataclass(frozen=True)
class Subject:
    """A subject without its prefixes, and whether the outermost prefix said "forward"."""

    text: str
    forwarded: bool


def strip_prefixes(subject: str) -> Subject:
    """Remove any run of ``Re:``/``Fwd:``-style prefixes, interleaved with ``[list]`` tags that they
    follow or precede (``[team] Re: x`` -> ``x``); a tag on its own (``[team] x``) is kept."""
    text = _WHITESPACE.sub(" ", subject).strip()
    forwarded: bool | None = None
    while True:
        probe = text.translate(_FULLWIDTH)
        gateway = _GATEWAY_TAG.match(probe)
        if gateway:
            text = text[gateway.end() :]
            continue
        prefix = _PREFIX.match(probe)
        if prefix:
            forwarded = bool(prefix.group(2)) if forwarded is None else forwarded
            text = text[prefix.end() :]
            continue
        tag = _TAG.match(probe)
        following = _PREFIX.match(probe, tag.end()) if tag else None
        if following:
            forwarded = bool(following.group(2)) if forwarded is None else forwarded
            text = text[following.end() :]
            continue
        break
    without_trailer = _TRAILING_FWD.sub("", text)
    if without_trailer != text and forwarded is None:
        forwarded = True
    return Subject(without_trailer.strip(), bool(forwarded))


def cap(text: str, limit: int = MAX_TITLE_CHARS) -> str:
    """``text`` within ``limit`` characters, cut at a word boundary where one is near, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 2 // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"


def first_line(description: str) -> str:
    """The first line with content, link markup reduced to its text."""
    for line in description.split("\n"):
        text = _WHITESPACE.sub(" ", _MARKDOWN_LINK.sub(r"\1", line)).strip(" >*-•\t")
        if text:
            return text
    return ""


def title_for(subject: str, description: str) -> tuple[str, bool]:
    """``(title, from_body)``: the cleaned subject, else the body's first line, else "(no subject)"."""
    cleaned = strip_prefixes(subject).text
    if cleaned:
        return cap(cleaned), False
    line = first_line(description)
    if line:
        return cap(line), True
    return NO_SUBJECT, False
