"""Plain-text bodies made tidy: RFC 3676 format=flowed joined, control characters and blank runs removed."""

from __future__ import annotations

# Control characters (not tab or newline), byte-order marks and zero-width spaces, for str.translate.
_INVISIBLE = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0xFEFF, 0x200B, 0xFFFE])
SIGNATURE_SEPARATOR = "-- "


def unflow(text: str, *, delete_space: bool) -> str:
    """Join RFC 3676 soft line breaks (a line ending in a space flows into the next of equal depth)."""
    out: list[str] = []
    pending: list[str] = []
    pending_depth = -1
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing
        if pending and depth != pending_depth:
            out.append(_quoted(pending_depth, "".join(pending)))
            pending = []
        flowed = content.endswith(" ") and content != SIGNATURE_SEPARATOR
        if flowed:
            pending.append(content[:-1] if delete_space else content)
            pending_depth = depth
            continue
        pending.append(content)
        out.append(_quoted(depth, "".join(pending)))
        pending = []
    if pending:
        out.append(_quoted(pending_depth, "".join(pending)))
    return "\n".join(out)


def _quoted(depth: int, content: str) -> str:
    return f"{'>' * depth} {content}" if depth > 0 else content


def normalize(text: str) -> str:
    """Unix newlines, no control characters or trailing spaces, at most one blank line in a row."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_INVISIBLE)
    text = "\n".join([line.rstrip() for line in text.split("\n")])
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip("\n")


def plain_body(text: str, *, flowed: bool, delete_space: bool) -> str:
    """A text/plain part ready for trimming."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if flowed:
        text = unflow(text, delete_space=delete_space)
    return normalize(text)
