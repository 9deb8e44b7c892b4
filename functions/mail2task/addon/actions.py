"""Light card actions of the `addon` function: change a task's status, add the open message as a comment."""

from __future__ import annotations

import dataclasses
from typing import Any

from mail2task.addon.context import AddonContext
from mail2task.addon.deployment import GMAIL_CURRENT_MESSAGE
from mail2task.addon.homepage import homepage
from mail2task.cards.errors import error_card
from mail2task.cards.homepage import HOME
from mail2task.cards.task import ADDED, task_card
from mail2task.errors import BadRequest
from mail2task.tasks.model import MAX_COMMENT_CHARS, Comment, PersonRef, comment_id, is_task_id, thread_key


def _task_id(ctx: AddonContext) -> str:
    task_id = ctx.event.parameters.get("task")
    if not is_task_id(task_id):
        raise BadRequest("missing or malformed task parameter")
    return str(task_id)


def set_status(ctx: AddonContext) -> dict[str, Any]:
    """Mark a task done or open again; only its creator or assignee may (others get "not found")."""
    status = ctx.event.parameters.get("status", "")
    task = ctx.tasks.set_status(_task_id(ctx), status, ctx.identity.sub)
    note = "Marked done." if task.done else "Reopened."
    if ctx.event.parameters.get("origin") == HOME:
        return homepage(ctx, notification=note)
    card = task_card(task, viewer_email=ctx.identity.email, endpoints=ctx.endpoints)
    return ctx.respond(card, note)


def add_message(ctx: AddonContext) -> dict[str, Any]:
    """Append the open message to the task its thread is linked to, once per message."""
    ctx.event.require_scopes(GMAIL_CURRENT_MESSAGE)
    message_id, thread_id = ctx.message_id(), ctx.thread_id()
    task = ctx.tasks.get_for(_task_id(ctx), ctx.identity.sub)
    if task.id != thread_key(ctx.identity.sub, thread_id):
        return ctx.respond(error_card("This message's thread is not linked to that task."))
    from mail2task.config import ConversionSettings, load
    from mail2task.conversion import convert

    raw = ctx.gmail().get_raw(message_id)
    draft = convert(raw.raw, max_bytes=load(ConversionSettings).max_message_bytes)
    author = draft.sender or None
    comment = Comment(
        id=comment_id(message_id),
        message_id=raw.id or message_id,
        author=PersonRef(author.email, author.name) if author else PersonRef(""),
        text=draft.description[:MAX_COMMENT_CHARS],
        added_by=ctx.identity.sub,
    )
    added = ctx.tasks.add_comment(task, comment)
    if added:
        task = dataclasses.replace(task, comment_count=task.comment_count + 1)
    note = "Message added to the task." if added else "This message was already on the task."
    card = task_card(task, viewer_email=ctx.identity.email, endpoints=ctx.endpoints, message_state=ADDED)
    return ctx.respond(card, note)
