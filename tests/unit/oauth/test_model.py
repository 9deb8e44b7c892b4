"""The token model: token states at their boundaries, due times, back-off, RISC identifiers."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import random

import pytest

from mail2task.oauth import model
from mail2task.oauth.model import REFRESH_THRESHOLD, RefreshPolicy, TokenState, access_state

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("expires_in", "state"),
    [
        (None, TokenState.INVALID),
        (dt.timedelta(0), TokenState.INVALID),
        (dt.timedelta(seconds=-1), TokenState.INVALID),
        (REFRESH_THRESHOLD, TokenState.STALE),
        (dt.timedelta(seconds=1), TokenState.STALE),
        (REFRESH_THRESHOLD + dt.timedelta(seconds=1), TokenState.FRESH),
        (dt.timedelta(hours=1), TokenState.FRESH),
    ],
)
def test_access_state_boundaries(expires_in: dt.timedelta | None, state: TokenState) -> None:
    assert access_state(None if expires_in is None else NOW + expires_in, NOW) is state


def test_partition_is_stable_and_in_range() -> None:
    partitions = {model.partition_of(str(sub)) for sub in range(2000)}
    assert partitions == set(range(model.PARTITIONS))  # every partition used
    assert model.partition_of("1001") == model.partition_of("1001")


def test_risc_identifiers_match_googles_two_forms() -> None:
    token = "1//0abcdefghijklmnopqrstuvwxyz0123456789"
    prefix_hash, double_hash = model.risc_identifiers(token)
    assert prefix_hash == hashlib.sha256(b"1//0abcdefghijkl").hexdigest()
    inner = hashlib.new("sha512", token.encode()).digest()
    assert base64.b64decode(double_hash) == hashlib.new("sha512", inner).digest()
    assert token[:16] not in prefix_hash
    assert token not in double_hash


def test_active_grant_is_due_before_its_access_token_expires() -> None:
    policy = RefreshPolicy(window=dt.timedelta(minutes=20))
    due = policy.next_due(
        access_expires_at=NOW + dt.timedelta(hours=1), last_refreshed_at=NOW, last_used_at=NOW, now=NOW
    )
    assert due == NOW + dt.timedelta(minutes=40)


def test_idle_grant_is_only_exercised_every_idle_period() -> None:
    policy = RefreshPolicy(active_period=dt.timedelta(days=7), idle_after=dt.timedelta(days=7))
    long_ago = NOW - dt.timedelta(days=30)
    due = policy.next_due(
        access_expires_at=NOW + dt.timedelta(hours=1), last_refreshed_at=NOW, last_used_at=long_ago, now=NOW
    )
    assert due == NOW + dt.timedelta(days=7)
    never_used = policy.next_due(access_expires_at=None, last_refreshed_at=NOW, last_used_at=None, now=NOW)
    assert never_used == NOW + dt.timedelta(days=7)


def test_idle_period_must_stay_inside_googles_six_month_expiry() -> None:
    with pytest.raises(ValueError, match="six-month"):
        RefreshPolicy(idle_after=dt.timedelta(days=200))


def test_retry_backoff_grows_with_jitter_and_is_capped() -> None:
    rng = random.Random(7)
    first = [RefreshPolicy.retry_due(1, NOW, rng) - NOW for _ in range(50)]
    assert all(model.RETRY_BASE / 2 <= d <= model.RETRY_BASE for d in first)
    assert len(set(first)) > 40  # jittered, not synchronised
    third = [RefreshPolicy.retry_due(3, NOW, rng) - NOW for _ in range(50)]
    assert all(2 * model.RETRY_BASE <= d <= 4 * model.RETRY_BASE for d in third)
    assert all(RefreshPolicy.retry_due(40, NOW, rng) - NOW <= model.RETRY_CAP for _ in range(20))


def test_token_record_reads_tolerantly_and_never_shows_ciphertext() -> None:
    record = model.TokenRecord.from_dict(
        "1001",
        {
            "tenant": "example.com",
            "status": "granted",
            "keyId": "3",
            "ciphertext": b"\x00secret-bytes",
            "scopes": ["openid", 7],
            "accessExpiresAt": dt.datetime(2026, 1, 1),  # naive: read as UTC
            "failures": "many",
        },
    )
    assert record.usable
    assert record.scopes == ("openid",)
    assert record.failures == 0
    assert record.access_expires_at == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert "secret-bytes" not in repr(record)
    assert model.TokenRecord.from_dict("x", {"status": "weird"}).status == model.NEEDS_RECONNECT
    assert not model.TokenRecord.from_dict("x", {"status": "granted"}).usable
