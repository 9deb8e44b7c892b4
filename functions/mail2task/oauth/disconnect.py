"""Disconnect: revoke the user's grant at Google, delete the stored tokens, mark the member."""

from __future__ import annotations

import logging
import re

from mail2task.oauth import model, repository
from mail2task.oauth.runtime import Runtime
from mail2task.oauth.token_client import TokenEndpointError
from mail2task.oauth.vault import Sealed, VaultError

log = logging.getLogger(__name__)
REASON = re.compile(r"[a-z0-9_.:-]{1,40}")


def disconnect(sub: str, *, reason: str, runtime: Runtime | None = None) -> None:
    """Withdraw ``sub``'s offline grant. Idempotent; local state is cleared even if Google can't be
    reached (the grant then lapses at Google on its own, and the user can remove it in their account)."""
    reason = reason if isinstance(reason, str) and REASON.fullmatch(reason) else "other"
    rt = runtime or Runtime()
    record, _ = repository.get(rt.db, sub)
    if record is None:
        return
    if record.key_id is not None and record.ciphertext is not None:
        try:
            secrets = rt.vault.open(Sealed(record.key_id, record.ciphertext), sub)
            rt.tokens.revoke(secrets.refresh_token)  # revoking the refresh token ends its access tokens too
        except TokenEndpointError as error:
            log.warning("revocation at Google failed (%s); deleting the stored grant anyway", error.error)
        except VaultError as error:
            log.error("stored grant unreadable during disconnect: %s", error)
    repository.mark_lost(
        rt.db, sub, record.tenant, status=model.REVOKED, reason=f"disconnect:{reason}", now=rt.clock()
    )
    log.info("disconnected (tenant %s, reason %s)", record.tenant, reason)
