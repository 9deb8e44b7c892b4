"""Light card actions of the `addon` function: change a task's status, add the open message as a comment."""

from __future__ import annotations

import dataclasses
from typing import Any

from mail2task.addon.context import AddonContext
from mail2task.addon.contextual import find_task, linked_card, message_state, open_message
from mail2task.addon.homepage import homepage
from mail2task.cards import responses
from mail2task.cards.homepage import HOME
from mail2task.cards.task import ADDED, MESSAGE_ORIGIN, MESSAGE_STATE, MESSAGE_STATES, SOURCE, task_card
from mail2task.errors import BadRequest, NotFound, StoreUnavailable
from mail2task.tasks.model import MAX_COMMENT_CHARS, Comment, PersonRef, comment_id, is_task_id


def _task_id(ctx: AddonContext) -> str:
    task_id = ctx.event.parameters.get("task")
    if not is_task_id(task_id):
        raise BadRequest("missing or malformed task parameter")
    return str(task_id)


def set_status(ctx: AddonContext) -> dict[str, Any]:
    """Mark a task done or open again; only its creator or assignee may (others get "not found").

    From a contextual card (origin "message" with the message's state) the answer is that card again:
    the open message is read once more and shown above the task, as before the click.
    """
    params = ctx.event.parameters
    shown = params.get(MESSAGE_STATE)
    with_message = params.get("origin") == MESSAGE_ORIGIN and shown in MESSAGE_STATES and ctx.event.message_id
    message = open_message(ctx) if with_message else None
    task = ctx.tasks.set_status(_task_id(ctx), params.get("status", ""), ctx.identity.sub)
    note = "Marked done." if task.done else "Reopened."
    if params.get("origin") == HOME:
        try:
            return homepage(ctx, notification=note)
        except StoreUnavailable:  # the change is saved: say so rather than "nothing was saved"
            return responses.notify(f"{note} The list could not be refreshed; open it again in a minute.")
    if message is not None and shown is not None:
        return ctx.respond(linked_card(ctx, task, message, shown), note)
    return ctx.respond(task_card(task, viewer_email=ctx.identity.email, endpoints=ctx.endpoints), note)


def add_message(ctx: AddonContext) -> dict[str, Any]:
    """Append the open message to the task it belongs to (its thread's, or one its email links to), once."""
    task_id = _task_id(ctx)
    message = open_message(ctx)
    found = find_task(ctx, message)
    task = found.task
    if task is None or task.id != task_id:
        raise NotFound("This message is not part of that task, or the task is not yours.")
    if message_state(task, message, ctx.message_id(), found.message_on_task) == SOURCE:
        return ctx.respond(linked_card(ctx, task, message, SOURCE), "The task was made from this message.")
    sender = message.sender
    comment = Comment(
        id=comment_id(ctx.message_id(), message.rfc822_message_id),
        message_id=message.api_id or ctx.message_id(),
        author=PersonRef(sender.email, sender.name) if sender else PersonRef(""),
        text=message.view.description[:MAX_COMMENT_CHARS],
        added_by=ctx.identity.sub,
        rfc822_message_id=message.rfc822_message_id,
    )
    added = ctx.tasks.add_comment(task, comment, link_message=not found.message_linked)
    if added:
        task = dataclasses.replace(task, comment_count=task.comment_count + 1)
    note = "Message added to the task." if added else "This message was already on the task."
    return ctx.respond(linked_card(ctx, task, message, ADDED), note)
