"""Least privilege: each function's account holds only its listed roles; only oauth and risc are public."""

from __future__ import annotations

import re

from tests.infra.parsed import expression, infra

# Roles a function's runtime account may hold at project level (Firestore data access, database-scoped).
ALLOWED_PROJECT_ROLES = {"roles/datastore.user", "roles/datastore.viewer"}
PUBLIC_FUNCTIONS = {"oauth", "risc"}
ADDON_ENDPOINTS = {"addon", "convert", "install"}
PUBLIC_PRINCIPALS = ("allUsers", "allAuthenticatedUsers")
FUNCTION_ACCOUNT = re.compile(r"google_service_account\.function\b")


def test_function_roles_stay_within_the_allowed_runtime_roles() -> None:
    for name, fn in infra().locals["functions"].items():
        extra = set(fn["roles"]) - ALLOWED_PROJECT_ROLES
        assert not extra, f"{name}: roles beyond the allowed runtime roles: {sorted(extra)}"
        assert len(fn["roles"]) == len(set(fn["roles"])), f"{name}: duplicate roles"


def test_project_roles_are_granted_from_the_function_table_only() -> None:
    module = infra()
    grant = module.resource("google_project_iam_member", "function")
    assert expression(grant["for_each"]) == (
        "{for grant in flatten([for name, fn in local.functions : [for role in fn.roles : "
        '{function = name, role = role}]]) : "${grant.function}/${grant.role}" => grant}'
    )
    assert expression(grant["role"]) == "each.value.role"
    assert expression(grant["member"]) == "google_service_account.function[each.value.function].member"
    condition = grant["dynamic"][0]["condition"]
    assert 'startswith(each.value.role, "roles/datastore.")' in expression(condition["for_each"])
    assert "google_firestore_database.this.id" in expression(condition["content"][0]["expression"])


def test_no_other_grant_reaches_a_function_account() -> None:
    allowed = {
        ("google_project_iam_member", "function"),
        ("google_secret_manager_secret_iam_member", "function"),
    }
    for kind, name, body in infra().all_resources():
        if not kind.endswith(("_iam_member", "_iam_binding", "_iam_policy")):
            continue
        members = (
            repr(body.get("member", "")) + repr(body.get("members", "")) + repr(body.get("policy_data", ""))
        )
        if FUNCTION_ACCOUNT.search(members):
            assert (kind, name) in allowed, f"{kind}.{name} grants something to a function's service account"


def test_only_oauth_and_risc_are_publicly_invocable() -> None:
    module = infra()
    assert set(module.locals["public_functions"]) == PUBLIC_FUNCTIONS
    public = module.resource("google_cloud_run_v2_service_iam_member", "public")
    assert expression(public["for_each"]) == "toset(local.public_functions)"
    assert public["member"] == "allUsers"
    assert expression(public["name"]) == "google_cloudfunctions2_function.this[each.key].name"
    for kind, name, body in module.all_resources():
        if (kind, name) == ("google_cloud_run_v2_service_iam_member", "public"):
            continue
        text = repr(body)
        assert not any(principal in text for principal in PUBLIC_PRINCIPALS), f"{kind}.{name} is public"
    assert not any(p in repr(module.locals["invoker_members"]) for p in PUBLIC_PRINCIPALS)


def test_invokers_are_the_intended_callers() -> None:
    module = infra()
    members = expression(module.locals["invoker_members"])
    assert members == (
        'merge({addon = "serviceAccount:${local.addon_service_account}"}, '
        '{for job in keys(local.scheduled_jobs) : "${job}_job" => '
        "google_service_account.scheduler[job].member})"
    )
    callers = {name: set(fn["invokers"]) for name, fn in module.locals["functions"].items()}
    assert {name for name, who in callers.items() if "addon" in who} == ADDON_ENDPOINTS
    jobs = module.locals["scheduled_jobs"]
    for name, who in callers.items():
        scheduled = {caller.removesuffix("_job") for caller in who if caller.endswith("_job")}
        assert scheduled == {job for job, spec in jobs.items() if spec["function"] == name}, name
        assert who <= {"addon"} | {f"{job}_job" for job in jobs}, f"{name}: unknown invoker"
    for name in PUBLIC_FUNCTIONS:
        assert not callers[name], f"{name} is public; it needs no other invoker"
    invoker = module.resource("google_cloud_run_v2_service_iam_member", "invoker")
    assert expression(invoker["role"]) == "roles/run.invoker"
    assert expression(invoker["member"]) == "local.invoker_members[each.value.principal]"
    assert "fn.invokers" in expression(invoker["for_each"])


def test_service_accounts_are_dedicated() -> None:
    module = infra()
    accounts = module.resources["google_service_account"]
    assert set(accounts) == {"build", "function", "scheduler"}
    assert expression(
        module.resource("google_cloudfunctions2_function", "this")["build_config"][0]["service_account"]
    )
    build_grants = {
        (kind, expression(body["role"]))
        for kind, _, body in module.all_resources()
        if "google_service_account.build" in repr(body.get("member", ""))
    }
    assert build_grants == {
        ("google_project_iam_member", "roles/logging.logWriter"),
        ("google_artifact_registry_repository_iam_member", "roles/artifactregistry.writer"),
        ("google_storage_bucket_iam_member", "roles/storage.objectViewer"),
    }
    scheduler_grants = [
        (kind, body)
        for kind, _, body in module.all_resources()
        if "google_service_account.scheduler" in repr(body.get("member", ""))
    ]
    assert not scheduler_grants, (
        "a job's account gets only the invoker role on its function (invoker_members)"
    )
