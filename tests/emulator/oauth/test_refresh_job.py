"""The refresh run against Firestore and the OAuth stand-in: outcomes, faults, leases, budget, run marker."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping
from typing import Any

import pytest

from mail2task import store
from mail2task.entrypoints.refresh import refresh
from mail2task.local.oauth_standin import OAuthStandIn
from mail2task.oauth import model, repository
from mail2task.oauth.http_transport import HttpResponse, PooledTransport
from mail2task.oauth.refresh_job import RefreshRun, RunSummary
from mail2task.oauth.runtime import Runtime
from mail2task.oauth.status import consent_status
from tests.conftest import PROJECT
from tests.support.oauth_env import (
    REFRESH_URL,
    SCHEDULER,
    TENANT,
    Clock,
    app_client,
    refresh_settings,
    seed_grant,
    stored_secrets,
)
from tests.support.oauth_env import refresh_run as run
from tests.support.oauth_firestore_counter import CountingClient, FirestoreCounter
from tests.support.oauth_logscan import REGISTRY

pytestmark = pytest.mark.usefixtures("oauth_env")


def doc(db: Any, sub: str) -> dict[str, Any]:
    return db.collection(store.TOKENS).document(sub).get().to_dict() or {}


def seed(db: Any, standin: OAuthStandIn, clock: Clock, count: int, **kwargs: Any) -> dict[str, str]:
    return {str(1000 + i): seed_grant(db, standin, str(1000 + i), clock(), **kwargs) for i in range(count)}


def test_due_grants_are_refreshed_once_with_one_read_and_one_write_each(
    firestore: Any, standin: OAuthStandIn
) -> None:
    clock = Clock()
    due = seed(firestore, standin, clock, 12)
    later = {"2000": seed_grant(firestore, standin, "2000", clock(), expires_in=dt.timedelta(hours=1))}
    counter = FirestoreCounter()
    summary = run(clock, CountingClient(counter, project=PROJECT))
    assert (summary.picked, summary.refreshed, summary.skipped) == (12, 12, 0)
    for sub, refresh_token in due.items():
        assert standin.refreshes[refresh_token] == 1
        secrets = stored_secrets(firestore, sub)
        assert secrets.refresh_token == refresh_token  # no refresh token in the answer: the old one is kept
        assert secrets.access_token == standin.access_tokens[refresh_token][-1]
        stored = doc(firestore, sub)
        assert stored["accessExpiresAt"] == clock() + dt.timedelta(seconds=3599)
        assert stored["refreshDueAt"] == stored["accessExpiresAt"] - dt.timedelta(minutes=20)
    assert standin.refreshes[later["2000"]] == 0
    token_writes = {k: v for k, v in counter.writes_per_document.items() if k.startswith("tokens/")}
    assert token_writes == {f"tokens/{sub}": 1 for sub in due}
    assert counter.counts["reads"] == 12  # the documents the queries returned, nothing more
    leases = summary.partitions_leased
    assert counter.counts["writes"] == 12 + 2 * leases  # plus creating and releasing each lease
    assert not list(firestore.collection(store.REFRESH_LEASES).stream())  # all released


@pytest.mark.parametrize(
    ("status", "error"),
    [(500, "internal_failure"), (503, "temporarily_unavailable"), (429, "rate_limit_exceeded"), (408, "x")],
)
def test_retryable_failures_back_off_with_jitter(
    firestore: Any, standin: OAuthStandIn, status: int, error: str
) -> None:
    clock = Clock()
    tokens = seed(firestore, standin, clock, 6)
    standin.faults.fail_next.extend([(status, error)] * 6)
    summary = run(clock)
    assert (summary.retried, summary.errors) == (6, {error: 6})
    due_times = set()
    for sub in tokens:
        stored = doc(firestore, sub)
        assert (stored["status"], stored["failures"], stored["lastError"]) == ("granted", 1, error)
        assert clock() + model.RETRY_BASE / 2 <= stored["refreshDueAt"] <= clock() + model.RETRY_BASE
        due_times.add(stored["refreshDueAt"])
    assert len(due_times) > 1  # jitter: the retries do not all come back at once
    assert run(clock).picked == 0  # backing off: not picked again straight away
    clock.advance(minutes=3)
    assert run(clock).refreshed == 6
    assert all(doc(firestore, sub)["failures"] == 0 for sub in tokens)


def test_timeouts_are_retried_and_slow_answers_succeed(
    firestore: Any, standin: OAuthStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OAUTH_HTTP_TIMEOUT_SECONDS", "0.5")
    clock = Clock()
    seed(firestore, standin, clock, 6)
    standin.faults.hang_next, standin.faults.hang_seconds = 2, 1.0
    standin.faults.latency = 0.2  # slow but inside the timeout
    summary = run(clock)
    assert (summary.refreshed, summary.retried, summary.errors) == (4, 2, {"timeout": 2})


def test_invalid_grant_deletes_the_secrets_and_asks_to_reconnect(
    firestore: Any, standin: OAuthStandIn
) -> None:
    clock = Clock()
    tokens = seed(firestore, standin, clock, 3)
    dead = tokens["1001"]
    standin.faults.invalid_grant.add(dead)
    summary = run(clock)
    assert (summary.refreshed, summary.revoked) == (2, 1)
    stored = doc(firestore, "1001")
    assert stored["status"] == "needs_reconnect"
    assert stored["statusReason"] == "invalid_grant"
    assert not set(repository.SECRET_FIELDS) & set(stored)
    assert firestore.document(f"tenants/{TENANT}/members/1001").get().get("consent") == "needs_reconnect"
    assert consent_status("1001") == "needs_reconnect"
    assert consent_status("1000") == "granted"
    clock.advance(days=30)
    assert run(clock).revoked == 0  # final: never tried again
    assert standin.refreshes[dead] == 0


def test_narrowed_scopes_and_rotated_refresh_tokens_are_recorded(
    firestore: Any, standin: OAuthStandIn
) -> None:
    clock = Clock()
    old = seed_grant(firestore, standin, "1001", clock())
    standin.set_scopes(old, {"openid"})
    standin.faults.rotate_refresh_tokens = True
    assert run(clock).refreshed == 1
    stored, secrets = doc(firestore, "1001"), stored_secrets(firestore, "1001")
    assert stored["scopes"] == ["openid"]
    assert secrets.refresh_token != old
    assert not standin.is_revoked(secrets.refresh_token)
    assert stored["rtHash"] == model.risc_identifiers(secrets.refresh_token)[1]


def test_a_rejected_client_stops_the_run_without_touching_grants(
    firestore: Any, standin: OAuthStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    tokens = seed(firestore, standin, clock, 6)
    monkeypatch.setenv("OAUTH_CLIENT_SECRET", "rotated-away-secret")
    summary = run(clock, concurrency=1)
    assert summary.aborted == "invalid_client"
    assert summary.revoked == summary.retried == summary.refreshed == 0
    assert all(doc(firestore, sub)["status"] == "granted" for sub in tokens)
    assert all(doc(firestore, sub)["failures"] == 0 for sub in tokens)


def test_idle_grants_are_exercised_well_before_six_months(firestore: Any, standin: OAuthStandIn) -> None:
    clock = Clock()
    refresh_token = seed_grant(firestore, standin, "1001", clock(), expires_in=dt.timedelta(hours=1))
    repository.token_ref(firestore, "1001").update({"lastUsedAt": clock() - dt.timedelta(days=60)})
    clock.advance(hours=1)
    run(clock)  # due when its access token expired; not used for 60 days, so afterwards ...
    assert standin.refreshes[refresh_token] == 1
    assert doc(firestore, "1001")["refreshDueAt"] == clock() + dt.timedelta(days=7)  # ... weekly only
    clock.advance(days=6)
    assert run(clock).picked == 0
    clock.advance(days=1)
    assert run(clock).refreshed == 1


class RacingTransport(PooledTransport):
    """Runs ``during`` while the token request is in flight (a consent or disconnect landing mid-refresh)."""

    def __init__(self, during: Any) -> None:
        super().__init__()
        self.during = during

    def __call__(
        self, method: str, url: str, *, body: bytes | None, headers: Mapping[str, str], timeout: float
    ) -> HttpResponse:
        self.during()
        return super().__call__(method, url, body=body, headers=headers, timeout=timeout)


def test_a_change_during_the_refresh_wins_over_its_result(firestore: Any, standin: OAuthStandIn) -> None:
    clock = Clock()
    seed_grant(firestore, standin, "1001", clock())
    lost = lambda: repository.mark_lost(  # noqa: E731
        firestore, "1001", TENANT, status="revoked", reason="disconnect:user", now=clock()
    )
    summary = RefreshRun(
        refresh_settings(), runtime=Runtime(clock=clock, transport=RacingTransport(lost))
    ).run()
    assert summary.skipped == 1
    assert doc(firestore, "1001")["status"] == "revoked"
    assert stored_secrets(firestore, "1001") is None


def test_a_use_noted_during_the_refresh_does_not_lose_googles_answer(
    firestore: Any, standin: OAuthStandIn
) -> None:
    """``credentials_for`` notes a use (an unguarded ``lastUsedAt`` write) while the run waits for Google,
    which rotates the refresh token: the run's guarded write loses its precondition, yet the new refresh
    token must be stored, or the grant dies with the old one."""
    from mail2task.oauth.access import credentials_for

    clock = Clock()
    old = seed_grant(
        firestore, standin, "1001", clock(), expires_in=dt.timedelta(hours=13), due_in=dt.timedelta()
    )
    standin.faults.rotate_refresh_tokens = True
    later = Clock(clock() + dt.timedelta(hours=12, minutes=1))  # still fresh, last use 12 hours ago
    noted: list[bool] = []

    def note_use() -> None:
        if not noted:
            noted.append(True)
            credentials_for("1001", ["openid"], runtime=Runtime(clock=later))

    summary = RefreshRun(
        refresh_settings(), runtime=Runtime(clock=clock, transport=RacingTransport(note_use))
    ).run()
    assert noted
    assert (summary.refreshed, summary.skipped) == (1, 0)
    secrets, stored = stored_secrets(firestore, "1001"), doc(firestore, "1001")
    assert standin.is_revoked(old)
    assert secrets.refresh_token != old
    assert not standin.is_revoked(secrets.refresh_token)
    assert secrets.access_token == standin.access_tokens[old][-1]
    assert stored["rtHash"] == model.risc_identifiers(secrets.refresh_token)[1]
    assert stored["lastUsedAt"] == later()  # the use noted meanwhile is kept too


def test_leases_keep_runs_apart_and_expire(firestore: Any, standin: OAuthStandIn) -> None:
    clock = Clock()
    tokens = seed(firestore, standin, clock, 10)
    leases = firestore.collection(store.REFRESH_LEASES)
    for partition in range(model.PARTITIONS):
        leases.document(str(partition)).create(
            {"owner": "other", "leaseUntil": clock() + dt.timedelta(minutes=5)}
        )
    blocked = run(clock)
    assert (blocked.picked, blocked.partitions_busy) == (0, model.PARTITIONS)
    clock.advance(minutes=6)  # the other run died: its leases ran out
    taken = run(clock)
    assert taken.refreshed == 10
    assert taken.partitions_leased == model.PARTITIONS
    assert all(standin.refreshes[t] == 1 for t in tokens.values())


@pytest.mark.slow
def test_overlapping_runs_never_refresh_a_grant_twice(firestore: Any, standin: OAuthStandIn) -> None:
    clock = Clock()
    tokens = seed(firestore, standin, clock, 24)
    standin.faults.latency = 0.05
    summaries: list[RunSummary] = []
    threads = [threading.Thread(target=lambda: summaries.append(run(clock))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(s.refreshed for s in summaries) == 24
    assert sorted(standin.refreshes[t] for t in tokens.values()) == [1] * 24


def test_the_budget_stops_cleanly_and_the_next_run_resumes(firestore: Any, standin: OAuthStandIn) -> None:
    clock = Clock()
    tokens = seed(firestore, standin, clock, 30)
    standin.faults.latency = 0.1
    # budget 3.0 s - timeout 2 s - write margin 2 s: no refresh may start; nothing is lost either
    first = run(clock, time_budget_seconds=3.0, concurrency=2)
    assert first.budget_exhausted
    assert first.refreshed == 0
    second = run(clock, time_budget_seconds=4.6, concurrency=2)  # ~0.6 s of starting time
    assert second.budget_exhausted
    assert 0 < second.refreshed < 30
    third = run(clock, concurrency=4)
    assert not third.budget_exhausted
    assert second.refreshed + third.refreshed == 30
    assert sorted(standin.refreshes[t] for t in tokens.values()) == [1] * 30


def scheduler_post(signer: Any, **headers: str) -> Any:
    claims = {"iss": "https://accounts.google.com", "aud": REFRESH_URL, "sub": "1", "email": SCHEDULER}
    token = signer.mint({**claims, "email_verified": True})
    REGISTRY.add(token)
    return app_client(refresh).post("/", headers={"Authorization": f"Bearer {token}", **headers})


def test_scheduler_delivery_runs_once_per_schedule_time(
    firestore: Any, standin: OAuthStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    tokens = seed(firestore, standin, Clock(), 3)
    delivery = {
        "X-CloudScheduler-JobName": "mail2task-refresh",
        "X-CloudScheduler-ScheduleTime": "2026-03-01T12:00:00Z",
    }
    with caplog.at_level("INFO", logger="mail2task.oauth.scheduler"):
        first = scheduler_post(standin.signer, **delivery)
    assert first.status_code == 200
    body = first.get_json()
    assert {k: body[k] for k in ("picked", "refreshed", "retried", "revoked", "skipped")} == {
        "picked": 3, "refreshed": 3, "retried": 0, "revoked": 0, "skipped": 0,
    }  # fmt: skip
    assert sum(m.startswith("refresh run:") for m in caplog.messages) == 1  # logged once
    again = scheduler_post(standin.signer, **delivery)  # Cloud Scheduler's duplicate delivery
    assert again.get_json() == {"duplicate": True, "run": "mail2task-refresh-2026-03-01T12:00:00Z"}
    marker = firestore.collection(store.RUNS).document("mail2task-refresh-2026-03-01T12:00:00Z").get()
    assert marker.get("state") == "done"
    assert marker.get("summary")["refreshed"] == 3
    assert all(standin.refreshes[t] == 1 for t in tokens.values())


def test_a_delivery_retried_after_its_first_attempt_died_takes_over(
    firestore: Any, standin: OAuthStandIn
) -> None:
    seed(firestore, standin, Clock(), 2)
    key = "mail2task-refresh-2026-03-01T12:05:00Z"
    marker = {"state": "running", "leaseUntil": Clock()() - dt.timedelta(minutes=1)}
    firestore.collection(store.RUNS).document(key).set(marker)
    delivery = {
        "X-CloudScheduler-JobName": "mail2task-refresh",
        "X-CloudScheduler-ScheduleTime": "2026-03-01T12:05:00Z",
    }
    assert scheduler_post(standin.signer, **delivery).get_json()["refreshed"] == 2
    assert scheduler_post(standin.signer, **delivery).get_json()["duplicate"] is True
