"""Consent: the start (Google's authorization URL) and the callback (a checked code exchange).

Start: a verified add-on user gets a URL with ``access_type=offline``, ``include_granted_scopes``, PKCE
S256, an OIDC ``nonce`` and a one-time ``state``; state hash, verifier, nonce, user, tenant, scopes,
return target and expiry are stored first. Callback: the state is consumed (single use) before anything
else; the code is exchanged with the verifier; the returned ID token must be signed by Google for our
client, carry our nonce and name the very user (and tenant) who started — a consent finished with
another Google account is refused and its fresh grant revoked. Then the tokens go into the vault, in
one transaction with a read of the member's record: someone removed (or put outside the policy) since
the start is refused there too, and that fresh grant revoked.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import secrets
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mail2task.errors import BadRequest, Unauthenticated
from mail2task.identity import Identity
from mail2task.oauth import model, repository, states
from mail2task.oauth import scopes as scope_lists
from mail2task.oauth.runtime import Runtime
from mail2task.oauth.token_client import Failure, TokenEndpointError, TokenResponse
from mail2task.oauth.vault import Sealed, TokenSecrets

log = logging.getLogger(__name__)

MAX_CODE_CHARS = 2048
CONNECTED = "connected"
NOT_ALLOWED = "not_allowed"  # removed or outside the policy by the time Google sent them back
CONSENT_POLICY = model.RefreshPolicy()  # the refresh job recomputes due times with its own settings


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def begin(
    identity: Identity, scopes: Iterable[str], return_to: str | None = None, *, runtime: Runtime | None = None
) -> str:
    """Google's authorization URL for ``identity`` to grant offline access to ``scopes``."""
    rt = runtime or Runtime()
    settings, now = rt.consent, rt.clock()
    tenant = identity.tenant
    wanted = scope_lists.requested(scopes)
    if return_to is not None and return_to not in settings.return_targets:
        raise BadRequest("return target not allowed")
    state, verifier, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(64), secrets.token_urlsafe(16)
    record, _ = repository.get(rt.db, identity.sub)
    pending = states.PendingConsent(
        sub=identity.sub,
        tenant=tenant,
        email=identity.email,
        scopes=wanted,
        return_to=return_to,
        nonce=nonce,
        code_verifier=verifier,
        expires_at=now + dt.timedelta(seconds=settings.state_ttl_seconds),
    )
    states.create(rt.db, rt.vault, state, pending, now)
    params = {
        "client_id": rt.client.client_id,
        "redirect_uri": settings.redirect_url,
        "response_type": "code",
        "scope": " ".join(wanted),
        "access_type": "offline",
        "include_granted_scopes": "true",
        "state": state,
        "nonce": nonce,
        "code_challenge": _challenge(verifier),
        "code_challenge_method": "S256",
        "login_hint": identity.email,
        "hd": tenant,
    }
    if record is None or not record.usable:
        params["prompt"] = "consent"  # Google returns a refresh token again only when asked to
    return f"{settings.auth_url}?{urllib.parse.urlencode(params, quote_via=urllib.parse.quote)}"


@dataclass(frozen=True)
class Outcome:
    """How a callback ended: ``kind`` picks the page, ``status`` its HTTP status."""

    kind: str  # connected | denied | invalid | wrong_account | not_allowed | failed
    status: int
    return_to: str | None = None


def _revoke_quietly(rt: Runtime, response: TokenResponse) -> None:
    """Undo a refused consent's fresh grant. Without a new refresh token there is nothing to undo (and
    revoking the access token would end that account's earlier grant to us as well)."""
    if response.refresh_token is None:
        return
    try:
        rt.tokens.revoke(response.refresh_token)
    except TokenEndpointError as error:
        log.warning("could not revoke a refused grant: %s", error.error)


def _verify_identity(rt: Runtime, response: TokenResponse, pending: states.PendingConsent) -> bool:
    from mail2task.google.id_tokens import Expectation, verify

    if not response.id_token:
        return False
    try:
        claims = verify(
            response.id_token,
            rt.google_keys,
            Expectation(audiences=(rt.client.client_id,)),
            now=lambda: rt.clock().timestamp(),
        )
    except Unauthenticated as error:
        log.warning("consent ID token rejected: %s", error)
        return False
    return (
        claims.get("sub") == pending.sub
        and claims.get("nonce") == pending.nonce
        and claims.get("email_verified") is True
        and isinstance(claims.get("hd"), str)
        and claims["hd"].lower() == pending.tenant
    )


