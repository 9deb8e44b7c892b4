"""The token model: consent states, FRESH/STALE/INVALID, when a grant is next due, retry back-off.

Pure: aware UTC datetimes everywhere, the clock is passed in, nothing here touches the network.
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import hashlib
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Clock = Callable[[], dt.datetime]

# Consent states (tokens/{sub}.status and tenants/{t}/members/{sub}.consent).
NONE = "none"
GRANTED = "granted"
NEEDS_RECONNECT = "needs_reconnect"
REVOKED = "revoked"
CONSENT_STATES = (NONE, GRANTED, NEEDS_RECONNECT, REVOKED)

# google-auth treats an access token as stale this long before it expires (``_helpers.REFRESH_THRESHOLD``).
REFRESH_THRESHOLD = dt.timedelta(minutes=3, seconds=45)
# Google expires a refresh token that has not been used for six months.
GOOGLE_IDLE_EXPIRY = dt.timedelta(days=182)
# Retry back-off after a retryable failure: full jitter between half the step and the step.
RETRY_BASE = dt.timedelta(minutes=2)
RETRY_CAP = dt.timedelta(hours=1)
# How often credentials_for records that a grant is in use (a write at most this often per user).
LAST_USED_RESOLUTION = dt.timedelta(hours=12)
# The refresh job's lease partitions: every token belongs to exactly one (sha256 of its sub).
PARTITIONS = 16


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class TokenState(enum.Enum):
    """How usable a stored access token is at a given moment (as google-auth's ``TokenState``)."""

    FRESH = "fresh"  # valid for longer than REFRESH_THRESHOLD
    STALE = "stale"  # still valid, but within REFRESH_THRESHOLD of expiry
    INVALID = "invalid"  # expired or absent


def access_state(expires_at: dt.datetime | None, now: dt.datetime) -> TokenState:
    if expires_at is None or expires_at <= now:
        return TokenState.INVALID
    if expires_at - now <= REFRESH_THRESHOLD:
        return TokenState.STALE
    return TokenState.FRESH


def partition_of(sub: str) -> int:
    """The lease partition of a user's token."""
    return int.from_bytes(hashlib.sha256(sub.encode()).digest()[:4], "big") % PARTITIONS


def risc_identifiers(refresh_token: str) -> tuple[str, str]:
    """What a RISC ``token-revoked`` event can name a refresh token by, in storable form:
    sha256 of its first 16 characters (``prefix``), and ``hash_base64_sha512_sha512`` itself."""
    prefix_hash = hashlib.sha256(refresh_token[:16].encode()).hexdigest()
    double = hashlib.sha512(hashlib.sha512(refresh_token.encode()).digest()).digest()
    return prefix_hash, base64.b64encode(double).decode()


@dataclass(frozen=True)
class RefreshPolicy:
    """When the refresh job next looks at a grant.

    An active grant (used by background work within ``active_period``) has its access token renewed once
    it expires within ``window``; every grant is exercised at least every ``idle_after`` so that Google's
    six-month idle expiry never hits and revoked grants surface without waiting for a user.
    """

    window: dt.timedelta = dt.timedelta(minutes=20)
    active_period: dt.timedelta = dt.timedelta(days=7)
    idle_after: dt.timedelta = dt.timedelta(days=7)

    def __post_init__(self) -> None:
        if self.idle_after >= GOOGLE_IDLE_EXPIRY:
            raise ValueError("idle_after must be well inside Google's six-month idle expiry")

    def next_due(
        self,
        *,
        access_expires_at: dt.datetime | None,
        last_refreshed_at: dt.datetime,
        last_used_at: dt.datetime | None,
        now: dt.datetime,
    ) -> dt.datetime:
        due = last_refreshed_at + self.idle_after
        active = last_used_at is not None and now - last_used_at <= self.active_period
        if active and access_expires_at is not None:
            due = min(due, access_expires_at - self.window)
        return due

    @staticmethod
    def retry_due(failures: int, now: dt.datetime, rng: random.Random) -> dt.datetime:
        """Exponential back-off with jitter after ``failures`` consecutive retryable failures (>= 1)."""
        step = min(RETRY_CAP, RETRY_BASE * (2 ** min(max(failures, 1) - 1, 16)))
        seconds = rng.uniform(step.total_seconds() / 2, step.total_seconds())
        return now + dt.timedelta(seconds=seconds)


def _time(data: Mapping[str, Any], key: str) -> dt.datetime | None:
    value = data.get(key)
    if not isinstance(value, dt.datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@dataclass(frozen=True, repr=False)
class TokenRecord:
    """tokens/{sub} as stored: metadata in the clear, refresh and access token only as ciphertext."""

    sub: str
    tenant: str
    status: str
    key_id: str | None
    ciphertext: bytes | None
    scopes: tuple[str, ...]
    access_expires_at: dt.datetime | None
    granted_at: dt.datetime | None
    last_refreshed_at: dt.datetime | None
    last_used_at: dt.datetime | None
    refresh_due_at: dt.datetime | None
    failures: int

    @property
    def usable(self) -> bool:
        return self.status == GRANTED and self.ciphertext is not None and self.key_id is not None

    def __repr__(self) -> str:  # never show ciphertext, even in a traceback
        return f"TokenRecord(sub={self.sub!r}, tenant={self.tenant!r}, status={self.status!r})"

    @classmethod
    def from_dict(cls, sub: str, data: Mapping[str, Any]) -> TokenRecord:
        scopes = data.get("scopes")
        ciphertext = data.get("ciphertext")
        key_id = data.get("keyId")
        failures = data.get("failures")
        status = data.get("status")
        return cls(
            sub=sub,
            tenant=str(data.get("tenant") or ""),
            status=status if status in CONSENT_STATES else NEEDS_RECONNECT,
            key_id=key_id if isinstance(key_id, str) else None,
            ciphertext=bytes(ciphertext) if isinstance(ciphertext, bytes | bytearray) else None,
            scopes=tuple(s for s in scopes if isinstance(s, str)) if isinstance(scopes, list) else (),
            access_expires_at=_time(data, "accessExpiresAt"),
            granted_at=_time(data, "grantedAt"),
            last_refreshed_at=_time(data, "lastRefreshedAt"),
            last_used_at=_time(data, "lastUsedAt"),
            refresh_due_at=_time(data, "refreshDueAt"),
            failures=failures if isinstance(failures, int) else 0,
        )
