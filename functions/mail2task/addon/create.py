"""`convert`: turn the open message into a task, as the user ("Create task") or as its sender.

Order of work: the thread link is checked first (a repeated click or retried delivery answers with the
existing task without touching Gmail); then the message is read (``format=raw``) and converted, and its
Message-ID (and the ids it replies to) are looked up: an email that already has a task the user may see
(e.g. the assignee's copy of it) answers with that task. Then the ticked attachments are copied through
``attachments.get`` (each size-checked before and after download), and the task, its thread link, its
message link and the copies are written in one batch of ``create()`` calls. Concurrent clicks race on
that batch: exactly one lands, the others read and return the winner's task.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

from mail2task.addon.context import AddonContext
from mail2task.addon.deployment import GMAIL_CURRENT_MESSAGE
from mail2task.addon.message import attachment_parts
from mail2task.addon.people import resolve_assignee
from mail2task.cards.create_form import ASSIGNEE, ATTACHMENTS, DUE, MAX_ATTACHMENT_OPTIONS, TITLE
from mail2task.cards.errors import error_card
from mail2task.cards.task import task_card
from mail2task.config import ConversionSettings, load
from mail2task.errors import BadRequest, Conflict
from mail2task.google.gmail import GmailClient, gmail_api_id
from mail2task.tasks.model import (
    AUTHOR_SENDER,
    AUTHOR_USER,
    MAX_TITLE_CHARS,
    AttachmentRecord,
    PersonRef,
    Source,
    StoredFile,
    Task,
    message_link,
    replied_ids,
    thread_key,
)

MAX_TOTAL_ATTACHMENT_BYTES = 8 * 1024 * 1024  # one Firestore commit carries at most 10 MiB
_PART_ID = re.compile(r"^[0-9]{1,4}(?:\.[0-9]{1,4}){0,7}$")
_EARLIEST, _LATEST = dt.date(2000, 1, 1), dt.date(2199, 12, 31)


def due_date(ms: int | None) -> dt.date | None:
    """The picked day (the date picker sends midnight UTC of that day, in ms since the epoch)."""
    if ms is None:
        return None
    try:
        day = dt.datetime.fromtimestamp(ms / 1000, dt.UTC).date()
    except (OverflowError, OSError, ValueError):
        raise BadRequest("due date out of range") from None
    if not _EARLIEST <= day <= _LATEST:
        raise BadRequest("due date out of range")
    return day


def _chosen_parts(values: tuple[str, ...]) -> list[str]:
    if len(values) > MAX_ATTACHMENT_OPTIONS or not all(_PART_ID.match(v) for v in values):
        raise BadRequest("malformed attachment choice")
    return list(dict.fromkeys(values))


def copy_attachments(gmail: GmailClient, message_id: str, chosen: list[str], cap: int) -> list[StoredFile]:
    """Fetch the ticked attachments (by Gmail part id) through ``attachments.get``, size-capped."""
    if not chosen:
        return []
    parts = {p.part_id: p for p in attachment_parts(gmail.get_full(message_id))}
    files: dict[str, StoredFile] = {}
    total = 0
    for key in chosen:
        part = parts.get(key)
        if part is None:
            raise BadRequest("the chosen attachment is not part of this message")
        if part.size > cap or total + part.size > MAX_TOTAL_ATTACHMENT_BYTES:
            raise Conflict(f"{part.filename} is too large to copy into a task.")
        data = gmail.get_attachment(message_id, part.attachment_id)
        if len(data) > cap:
            raise Conflict(f"{part.filename} is too large to copy into a task.")
        total += len(data)
        digest = hashlib.sha256(data).hexdigest()
        files.setdefault(
            digest, StoredFile(AttachmentRecord(part.filename, part.mime_type, len(data), digest), data)
        )
    return list(files.values())


def create_task(ctx: AddonContext, *, from_sender: bool) -> dict[str, Any]:
    """Create the task of the open message's thread, or return the one it already has."""
    from mail2task.conversion import convert

    ctx.event.require_scopes(GMAIL_CURRENT_MESSAGE)
    identity = ctx.identity
    message_id, thread_id = ctx.message_id(), ctx.thread_id()
    key = thread_key(identity.sub, thread_id)
    existing = ctx.tasks.lookup(identity.sub, key).task
    if existing is not None:
        card = task_card(existing, viewer_email=identity.email, endpoints=ctx.endpoints)
        return ctx.respond(card, "This thread already has a task.")

    form = ctx.event.form_inputs
    chosen = _chosen_parts(form.values(ATTACHMENTS))
    due = due_date(form.date_ms(DUE))
    policy = ctx.admission.tenant if ctx.admission else None
    assignee = resolve_assignee(ctx.tenant, form.text(ASSIGNEE), identity, policy)

    gmail = ctx.gmail()
    raw = gmail.get_raw(message_id)
    draft = convert(raw.raw, max_bytes=load(ConversionSettings).max_message_bytes)
    replies_to = replied_ids(draft.in_reply_to, draft.references)
    linked = ctx.tasks.lookup(identity.sub, key, message_id=draft.message_id, replies_to=replies_to)
    if linked.task is not None:  # this thread (a racing click) or a copy of this email has a task
        card = task_card(linked.task, viewer_email=identity.email, endpoints=ctx.endpoints)
        where = "thread" if linked.task.id == key else "email"
        return ctx.respond(card, f"This {where} already has a task.")
    if from_sender:
        sender = draft.author_for_sender()
        if sender is None:
            return ctx.respond(error_card("This message has no sender address to make the task's author."))
        author, kind = PersonRef(sender.email, sender.name), AUTHOR_SENDER
    else:
        author, kind = PersonRef(identity.email, identity.name or "", identity.sub), AUTHOR_USER
    api_message_id = raw.id or gmail_api_id(message_id)
    api_thread_id = raw.thread_id or gmail_api_id(thread_id)
    files = copy_attachments(gmail, api_message_id, chosen, ctx.settings.max_attachment_bytes)

    title = " ".join((form.text(TITLE) or "").split()) or draft.title or draft.subject or "(no subject)"
    task = Task(
        id=key,
        title=title[:MAX_TITLE_CHARS],
        description=draft.description,
        author=author,
        author_kind=kind,
        creator=PersonRef(identity.email, identity.name or "", identity.sub),
        source=Source(
            api_message_id, api_thread_id, draft.message_id, message_link(draft.message_id, api_thread_id)
        ),
        assignee=assignee,
        due=due,
        attachments=tuple(f.record for f in files),
    )
    stored, created = ctx.tasks.create(task, files, link_message=not linked.message_linked)
    card = task_card(stored, viewer_email=identity.email, endpoints=ctx.endpoints)
    where = "thread" if stored.id == key else "email"
    return ctx.respond(card, "Task created." if created else f"This {where} already has a task.")
