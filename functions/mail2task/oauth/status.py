"""A user's consent state, as the add-on's admission and cards need it."""

from __future__ import annotations

from mail2task.oauth import model, repository
from mail2task.oauth.runtime import Runtime


def consent_status(sub: str, *, runtime: Runtime | None = None) -> str:
    """One of ``none`` (never connected), ``granted``, ``needs_reconnect`` (the grant stopped working:
    expired, password change, token limit, a token-revoked event) or ``revoked`` (withdrawn: the user
    disconnected, revoked access at Google, or the account was disabled)."""
    rt = runtime or Runtime()
    record, _ = repository.get(rt.db, sub)
    if record is None:
        return model.NONE
    if record.status == model.GRANTED and not record.usable:
        return model.NEEDS_RECONNECT
    return record.status
