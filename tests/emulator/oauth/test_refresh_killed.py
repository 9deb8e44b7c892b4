"""A refresh process killed mid-run (SIGKILL), then run again: nothing lost, corrupted or refreshed
twice beyond the requests in flight at the kill, and every member's status right."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from typing import Any

import pytest

from mail2task import store
from mail2task.local.oauth_standin import OAuthStandIn
from mail2task.oauth.status import consent_status
from tests.support.oauth_env import TENANT, Clock, seed_grant, stored_secrets
from tests.support.oauth_env import refresh_run as run

pytestmark = pytest.mark.usefixtures("oauth_env")
CONCURRENCY = 4
RUN = (
    "import json; from mail2task.config import RefreshSettings, load; "
    "from mail2task.oauth.refresh_job import RefreshRun; "
    "print(json.dumps(RefreshRun(load(RefreshSettings)).run().to_dict()))"
)


def test_a_killed_run_is_finished_by_the_next_one(firestore: Any, standin: OAuthStandIn) -> None:
    clock = Clock()
    tokens = {str(1000 + i): seed_grant(firestore, standin, str(1000 + i), clock()) for i in range(40)}
    dead = set(list(tokens)[::10])  # four grants Google no longer honours
    standin.faults.invalid_grant.update(tokens[sub] for sub in dead)
    standin.faults.latency = 0.15
    environment = {**os.environ, "REFRESH_CONCURRENCY": str(CONCURRENCY), "REFRESH_TIME_BUDGET_SECONDS": "60"}
    process = subprocess.Popen(
        [sys.executable, "-c", RUN], env=environment, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    try:
        assert standin.wait_for_refreshes(10, timeout=60), "the refresh process never got going"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
        assert process.stdout is not None
        process.stdout.close()
    assert process.returncode == -signal.SIGKILL
    assert list(firestore.collection(store.REFRESH_LEASES).stream())  # it died holding leases

    clock.advance(seconds=150)  # past the dead run's leases (budget 60 s + timeout + 30 s)
    standin.faults.latency = 0.0
    second = run(clock, concurrency=CONCURRENCY)
    assert second.partitions_leased == 16
    assert second.retried == 0

    twice = [sub for sub, token in tokens.items() if standin.refreshes[token] > 1]
    assert all(standin.refreshes[token] <= 2 for token in tokens.values())
    assert len(twice) <= CONCURRENCY  # only answers in flight at the kill were lost and redone
    for sub, refresh_token in tokens.items():
        member = firestore.document(f"tenants/{TENANT}/members/{sub}").get().get("consent")
        if sub in dead:
            assert consent_status(sub) == member == "needs_reconnect"
            assert stored_secrets(firestore, sub) is None
            continue
        assert consent_status(sub) == member == "granted"
        secrets = stored_secrets(firestore, sub)  # opens: nothing corrupted
        assert secrets.refresh_token == refresh_token  # nothing lost
        # an access token Google issued for it (a write the dead process had already sent may land after
        # the second run read the grant: then that write wins and the second run's answer is dropped)
        assert secrets.access_token in standin.access_tokens[refresh_token]
        due = firestore.collection(store.TOKENS).document(sub).get().get("refreshDueAt")
        assert due > clock() + dt.timedelta(minutes=30)
    assert run(clock).picked == 0  # all done
    assert not list(firestore.collection(store.REFRESH_LEASES).stream())
