"""The contextual card of an open message: its linked task, or the form that creates one.

Reads: the thread link, its task and this message's comment in one batched Firestore read; the first
page of the assignee picker comes from a short-lived per-process cache. Gmail is read once
(``format=full``) for the message's headers, text and attachment list.
"""

from __future__ import annotations

from typing import Any

from mail2task.addon.context import AddonContext
from mail2task.addon.deployment import GMAIL_CURRENT_MESSAGE
from mail2task.addon.message import message_view
from mail2task.addon.people import picker_page
from mail2task.cards.create_form import create_form_card
from mail2task.cards.task import ADDABLE, ADDED, SOURCE, task_card
from mail2task.google.gmail import gmail_api_id
from mail2task.tasks.model import comment_id, task_id_for, thread_key


def contextual(ctx: AddonContext) -> dict[str, Any]:
    """The card for the open message (also re-rendered by "More people" with the next picker page)."""
    ctx.event.require_scopes(GMAIL_CURRENT_MESSAGE)
    message_id, thread_id = ctx.message_id(), ctx.thread_id()
    key = thread_key(ctx.identity.sub, thread_id)
    state = ctx.tasks.lookup(key, task_id_for(key), comment_id(message_id))
    resource = ctx.gmail().get_full(message_id)
    view = message_view(resource, max_attachment_bytes=ctx.settings.max_attachment_bytes)
    if state.task is not None:
        task = state.task
        is_source = gmail_api_id(message_id) == gmail_api_id(task.source.message_id or "-")
        where = SOURCE if is_source else (ADDED if state.message_on_task else ADDABLE)
        card = task_card(
            task, viewer_email=ctx.identity.email, endpoints=ctx.endpoints, message=view, message_state=where
        )
        return ctx.respond(card)
    page_token = ctx.event.parameters.get("people") or None
    mode = ctx.admission.tenant.mode if ctx.admission and ctx.admission.tenant else None
    members, more = picker_page(ctx.tenant, page_token=page_token, mode=mode)
    card = create_form_card(view, me=ctx.me, members=members, more_people=more, endpoints=ctx.endpoints)
    return ctx.respond(card)
