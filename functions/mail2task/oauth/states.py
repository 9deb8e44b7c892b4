"""oauth_states/{sha256(state)}: one pending consent start, created once and consumed once.

Only the state's hash is a document id, so the database never holds a usable state; the PKCE verifier
and the nonce are sealed by the vault (Firestore's client logs whole requests at DEBUG level, so nothing
secret is ever written in clear). Consuming is a delete with an ``update_time`` precondition: of two
callbacks racing with the same state, exactly one gets the record. Expiry is checked here; the
``expiresAt`` TTL policy only cleans up (it may lag a day).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mail2task import store
from mail2task.oauth.vault import Sealed, TokenVault, VaultError

if TYPE_CHECKING:
    from google.cloud import firestore

STATE_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,128}")
PURPOSE = "oauth_states"


def state_key(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


@dataclass(frozen=True)
class PendingConsent:
    """What was true when the user started: who, which tenant, what was asked, where to go after."""

    sub: str
    tenant: str
    email: str
    scopes: tuple[str, ...]
    return_to: str | None
    nonce: str = field(repr=False)
    code_verifier: str = field(repr=False)
    expires_at: dt.datetime

    def to_document(self, vault: TokenVault, key: str) -> dict[str, Any]:
        """The stored form: the verifier and nonce sealed (bound to this state's key), the rest in clear."""
        secret = json.dumps({"v": self.code_verifier, "n": self.nonce}).encode()
        sealed = vault.seal_data(secret, purpose=PURPOSE, owner=key)
        return {
            "sub": self.sub,
            "tenant": self.tenant,
            "email": self.email,
            "scopes": list(self.scopes),
            "returnTo": self.return_to,
            "keyId": sealed.key_id,
            "sealed": sealed.blob,
            "expiresAt": self.expires_at,
        }

    @classmethod
    def from_document(cls, data: dict[str, Any], vault: TokenVault, key: str) -> PendingConsent | None:
        try:
            secret = json.loads(
                vault.open_data(Sealed(data["keyId"], data["sealed"]), purpose=PURPOSE, owner=key)
            )
            expires = data["expiresAt"]
            return cls(
                sub=str(data["sub"]),
                tenant=str(data["tenant"]),
                email=str(data.get("email") or ""),
                scopes=tuple(str(s) for s in data["scopes"]),
                return_to=data.get("returnTo") if isinstance(data.get("returnTo"), str) else None,
                nonce=str(secret["n"]),
                code_verifier=str(secret["v"]),
                expires_at=expires if expires.tzinfo else expires.replace(tzinfo=dt.UTC),
            )
        except (KeyError, TypeError, AttributeError, ValueError, VaultError):
            return None


def create(
    db: firestore.Client, vault: TokenVault, state: str, pending: PendingConsent, now: dt.datetime
) -> None:
    key = state_key(state)
    db.collection(store.OAUTH_STATES).document(key).create(
        {**pending.to_document(vault, key), "createdAt": now}
    )


def consume(db: firestore.Client, vault: TokenVault, state: str, now: dt.datetime) -> PendingConsent | None:
    """The pending consent for ``state``, removed so it can never be used again; None if unknown,
    already used, malformed or expired."""
    from google.api_core import exceptions

    if not isinstance(state, str) or not STATE_SHAPE.fullmatch(state):
        return None
    ref = db.collection(store.OAUTH_STATES).document(state_key(state))
    snapshot = ref.get()
    if not snapshot.exists:
        return None
    try:
        ref.delete(option=db.write_option(last_update_time=snapshot.update_time))
    except (exceptions.FailedPrecondition, exceptions.NotFound, exceptions.Conflict):
        return None  # another callback consumed it first
    pending = PendingConsent.from_document(snapshot.to_dict() or {}, vault, snapshot.id)
    if pending is None or pending.expires_at <= now:
        return None
    return pending
