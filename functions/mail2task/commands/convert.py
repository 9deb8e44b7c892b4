"""`mail2task convert PATH.eml`: print the task draft of one message as JSON (``-`` reads standard input)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import BinaryIO

from mail2task.config import ConversionSettings, load
from mail2task.conversion import MessageTooLarge, convert
from mail2task.conversion.parse import looks_like_email

EXIT_BAD_INPUT = 2


def _read(stream: BinaryIO, limit: int) -> bytes:
    """At most ``limit + 1`` bytes: enough to tell that the input is over the limit without reading it all."""
    return stream.read(limit + 1)


def _fail(message: str) -> int:
    print(f"mail2task convert: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def run(args: argparse.Namespace) -> int:
    path: str = args.path
    limit = load(ConversionSettings).max_message_bytes
    name = "standard input" if path == "-" else path
    try:
        if path == "-":
            raw = _read(sys.stdin.buffer, limit)
        else:
            with open(path, "rb") as stream:
                raw = _read(stream, limit)
    except OSError as error:
        return _fail(f"cannot read {name}: {error.strerror or error}")
    if not looks_like_email(raw):
        return _fail(f"{name} is not an email message (it does not start with a header block)")
    try:
        draft = convert(raw, max_bytes=limit)
    except MessageTooLarge:
        return _fail(f"{name} is larger than the limit of {limit} bytes (MAX_MESSAGE_BYTES)")
    output = json.dumps(draft.to_dict(), ensure_ascii=False, indent=2) + "\n"
    sys.stdout.buffer.write(output.encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0
