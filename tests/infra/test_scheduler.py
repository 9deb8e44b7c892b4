"""Scheduled jobs: an OIDC token of the job's own account for the function's URL, retries, and a deadline that
outlasts the function."""

from __future__ import annotations

from tests.infra.parsed import expression, infra

# Which function each job drives, and the query that selects the job there.
EXPECTED_JOBS = {"refresh": ("refresh", ""), "sweep": ("install", "?job=sweep")}


def test_jobs_drive_the_intended_functions() -> None:
    jobs = infra().locals["scheduled_jobs"]
    assert {name: (job["function"], job["query"]) for name, job in jobs.items()} == EXPECTED_JOBS
    functions = infra().locals["functions"]
    for name, job in jobs.items():
        assert f"{name}_job" in functions[job["function"]]["invokers"], f"{name}'s account must invoke it"


def test_each_job_calls_its_function_with_an_oidc_token_of_its_own_account() -> None:
    module = infra()
    job = module.resource("google_cloud_scheduler_job", "this")
    assert expression(job["for_each"]) == "local.scheduled_jobs"
    target = job["http_target"][0]
    assert target["http_method"] == "POST"
    assert expression(target["uri"]) == "${local.function_urls[each.value.function]}${each.value.query}"
    token = target["oidc_token"][0]
    assert expression(token["service_account_email"]) == "google_service_account.scheduler[each.key].email"
    assert expression(token["audience"]) == "local.function_urls[each.value.function]"
    assert "oauth_token" not in target
    accounts = module.resource("google_service_account", "scheduler")
    assert expression(accounts["for_each"]) == "local.scheduled_jobs"
    assert expression(accounts["account_id"]) == "${var.prefix}-${each.key}-job"


def test_attempt_deadline_is_at_least_the_function_timeout() -> None:
    module = infra()
    job = module.resource("google_cloud_scheduler_job", "this")
    deadline = expression(job["attempt_deadline"])
    assert deadline == "${min(local.function_config[each.value.function].timeout_seconds + 30, 1800)}s"
    preconditions = [expression(p["condition"]) for p in job["lifecycle"][0]["precondition"]]
    assert "local.function_config[each.value.function].timeout_seconds + 30 <= 1800" in preconditions
    assert "local.function_config[each.value.function].timeout_seconds >= 120" in preconditions
    for job_spec in module.locals["scheduled_jobs"].values():
        timeout = module.locals["functions"][job_spec["function"]]["defaults"]["timeout_seconds"]
        assert 120 <= timeout <= 1770, f"{job_spec['function']}: default timeout must fit the job's deadline"


def test_jobs_retry_with_backoff() -> None:
    module = infra()
    retry = module.resource("google_cloud_scheduler_job", "this")["retry_config"][0]
    assert expression(retry["retry_count"]) == "var.schedules[each.key].retry_count"
    schedules = expression(module.variables["schedules"]["type"])
    assert schedules.count("retry_count = optional(number, 2)") == len(EXPECTED_JOBS)
    assert retry["min_backoff_duration"]
    assert retry["max_backoff_duration"]


def test_refresh_function_is_internal_and_invoked_only_by_its_job() -> None:
    refresh = infra().locals["functions"]["refresh"]
    assert refresh["ingress"] == "ALLOW_INTERNAL_ONLY"
    assert refresh["invokers"] == ["refresh_job"]
    assert refresh["defaults"]["max_instance_request_concurrency"] == 1
