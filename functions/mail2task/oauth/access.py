"""Fresh google-auth credentials for a user's stored grant, for background work."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from mail2task.errors import ConsentRequired
from mail2task.oauth import model, repository
from mail2task.oauth import scopes as scope_lists
from mail2task.oauth.runtime import Runtime
from mail2task.oauth.token_client import Failure, TokenEndpointError
from mail2task.oauth.vault import Sealed, TokenSecrets

if TYPE_CHECKING:
    from google.oauth2.credentials import Credentials

log = logging.getLogger(__name__)


def _credentials(rt: Runtime, secrets: TokenSecrets, record: model.TokenRecord, expiry: Any) -> Credentials:
    from google.oauth2.credentials import Credentials

    client = rt.client
    return Credentials(
        token=secrets.access_token,
        refresh_token=secrets.refresh_token,
        token_uri=client.token_url,
        client_id=client.client_id,
        client_secret=client.client_secret,
        scopes=list(record.scopes),
        # google-auth compares expiry with a naive UTC "now"
        expiry=expiry.astimezone(dt.UTC).replace(tzinfo=None) if expiry else None,
    )


def credentials_for(sub: str, scopes: Iterable[str], *, runtime: Runtime | None = None) -> Credentials:
    """Credentials holding a fresh access token for ``sub`` covering ``scopes``.

    Raises ``ConsentRequired`` when there is no usable grant or it lacks one of ``scopes``, and
    ``TokenEndpointError`` (retryable) when Google can't be reached and the stored token has expired.
    """
    rt = runtime or Runtime()
    record, snapshot = repository.get(rt.db, sub)
    if record is None or not record.usable or record.key_id is None or record.ciphertext is None:
        raise ConsentRequired("connect mail2task to your Google account first")
    if scope_lists.missing(scopes, record.scopes):
        raise ConsentRequired("mail2task needs more access to your Google account for this")
    secrets = rt.vault.open(Sealed(record.key_id, record.ciphertext), sub)
    now = rt.clock()
    state = (
        model.access_state(record.access_expires_at, now)
        if secrets.access_token
        else model.TokenState.INVALID
    )
    if state is model.TokenState.FRESH:
        _note_use(rt, record, now)
        return _credentials(rt, secrets, record, record.access_expires_at)
    try:
        response = rt.tokens.refresh(secrets.refresh_token)
    except TokenEndpointError as error:
        if error.failure is Failure.FINAL:
            repository.mark_lost(
                rt.db, sub, record.tenant, status=model.NEEDS_RECONNECT, reason=error.error, now=now,
                if_unchanged_since=snapshot.update_time,
            )  # fmt: skip
            raise ConsentRequired("your Google connection has expired: reconnect mail2task") from None
        if state is model.TokenState.STALE:
            return _credentials(rt, secrets, record, record.access_expires_at)
        raise
    fresh = TokenSecrets(response.refresh_token or secrets.refresh_token, response.access_token)
    _store_refresh(
        rt, record, snapshot, secrets.refresh_token, fresh, response.expires_at, response.scopes, now
    )
    return _credentials(rt, fresh, record, response.expires_at)


def _note_use(rt: Runtime, record: model.TokenRecord, now: dt.datetime) -> None:
    """Record that background work uses this grant (keeps it warm), at most every LAST_USED_RESOLUTION.

    Unguarded on purpose (a bookkeeping field), so it changes the document's update time: refresh
    writes that lose their precondition to it re-read and write again (``repository.holds_refresh_token``).
    """
    from google.api_core import exceptions

    if record.last_used_at is None or now - record.last_used_at >= model.LAST_USED_RESOLUTION:
        try:
            repository.token_ref(rt.db, record.sub).update({"lastUsedAt": now})
        except exceptions.NotFound:  # disconnected meanwhile: nothing to keep warm
            log.info("grant gone while noting its use")


def _store_refresh(
    rt: Runtime,
    record: model.TokenRecord,
    snapshot: Any,
    presented: str,
    fresh: TokenSecrets,
    expires_at: dt.datetime | None,
    granted: tuple[str, ...] | None,
    now: dt.datetime,
) -> None:
    from google.api_core import exceptions

    fields = repository.refresh_fields(
        sealed=rt.vault.seal(fresh, record.sub),
        refresh_token=fresh.refresh_token,
        scopes=granted,
        access_expires_at=expires_at,
        refresh_due_at=model.RefreshPolicy().next_due(
            access_expires_at=expires_at, last_refreshed_at=now, last_used_at=now, now=now
        ),
        now=now,
    )
    fields["lastUsedAt"] = now
    ref = repository.token_ref(rt.db, record.sub)
    try:
        ref.update(fields, option=rt.db.write_option(last_update_time=snapshot.update_time))
        return
    except exceptions.NotFound:
        log.info("grant deleted while refreshing on demand; keeping the newer stored state")
        return
    except exceptions.FailedPrecondition:
        current = ref.get()  # changed meanwhile: by bookkeeping only, or by a new grant state?
    if not current.exists or not repository.holds_refresh_token(current.to_dict() or {}, presented):
        log.info("grant changed while refreshing on demand; keeping the newer stored state")
        return
    fields.pop("scopes", None)  # the stored scopes may be newer than this answer
    try:  # same grant: what Google just answered (perhaps a new refresh token) must not be lost
        ref.update(fields, option=rt.db.write_option(last_update_time=current.update_time))
    except (exceptions.FailedPrecondition, exceptions.NotFound):
        log.warning("grant changed twice while refreshing on demand; keeping the newer stored state")
