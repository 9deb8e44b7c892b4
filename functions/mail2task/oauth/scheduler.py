"""Scheduled refresh calls: verify Cloud Scheduler's OIDC token, run once per schedule time.

Cloud Scheduler delivers at least once (lost acknowledgements, attempt deadlines), so each run claims
``runs/{job}-{scheduleTime}`` with ``create()`` first. A second delivery of a finished or still-running
run does nothing; a retry after the first attempt died (its lease ran out) takes the marker over.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from typing import TYPE_CHECKING, Any

from mail2task import store
from mail2task.errors import BadRequest
from mail2task.oauth.refresh_job import RefreshRun
from mail2task.oauth.runtime import Runtime

if TYPE_CHECKING:
    from google.cloud import firestore

    from mail2task.config import RefreshSettings

log = logging.getLogger(__name__)
JOB_HEADER = "X-CloudScheduler-JobName"
TIME_HEADER = "X-CloudScheduler-ScheduleTime"
MARKER_TTL = dt.timedelta(days=7)
_UNSAFE = re.compile(r"[^A-Za-z0-9._:-]")


def verify_caller(authorization: str | None, settings: RefreshSettings, rt: Runtime) -> None:
    """Accept only Google-signed tokens for our URL, issued to the configured scheduler account."""
    from mail2task.google.id_tokens import verify_service_caller

    verify_service_caller(
        authorization,
        rt.google_keys,
        (settings.refresh_url,),
        settings.scheduler_service_account,
        now=lambda: rt.clock().timestamp(),
    )


def run_key(job: str | None, schedule_time: str | None) -> str | None:
    """``{job}-{scheduleTime}`` as a document id, or None when the call is not from Cloud Scheduler."""
    if not job and not schedule_time:
        return None
    if not job or not schedule_time or len(job) > 500 or len(schedule_time) > 64:
        raise BadRequest("malformed Cloud Scheduler headers")
    return f"{_UNSAFE.sub('_', job.rsplit('/', 1)[-1])[:100]}-{_UNSAFE.sub('_', schedule_time)}"


def _claim(db: firestore.Client, key: str, now: dt.datetime, lease_until: dt.datetime) -> bool:
    from google.api_core import exceptions

    ref = db.collection(store.RUNS).document(key)
    marker = {"state": "running", "startedAt": now, "leaseUntil": lease_until, "expiresAt": now + MARKER_TTL}
    try:
        ref.create(marker)
        return True
    except exceptions.Conflict:
        pass
    snapshot = ref.get()
    data = snapshot.to_dict() or {}
    until = data.get("leaseUntil")
    if data.get("state") == "done" or not isinstance(until, dt.datetime) or until > now:
        return False
    try:  # the earlier attempt died: this delivery takes over
        ref.update(marker, option=db.write_option(last_update_time=snapshot.update_time))
    except (exceptions.FailedPrecondition, exceptions.NotFound):
        return False
    return True


def run_scheduled(
    authorization: str | None,
    job: str | None,
    schedule_time: str | None,
    *,
    settings: RefreshSettings | None = None,
    runtime: Runtime | None = None,
) -> dict[str, Any]:
    """Verify the caller, claim the run, refresh due grants; the summary is returned and logged once."""
    from mail2task.config import RefreshSettings, load

    settings = settings or load(RefreshSettings)
    rt = runtime or Runtime()
    verify_caller(authorization, settings, rt)
    key = run_key(job, schedule_time)
    now = rt.clock()
    lease_until = now + dt.timedelta(
        seconds=settings.time_budget_seconds + rt.client.http_timeout_seconds + 30
    )
    if key is not None and not _claim(rt.db, key, now, lease_until):
        result: dict[str, Any] = {"duplicate": True, "run": key}
        log.info("refresh run: %s", json.dumps(result))
        return result
    summary = RefreshRun(settings, runtime=rt).run().to_dict()
    if key is not None:
        rt.db.collection(store.RUNS).document(key).update(
            {"state": "done", "finishedAt": rt.clock(), "summary": summary}
        )
    result = {"run": key, **summary}
    log.info("refresh run: %s", json.dumps(result, sort_keys=True))
    return result
