"""The homepage: the user's tasks, assigned to them or created by them, one page at a time."""

from __future__ import annotations

from typing import Any

from mail2task.addon.context import AddonContext
from mail2task.cards.homepage import ASSIGNED, homepage_card
from mail2task.errors import BadRequest
from mail2task.tasks.model import is_task_id
from mail2task.tasks.repository import VIEWS

PAGE_SIZE = 20


def _has_grant(ctx: AddonContext) -> bool:
    """Whether the user has granted the app access (what "Disconnect my Google account" takes back)."""
    from mail2task.tenancy.model import CONSENT_GRANTED

    member = ctx.admission.member if ctx.admission is not None else None
    return member is not None and member.consent == CONSENT_GRANTED


def homepage(ctx: AddonContext, *, notification: str | None = None) -> dict[str, Any]:
    """Render the list named by the ``view`` and ``cursor`` parameters (default: assigned to me, page 1)."""
    view = ctx.event.parameters.get("view", ASSIGNED)
    cursor = ctx.event.parameters.get("cursor") or None
    if view not in VIEWS or (cursor is not None and not is_task_id(cursor)):
        raise BadRequest("unknown task list or page")
    tasks, next_cursor = ctx.tasks.page(ctx.identity.sub, view, limit=PAGE_SIZE, after=cursor)
    extra = []
    if ctx.admission is not None and ctx.admission.is_admin:  # app admins reach the admin console here
        from mail2task.cards.admin import manage_access_button

        extra.append(manage_access_button(ctx.settings.install_url))
    card = homepage_card(
        tasks,
        view=view,
        endpoints=ctx.endpoints,
        cursor=cursor,
        next_cursor=next_cursor,
        extra=extra,
        disconnect_url=ctx.settings.oauth_url if _has_grant(ctx) else None,
    )
    return ctx.respond(card, notification)
