"""Cross-Account Protection: verify Google's security event tokens and act on them, once per ``jti``.

Verification follows Google's receiver guide: issuer and ``jwks_uri`` from the RISC configuration
document (cached), RS256 with the named key, ``iss`` equal to that issuer, ``aud`` one of our OAuth
client ids, ``typ`` ``secevent+jwt`` when the header has one, an account subject's ``iss`` Google's, and
no ``exp`` check (events describe the past). Actions only ever remove access:

    tokens-revoked      all of the user's grants      -> revoked
    account-disabled    all of the user's grants      -> revoked
    sessions-revoked    all of the user's grants      -> needs_reconnect
    token-revoked       the grant whose refresh token matches (prefix or double SHA-512) -> needs_reconnect

A grant made after the event was issued (plus clock skew) is left alone: a late or repeated delivery
must not undo a consent given since. Processed ``jti``s are remembered in risc_events/{sha256(jti)}.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from mail2task import store
from mail2task.errors import BadRequest, Unauthenticated
from mail2task.oauth import model, repository
from mail2task.oauth.runtime import Runtime, shared_transport

if TYPE_CHECKING:
    from mail2task.config import RiscSettings
    from mail2task.google.id_tokens import KeyCache

log = logging.getLogger(__name__)
OAUTH_EVENT = "https://schemas.openid.net/secevent/oauth/event-type/"
RISC_EVENT = "https://schemas.openid.net/secevent/risc/event-type/"
# event type -> (new consent state, which grants)
ACTIONS = {
    OAUTH_EVENT + "tokens-revoked": (model.REVOKED, "subject"),
    RISC_EVENT + "account-disabled": (model.REVOKED, "subject"),
    RISC_EVENT + "sessions-revoked": (model.NEEDS_RECONNECT, "subject"),
    OAUTH_EVENT + "token-revoked": (model.NEEDS_RECONNECT, "token"),
}
MAX_SET_BYTES = 16 * 1024
# The ``typ`` headers a security event token may carry: RFC 8417's, and the generic ``JWT`` because
# Google's documentation does not say which it sends (refusing ``JWT`` could drop every real event).
SET_TYPES = ("secevent+jwt", "application/secevent+jwt", "jwt")
MAX_EVENTS = 10
EVENT_SKEW = dt.timedelta(minutes=5)
DEDUP_TTL = dt.timedelta(days=30)
CONFIG_MAX_AGE = 3600.0


class RiscConfiguration:
    """Google's RISC configuration document (issuer, jwks_uri), cached; its JWKS in a KeyCache."""

    def __init__(
        self, url: str, *, allow_http: bool = False, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.url = url
        self._allow_http = allow_http
        self._clock = clock
        self._lock = threading.Lock()
        self._value: tuple[str, KeyCache] | None = None
        self._expires = 0.0

    def _fetch(self, url: str) -> tuple[int, Mapping[str, str], bytes]:
        response = shared_transport()(
            "GET", url, body=None, headers={"Accept": "application/json"}, timeout=10
        )
        return response.status, response.headers, response.body

    def get(self) -> tuple[str, KeyCache]:
        from mail2task.google.id_tokens import KeyCache
        from mail2task.oauth.http_transport import TransportFailure

        with self._lock:
            if self._value is not None and self._clock() < self._expires:
                return self._value
            try:
                status, _, body = self._fetch(self.url)
                document = json.loads(body) if status == 200 else None
            except (TransportFailure, ValueError):
                document = None
            issuer = document.get("issuer") if isinstance(document, dict) else None
            jwks_uri = document.get("jwks_uri") if isinstance(document, dict) else None
            if not isinstance(issuer, str) or not isinstance(jwks_uri, str):
                raise Unauthenticated("RISC configuration unavailable", retryable=True)
            if not jwks_uri.startswith("https://") and not (
                self._allow_http and jwks_uri.startswith("http://")
            ):
                raise Unauthenticated("RISC configuration names an insecure key URL", retryable=True)
            if self._value is None or self._value[1].url != jwks_uri:
                self._value = (issuer, KeyCache(jwks_uri, fetch=self._fetch))
            else:
                self._value = (issuer, self._value[1])
            self._expires = self._clock() + CONFIG_MAX_AGE
            return self._value


_CONFIGS: dict[str, RiscConfiguration] = {}
_CONFIGS_LOCK = threading.Lock()


def configuration(settings: RiscSettings) -> RiscConfiguration:
    with _CONFIGS_LOCK:
        if settings.config_url not in _CONFIGS:
            _CONFIGS[settings.config_url] = RiscConfiguration(
                settings.config_url, allow_http=settings.profile == "local"
            )
        return _CONFIGS[settings.config_url]


def _b64_standard(value: str) -> str | None:
    try:
        raw = base64.b64decode(value.replace("-", "+").replace("_", "/") + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None
    return base64.b64encode(raw).decode()


def _grant_loss(
    rt: Runtime, snapshot: Any, status: str, reason: str, issued_at: dt.datetime, now: dt.datetime
) -> bool:
    from google.api_core import exceptions

    record = model.TokenRecord.from_dict(snapshot.id, snapshot.to_dict() or {})
    if record.status != model.GRANTED:
        return False
    if record.granted_at is not None and record.granted_at > issued_at + EVENT_SKEW:
        log.info("security event predates the current grant; left alone")
        return False
    try:
        repository.mark_lost(
            rt.db, record.sub, record.tenant, status=status, reason=reason, now=now,
            if_unchanged_since=snapshot.update_time,
        )  # fmt: skip
    except (exceptions.FailedPrecondition, exceptions.NotFound):
        return False
    return True


def _check_type(token: str) -> None:
    """RFC 8417 §2.3: a SET's ``typ`` header, when present, is ``secevent+jwt`` (or the generic ``JWT``).
    A JWT explicitly typed as something else (an access token, say) is not a security event."""
    head = token.split(".", 1)[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (binascii.Error, ValueError):
        raise Unauthenticated("malformed token") from None
    typ = header.get("typ") if isinstance(header, dict) else None
    if typ is not None and (not isinstance(typ, str) or typ.lower() not in SET_TYPES):
        raise Unauthenticated("not a security event token")


def _subject_sub(subject: Mapping[str, Any], issuers: tuple[str, ...]) -> str | None:
    """The Google account id an ``iss-sub`` subject names, once its ``iss`` is Google's; None for
    subjects that name no account of ours (an email address, another subject type)."""
    kind, sub = subject.get("subject_type"), subject.get("sub")
    if kind not in (None, "iss-sub") or not isinstance(sub, str) or not 0 < len(sub) <= 255:
        log.info("security event names no Google account id (subject type %r)", kind)
        return None
    if subject.get("iss") not in issuers:
        raise BadRequest("security event subject from another issuer")
    return sub


def _targets(rt: Runtime, scope: str, payload: Mapping[str, Any], issuers: tuple[str, ...]) -> list[Any]:
    subject = payload.get("subject")
    if not isinstance(subject, dict):
        raise BadRequest("security event without a subject")
    if scope == "subject":
        sub = _subject_sub(subject, issuers)
        if sub is None:
            return []  # e.g. an email-only subject: nothing of ours is keyed by it
        snapshot = repository.token_ref(rt.db, sub).get()
        return [snapshot] if snapshot.exists else []
    algorithm, token = subject.get("token_identifier_alg"), subject.get("token")
    if subject.get("token_type", "refresh_token") != "refresh_token" or not isinstance(token, str):
        return []
    if algorithm == "prefix" and 0 < len(token) <= 64:
        return list(
            repository.by_identifier(rt.db, "rtPrefixHash", hashlib.sha256(token[:16].encode()).hexdigest())
        )
    if algorithm == "hash_base64_sha512_sha512" and len(token) <= 128:
        normalized = _b64_standard(token)
        return list(repository.by_identifier(rt.db, "rtHash", normalized)) if normalized else []
    return []


def receive(
    body: bytes, *, settings: RiscSettings | None = None, runtime: Runtime | None = None
) -> dict[str, Any]:
    """Verify one security event token and act on its events; returns what was done."""
    from mail2task.config import RiscSettings, load
    from mail2task.google.id_tokens import GOOGLE_ISSUERS, Expectation, verify

    settings = settings or load(RiscSettings)
    rt = runtime or Runtime()
    if len(body) > MAX_SET_BYTES:
        raise Unauthenticated("security event token too large")
    token = body.decode("ascii", "replace").strip()
    issuer, keys = configuration(settings).get()
    claims = verify(
        token, keys, Expectation(audiences=settings.audiences, issuers=(issuer,), check_times=False)
    )
    _check_type(token)
    subject_issuers = (issuer, *GOOGLE_ISSUERS)  # the RISC issuer, or Google's ID-token issuer
    jti, events, iat = claims.get("jti"), claims.get("events"), claims.get("iat")
    if not isinstance(jti, str) or not 0 < len(jti) <= 256 or not isinstance(iat, int | float):
        raise Unauthenticated("security event token lacks jti or iat")
    if not isinstance(events, dict) or not 0 < len(events) <= MAX_EVENTS:
        raise Unauthenticated("security event token has no events")
    marker = rt.db.collection(store.RISC_EVENTS).document(hashlib.sha256(jti.encode()).hexdigest())
    if marker.get().exists:
        return {"duplicate": True}
    now, issued_at = rt.clock(), dt.datetime.fromtimestamp(iat, dt.UTC)
    handled: dict[str, int] = {}
    for event_type, payload in events.items():
        name = str(event_type).rsplit("/", 1)[-1][:64]
        action = ACTIONS.get(event_type)
        if action is None or not isinstance(payload, dict):
            log.info("security event %s noted", name)
            handled[name] = 0
            continue
        status, scope = action
        changed = sum(
            _grant_loss(rt, snapshot, status, f"risc:{name}", issued_at, now)
            for snapshot in _targets(rt, scope, payload, subject_issuers)
        )
        handled[name] = changed
        log.info("security event %s: %d grant(s) withdrawn", name, changed)
    from google.api_core import exceptions

    with contextlib.suppress(exceptions.Conflict):  # a concurrent duplicate finished first: idempotent
        marker.create({"receivedAt": now, "events": sorted(handled), "expiresAt": now + DEDUP_TTL})
    return {"events": handled}
