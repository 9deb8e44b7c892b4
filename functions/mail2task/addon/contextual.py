"""The contextual card of an open message: its task, or the form that creates one.

Gmail is read once (``format=full``) for the message's headers, text and attachment list. Then one
batched Firestore read looks for the message's task: the viewer's own thread link and its task, the
message's comment on it, and the message links of its Message-ID and of the (at most 20) messages it
replies to. Message-IDs are the same in every mailbox, so the assignee opening their copy of the email
finds the creator's task; fetching a task found only through a link costs one more batched read. The
first page of the assignee picker comes from a short-lived per-process cache.
"""

from __future__ import annotations

from typing import Any

from mail2task.addon.context import AddonContext
from mail2task.addon.deployment import GMAIL_CURRENT_MESSAGE
from mail2task.addon.message import OpenMessage, read_message
from mail2task.addon.people import picker_page
from mail2task.cards.create_form import create_form_card
from mail2task.cards.task import ADDABLE, ADDED, SOURCE, task_card
from mail2task.cards.widgets import Card
from mail2task.google.gmail import gmail_api_id
from mail2task.tasks.model import Task, comment_id, normalized_message_id, thread_key
from mail2task.tasks.repository import ThreadState


def open_message(ctx: AddonContext) -> OpenMessage:
    """The message the event names, read from Gmail as the user."""
    ctx.event.require_scopes(GMAIL_CURRENT_MESSAGE)
    resource = ctx.gmail().get_full(ctx.message_id())
    return read_message(resource, max_attachment_bytes=ctx.settings.max_attachment_bytes)


def find_task(ctx: AddonContext, message: OpenMessage) -> ThreadState:
    """The task ``message`` belongs to for the viewer: their own thread's, else one it is linked to."""
    return ctx.tasks.lookup(
        ctx.identity.sub,
        thread_key(ctx.identity.sub, ctx.thread_id()),
        message_id=message.rfc822_message_id,
        replies_to=message.replies_to,
        comment_id=comment_id(ctx.message_id(), message.rfc822_message_id),
    )


def message_state(task: Task, message: OpenMessage, event_message_id: str, on_task: bool) -> str:
    """SOURCE, ADDED or ADDABLE: what the open message is to ``task``."""
    rfc822 = normalized_message_id(message.rfc822_message_id)
    same_gmail_message = gmail_api_id(event_message_id) == gmail_api_id(task.source.message_id or "-")
    if same_gmail_message or (rfc822 and rfc822 == normalized_message_id(task.source.rfc822_message_id)):
        return SOURCE
    return ADDED if on_task else ADDABLE


def linked_card(ctx: AddonContext, task: Task, message: OpenMessage, state: str) -> Card:
    """The task card as the contextual card shows it: the open message, then the task."""
    return task_card(
        task,
        viewer_email=ctx.identity.email,
        endpoints=ctx.endpoints,
        message=message.view,
        message_state=state,
    )


def contextual(ctx: AddonContext) -> dict[str, Any]:
    """The card for the open message (also re-rendered by "More people" with the next picker page)."""
    message = open_message(ctx)
    found = find_task(ctx, message)
    if found.task is not None:
        state = message_state(found.task, message, ctx.message_id(), found.message_on_task)
        return ctx.respond(linked_card(ctx, found.task, message, state))
    page_token = ctx.event.parameters.get("people") or None
    mode = ctx.admission.tenant.mode if ctx.admission and ctx.admission.tenant else None
    members, more = picker_page(ctx.tenant, page_token=page_token, mode=mode)
    card = create_form_card(
        message.view, me=ctx.me, members=members, more_people=more, endpoints=ctx.endpoints
    )
    return ctx.respond(card)
