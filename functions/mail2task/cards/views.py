"""The plain data card views take: the open message, people to pick, and the actions' addresses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class AttachmentOption:
    """One file of the open message; ``key`` is Gmail's part id (stable, unlike attachment ids)."""

    key: str
    filename: str
    size: int
    too_large: bool = False


@dataclass(frozen=True)
class MessageView:
    """What the contextual card shows about the open message, and the task it would become."""

    subject: str
    sender: str
    date: dt.datetime | None
    title: str
    description: str
    attachments: tuple[AttachmentOption, ...] = ()


@dataclass(frozen=True)
class MemberOption:
    """A person of the tenant who can be assigned a task."""

    sub: str
    email: str
    name: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} ({self.email})" if self.name else self.email


def format_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def format_date(value: dt.datetime | None) -> str:
    return value.strftime("%a, %d %b %Y %H:%M %Z").strip() if value else ""
