"""Fixed inputs for the card tests: a message, people, tasks."""

from __future__ import annotations

import dataclasses
import datetime as dt

from mail2task.cards.views import AttachmentOption, MemberOption, MessageView
from mail2task.cards.widgets import Endpoints
from mail2task.tasks.model import (
    AUTHOR_SENDER,
    AUTHOR_USER,
    DONE,
    AttachmentRecord,
    PersonRef,
    Source,
    Task,
    message_link,
)

ENDPOINTS = Endpoints("https://fn.example/addon", "https://fn.example/convert")
ME = MemberOption("111", "ada@acme.test", "Ada Lindqvist")
BEN = MemberOption("222", "ben@acme.test", "Ben Carter")
NAMELESS = MemberOption("333", "ops@acme.test")
WHEN = dt.datetime(2025, 3, 7, 16, 41, 9, tzinfo=dt.timezone(dt.timedelta(hours=1)))

MESSAGE = MessageView(
    subject="Signed service agreement & 2025 price list",
    sender="Ingrid Solberg <ingrid@fjordcleaning.example>",
    date=WHEN,
    title="Signed service agreement & 2025 price list",
    description="Hello Ada,\n\nplease countersign the <agreement> before 31 March.",
    attachments=(
        AttachmentOption("1", "Service agreement 2025.pdf", 48_213),
        AttachmentOption("2", "scan.tiff", 5_500_000, too_large=True),
    ),
)
PLAIN_MESSAGE = MessageView("Lunch?", "ben@acme.test", None, "Lunch?", "", ())


def task(**changes: object) -> Task:
    base = Task(
        id="0123456789abcdef0123456789abcdef",
        title="Countersign the service agreement",
        description="please countersign",
        author=PersonRef("ingrid@fjordcleaning.example", "Ingrid Solberg"),
        author_kind=AUTHOR_SENDER,
        creator=PersonRef("ada@acme.test", "Ada Lindqvist", "111"),
        source=Source(
            "19571447e0870926",
            "19571447e0870926",
            "<0a9d3f72-contract@fjordcleaning.example>",
            message_link("<0a9d3f72-contract@fjordcleaning.example>", "19571447e0870926"),
        ),
        assignee=PersonRef("ben@acme.test", "Ben Carter", "222"),
        due=dt.date(2025, 3, 31),
        attachments=(AttachmentRecord("Service agreement 2025.pdf", "application/pdf", 48_213, "ab" * 32),),
        comment_count=2,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


OWN_TASK = task(
    id="fedcba9876543210fedcba9876543210",
    title="Book a table",
    author=PersonRef("ada@acme.test", "Ada Lindqvist", "111"),
    author_kind=AUTHOR_USER,
    assignee=None,
    due=None,
    attachments=(),
    comment_count=0,
    status=DONE,
)
