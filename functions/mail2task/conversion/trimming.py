"""Keep what the sender wrote: drop quoted earlier messages and signatures, keep forwarded content."""

from __future__ import annotations

from dataclasses import dataclass

from mail2task.conversion.reply_markers import (
    BEGIN_FORWARDED,
    COLONS,
    FORWARD_RULE,
    HEADER_FROM,
    HEADER_SENT,
    MAILING_LIST_FOOTER,
    MARKDOWN_LINK,
    MOBILE_FOOTER,
    ORIGINAL_MESSAGE,
    UNDERSCORE_RULE,
    is_attribution,
    is_signature_separator,
)

MAX_SIGNATURE_LINES = 40
WRAPPED_LINE_MIN = 40  # mail clients wrap at 72-78 characters; shorter lines were not wrapped


@dataclass(frozen=True)
class Trimmed:
    """The text to keep and what was removed from it."""

    text: str
    removed_quotes: bool = False
    removed_signature: bool = False


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _next_content(lines: list[str], index: int) -> str:
    for line in lines[index:]:
        if line.strip():
            return line
    return ""


def _attribution_start(lines: list[str], end: int) -> int | None:
    """Where an attribution ending at line ``end`` starts: it may be wrapped over up to three lines,
    but only long lines are ever wrapped, so a short line above ("Thanks,") is not part of it."""
    for start in (end - 2, end - 1, end):
        chunk = lines[max(start, 0) : end + 1]
        if start < 0 or _is_quoted(chunk[0]) or not all(line.strip() for line in chunk):
            continue
        if any(len(line.strip()) < WRAPPED_LINE_MIN for line in chunk[:-1]):
            continue
        if is_attribution(" ".join(line.strip() for line in chunk)):
            return start
    return None


def _markers(text: str, lines: list[str]) -> list[tuple[int, str, int]]:
    """``(first line, kind, last line)`` of every marker. Kinds: ``forward``, ``history``,
    ``attribution``. Each pattern only sees lines that pass a cheap test (a dash rule, a colon at the
    end or near the start), so long bodies cost little. ``lines`` have no trailing whitespace."""
    found: list[tuple[int, str, int]] = []
    dashed = [n for n, line in enumerate(lines) if "--" in line] if "--" in text else []
    for index in dashed:
        if FORWARD_RULE.match(lines[index]):
            found.append((index, "forward", index))
        elif ORIGINAL_MESSAGE.match(lines[index]):
            found.append((index, "history", index))
    for end in [n for n, line in enumerate(lines) if line.endswith(COLONS)]:
        if BEGIN_FORWARDED.match(lines[end]):
            found.append((end, "forward", end))
            continue
        start = _attribution_start(lines, end)
        if start is not None:
            found.append((start, "attribution", end))
    for index in [n for n, line in enumerate(lines) if ":" in line[:40] or "\uff1a" in line[:40]]:
        if HEADER_FROM.match(lines[index]) and any(
            HEADER_SENT.match(x) for x in lines[index + 1 : index + 6]
        ):
            found.append((index, "history", index))
            break
    return sorted(found)


def _find_boundaries(
    text: str, lines: list[str], *, forwarded: bool
) -> tuple[int | None, int | None, set[int]]:
    """``(reply_at, forward_at, attribution_lines)``: where quoted history starts (dropped), where a
    forwarded message starts (kept), and attribution lines that only introduce ``>`` quotes."""
    attributions: set[int] = set()
    for first, kind, last in _markers(text, lines):
        if kind == "forward":
            return None, first, attributions
        if kind == "history":
            start = first - 1 if first and UNDERSCORE_RULE.match(lines[first - 1]) else first
            return (None, start, attributions) if forwarded else (start, None, attributions)
        if _is_quoted(_next_content(lines, last + 1)):
            attributions.update(range(first, last + 1))
            continue
        joined = " ".join(lines[first : last + 1])
        if any(char.isdigit() for char in joined) or "@" in joined:
            return first, None, attributions
    return None, None, attributions


def _strip_signature(lines: list[str]) -> tuple[list[str], bool]:
    removed = False
    for index in range(len(lines) - 1, max(-1, len(lines) - MAX_SIGNATURE_LINES - 2), -1):
        if is_signature_separator(lines[index]):
            lines, removed = lines[:index], True
            break
    for index in [n for n, line in enumerate(lines) if "__________" in line]:
        if UNDERSCORE_RULE.match(lines[index]) and any(
            MAILING_LIST_FOOTER.search(x) for x in lines[index + 1 : index + 4]
        ):
            lines, removed = lines[:index], True
            break
    while lines and (not lines[-1].strip() or MOBILE_FOOTER.match(MARKDOWN_LINK.sub(r"\1", lines[-1]))):
        removed = removed or bool(lines[-1].strip())
        lines = lines[:-1]
    return lines, removed


def _drop_quotes(lines: list[str], attributions: set[int], *, any_quote: bool) -> list[str]:
    """Drop ``>`` quotes as Gmail hides them: trailing quotes always, a leading quote (bottom posting)
    too, but quotes interleaved with answers stay, with their attribution, as the answers' context."""
    marked = {n for n, line in enumerate(lines) if _is_quoted(line)} if any_quote else set()
    marked |= attributions
    if not marked:
        return lines
    quoted = [number in marked for number in range(len(lines))]
    own = [n for n, line in enumerate(lines) if line.strip() and not quoted[n]]
    if not own:
        return lines
    first, last = own[0], own[-1]
    interleaved = any(quoted[n] for n in range(first, last))
    return [
        line for number, line in enumerate(lines) if not quoted[number] or (interleaved and number < last)
    ]


def _tidy(lines: list[str]) -> str:
    """Join lines, without leading or trailing blank lines or runs of blank lines left by removals."""
    text = "\n".join(lines).strip("\n")
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text


def trim_reply(text: str, *, forwarded: bool = False) -> Trimmed:
    """Remove quoted history and the signature from normalised ``text``; keep a forwarded message whole.

    ``forwarded`` (the subject says Fwd/WG/TR...) makes an Outlook header block the start of the
    forwarded message rather than of quoted history. If nothing would remain, the text is kept as is.
    """
    lines = text.split("\n")
    reply_at, forward_at, attributions = _find_boundaries(text, lines, forwarded=forwarded)
    cut = reply_at if reply_at is not None else forward_at
    own = lines[:cut] if cut is not None else lines
    kept_forward = lines[forward_at:] if forward_at is not None else []
    without_quotes = _drop_quotes(own, attributions, any_quote=">" in text)
    removed_quotes = reply_at is not None or len(without_quotes) != len(own)
    own, removed_signature = _strip_signature(without_quotes)
    own_text = _tidy(own)
    if not own_text and not kept_forward:
        return Trimmed(text)
    parts = [own_text] if own_text else []
    if kept_forward:
        parts.append(_tidy(kept_forward))
    return Trimmed("\n\n".join(parts), removed_quotes=removed_quotes, removed_signature=removed_signature)
