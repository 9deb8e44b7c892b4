"""Scheduled refresh: one run over 10,000 due grants vs a sequential google-auth loop, side by side.

The token endpoint is the OAuth stand-in in its own process, answering every request after 50 ms (a
Google-like round trip). The run uses the production defaults (concurrency, page size) against the
Firestore emulator; reads and writes are counted on the Firestore client's gRPC channel. The baseline
is a plain loop of google-auth ``Credentials.refresh`` with one reused HTTP session, measured on a
sample and extrapolated to 10,000 (its cost is linear: one 50 ms round trip after another).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from tests.bench.common import BenchContext, Row

TOKENS = 10_000
SAMPLE = 200
LATENCY = 0.05
BENCH = "refresh"


@contextmanager
def token_endpoint(client_secret: str) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "mail2task.local.oauth_standin", "--latency", str(LATENCY),
         "--client-secret", client_secret, "--accept-unknown-refresh-tokens"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        yield json.loads(process.stdout.readline())["base_url"]
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def _environment(base_url: str, client_secret: str) -> dict[str, str]:
    return {
        "MAIL2TASK_PROFILE": "local",
        "OAUTH_CLIENT_ID": "standin-client.apps.googleusercontent.com",
        "OAUTH_CLIENT_SECRET": client_secret,
        "OAUTH_TOKEN_URL": base_url + "/token",
        "OAUTH_REVOKE_URL": base_url + "/revoke",
        "TOKEN_ENCRYPTION_KEY": base64.b64encode(os.urandom(32)).decode(),
        "TOKEN_ENCRYPTION_KEY_VERSION": "1",
        "REFRESH_URL": "https://bench.example/refresh",
        "SCHEDULER_SERVICE_ACCOUNT": "scheduler@bench.iam.gserviceaccount.com",
        "REFRESH_TIME_BUDGET_SECONDS": "900",
    }


def _seed(db: object, now: dt.datetime) -> list[str]:
    """10,000 grants whose access tokens expire in 5 minutes (all due), written in batches of 500."""
    from mail2task.oauth import model, repository
    from mail2task.oauth.vault import TokenSecrets, default_vault

    vault = default_vault()
    refresh_tokens = []
    batch = db.batch()  # type: ignore[attr-defined]
    for i in range(TOKENS):
        sub, refresh_token = str(10**15 + i), "1//0bench-" + secrets.token_urlsafe(40)
        refresh_tokens.append(refresh_token)
        fields = repository.grant_fields(
            tenant="bench.example",
            sealed=vault.seal(TokenSecrets(refresh_token, "ya29.bench-" + secrets.token_urlsafe(30)), sub),
            refresh_token=refresh_token,
            scopes=("openid",),
            access_expires_at=now + dt.timedelta(minutes=5),
            refresh_due_at=now - dt.timedelta(minutes=15),
            now=now,
        )
        document = {**fields, "sub": sub, "partition": model.partition_of(sub), "grantedAt": now}
        batch.set(repository.token_ref(db, sub), {**document, "lastUsedAt": now})  # type: ignore[arg-type]
        if (i + 1) % 500 == 0:
            batch.commit()
            batch = db.batch()  # type: ignore[attr-defined]
    return refresh_tokens


def _sequential(refresh_tokens: list[str], env: dict[str, str]) -> float:
    """Seconds per token of a plain google-auth loop: Credentials.refresh, one after another."""
    from google.auth.transport.requests import Request
    from google.oauth2.credentials import Credentials

    request = Request()
    started = time.perf_counter()
    for refresh_token in refresh_tokens:
        Credentials(
            None, refresh_token=refresh_token, token_uri=env["OAUTH_TOKEN_URL"],
            client_id=env["OAUTH_CLIENT_ID"], client_secret=env["OAUTH_CLIENT_SECRET"],
        ).refresh(request)  # fmt: skip
    return (time.perf_counter() - started) / len(refresh_tokens)


def run(ctx: BenchContext) -> list[Row]:
    from mail2task import store
    from mail2task.config import RefreshSettings, load
    from mail2task.oauth.refresh_job import RefreshRun
    from mail2task.oauth.runtime import Runtime
    from tests.support.oauth_firestore_counter import CountingClient, FirestoreCounter

    emulator = ctx.emulator()
    emulator.clear()
    client_secret = "bench-secret-" + secrets.token_urlsafe(12)
    saved = dict(os.environ)
    with token_endpoint(client_secret) as base_url:
        env = _environment(base_url, client_secret)
        os.environ.update(env)
        try:
            store.reset_clients()
            now = dt.datetime.now(dt.UTC)
            refresh_tokens = _seed(store.firestore_client(), now)
            per_token = _sequential(refresh_tokens[:SAMPLE], env)
            counter = FirestoreCounter()
            settings = load(RefreshSettings)
            db = CountingClient(counter, project=emulator.project)
            started, cpu = time.perf_counter(), time.process_time()
            summary = RefreshRun(settings, runtime=Runtime(db=db, clock=lambda: now)).run()
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        finally:
            os.environ.clear()
            os.environ.update(saved)
            store.reset_clients()
    refreshed = summary.refreshed
    sequential_wall = per_token * TOKENS
    counts = counter.counts
    reads = counts["reads"] + counts["empty_queries"]
    note = f"concurrency {settings.concurrency}, page {settings.page_size}, endpoint latency 50 ms"
    return [
        Row(BENCH, "grants refreshed in one run", f"{refreshed:,} of {TOKENS:,}", note),
        Row(
            BENCH,
            "refresh run: wall time",
            f"{wall:.1f} s",
            f"{refreshed / wall:,.0f} tokens/s; {cpu / refreshed * 1000:.2f} ms CPU/token in this process",
        ),
        Row(
            BENCH,
            "sequential google-auth loop: wall time",
            f"{sequential_wall:.0f} s (extrapolated)",
            f"{1 / per_token:,.1f} tokens/s; measured on {SAMPLE} tokens ({per_token * 1000:.1f} ms each)",
        ),
        Row(BENCH, "speed-up vs sequential loop", f"{sequential_wall / wall:.0f}x", "target >= 20x"),
        Row(
            BENCH,
            "Firestore reads per refreshed token",
            f"{reads / refreshed:.3f}",
            f"{counts['reads']:,} documents + {counts['empty_queries']} empty queries; target <= 1",
        ),
        Row(
            BENCH,
            "Firestore writes per refreshed token",
            f"{counts['writes'] / refreshed:.3f}",
            f"{counts['writes']:,}: 1 per token + 2 per leased partition ({summary.partitions_leased})",
        ),
    ]