def complete(params: Mapping[str, str], *, runtime: Runtime | None = None) -> Outcome:
    """Handle Google's redirect back (query parameters ``state``, ``code`` or ``error``)."""
    rt = runtime or Runtime()
    now = rt.clock()
    state = params.get("state", "")
    pending = states.consume(rt.db, rt.vault, state, now) if states.STATE_SHAPE.fullmatch(state) else None
    if pending is None:
        log.info("consent callback refused: unknown, used or expired state")
        return Outcome("invalid", 400)
    return_to = pending.return_to if pending.return_to in rt.consent.return_targets else None
    if "error" in params:
        log.info("consent not granted (tenant %s)", pending.tenant)
        return Outcome("denied", 200, return_to)
    code = params.get("code", "")
    if not 0 < len(code) <= MAX_CODE_CHARS or not code.isprintable():
        return Outcome("invalid", 400)
    try:
        response = rt.tokens.exchange_code(
            code, code_verifier=pending.code_verifier, redirect_uri=rt.consent.redirect_url
        )
    except TokenEndpointError as error:
        log.warning("code exchange failed: %s", error.error)
        if error.failure in (Failure.FINAL, Failure.REJECTED):
            return Outcome("invalid", 400)
        return Outcome("failed", 502)
    if not _verify_identity(rt, response, pending):
        log.warning("consent finished by a different or unverifiable account (tenant %s)", pending.tenant)
        _revoke_quietly(rt, response)
        return Outcome("wrong_account", 403)
    stored = _store(rt, pending, response)
    if stored == NOT_ALLOWED:
        log.warning("consent finished by someone without access (tenant %s); grant revoked", pending.tenant)
        _revoke_quietly(rt, response)
        return Outcome(NOT_ALLOWED, 403)
    if stored != CONNECTED:
        _revoke_quietly(rt, response)
        return Outcome("failed", 502)
    log.info("consent granted (tenant %s)", pending.tenant)
    return Outcome(CONNECTED, 200, return_to)


def _member_may_hold(pending: states.PendingConsent) -> repository.GrantCheck:
    """The check made on the tenant and member documents as the grant is stored: the person is still
    registered, not removed, inside the policy, and an app admin if the directory scope was asked for."""
    from mail2task.tenancy.model import Member, Tenant, may_hold_grant

    def check(tenant: dict[str, Any] | None, member: dict[str, Any] | None) -> bool:
        return may_hold_grant(
            Tenant.from_dict(pending.tenant, tenant) if tenant is not None else None,
            Member.from_dict(pending.sub, member) if member is not None else None,
            pending.scopes,
        )

    return check


def _store(rt: Runtime, pending: states.PendingConsent, response: TokenResponse) -> str:
    now = rt.clock()
    granted = response.scopes if response.scopes is not None else pending.scopes
    refresh_token = response.refresh_token
    if refresh_token is None:  # incremental consent: Google kept the grant we already hold
        record, _ = repository.get(rt.db, pending.sub)
        if record is None or not record.usable or record.key_id is None or record.ciphertext is None:
            log.warning("consent returned no refresh token and none is stored (tenant %s)", pending.tenant)
            return "failed"
        refresh_token = rt.vault.open(Sealed(record.key_id, record.ciphertext), pending.sub).refresh_token
        granted = tuple(sorted(set(granted) | set(record.scopes)))
    sealed = rt.vault.seal(TokenSecrets(refresh_token, response.access_token), pending.sub)
    due = CONSENT_POLICY.next_due(
        access_expires_at=response.expires_at, last_refreshed_at=now, last_used_at=now, now=now
    )
    fields = repository.grant_fields(
        sealed=sealed,
        refresh_token=refresh_token,
        tenant=pending.tenant,
        scopes=granted,
        access_expires_at=response.expires_at,
        refresh_due_at=due,
        now=now,
    )
    if not repository.save_grant_if(rt.db, pending.sub, fields, now, _member_may_hold(pending)):
        return NOT_ALLOWED
    return CONNECTED
