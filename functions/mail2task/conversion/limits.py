"""Bounds on everything conversion reads or produces, so one message cannot make a huge task or stall us."""

from __future__ import annotations

MAX_DESCRIPTION_BYTES = 64 * 1024  # UTF-8 bytes of the final description
MAX_TEXT_CHARS = 1_000_000  # of one plain-text part read for the description
MAX_HTML_CHARS = 2_000_000  # of one HTML part converted to text
MAX_ATTACHMENTS = 200
MAX_PEOPLE = 200  # per address header (To, Cc, Reply-To)
MAX_REFERENCES = 50
MAX_DEPTH = 20  # nesting of multiparts and forwarded messages
