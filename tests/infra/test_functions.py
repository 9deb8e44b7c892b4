"""Every exported entry point is deployed as its own function, and nothing else is."""

from __future__ import annotations

import re

from tests.infra.parsed import entry_points, expression, infra

RUNTIMES = {"python311", "python312"}
INGRESS = {"ALLOW_ALL", "ALLOW_INTERNAL_ONLY", "ALLOW_INTERNAL_AND_GCLB"}
LIMITS = (
    "available_cpu",
    "available_memory",
    "max_instance_count",
    "max_instance_request_concurrency",
    "min_instance_count",
    "timeout_seconds",
)


def test_every_entry_point_has_a_function_and_none_points_at_a_missing_one() -> None:
    exported = entry_points()
    declared = sorted(infra().locals["functions"])
    assert exported, "functions/main.py exports no entry points"
    missing = sorted(set(exported) - set(declared))
    stale = sorted(set(declared) - set(exported))
    assert not missing, f"entry points without a function in infra/main.tf local.functions: {missing}"
    assert not stale, f"local.functions names entry points functions/main.py does not export: {stale}"


def test_function_resources_are_one_per_entry_and_use_it_as_entry_point() -> None:
    functions = infra().resources["google_cloudfunctions2_function"]
    assert list(functions) == ["this"], "every function comes from the one for_each resource"
    function = functions["this"]
    assert expression(function["for_each"]) == "local.functions"
    build = function["build_config"][0]
    assert expression(build["entry_point"]) == "each.key"
    assert expression(function["name"]) == "local.function_names[each.key]"
    assert expression(infra().locals["function_names"]) == (
        '{for name in keys(local.functions) : name => "${var.prefix}-${name}"}'
    )


def test_functions_build_from_the_hashed_bundle_with_a_supported_runtime() -> None:
    module = infra()
    build = module.resource("google_cloudfunctions2_function", "this")["build_config"][0]
    source = build["source"][0]["storage_source"][0]
    assert expression(source["bucket"]) == "google_storage_bucket.bundle.name"
    assert expression(source["object"]) == "google_storage_bucket_object.bundle.name"
    assert expression(build["runtime"]) == "var.python_runtime"
    runtime = module.variables["python_runtime"]
    assert runtime["default"] in RUNTIMES
    assert set(re.findall(r"python3\d+", expression(runtime["validation"][0]["condition"]))) <= RUNTIMES
    assert expression(build["service_account"]) == "google_service_account.build.id"


def test_each_function_runs_as_its_own_service_account() -> None:
    module = infra()
    service = module.resource("google_cloudfunctions2_function", "this")["service_config"][0]
    assert expression(service["service_account_email"]) == "google_service_account.function[each.key].email"
    accounts = module.resource("google_service_account", "function")
    assert expression(accounts["for_each"]) == "local.functions"
    assert expression(accounts["account_id"]) == "local.function_names[each.key]"


def test_limits_and_ingress_are_set_deliberately_for_every_function() -> None:
    module = infra()
    service = module.resource("google_cloudfunctions2_function", "this")["service_config"][0]
    for limit in LIMITS:
        assert expression(service[limit]) == f"local.function_config[each.key].{limit}"
    assert expression(service["ingress_settings"]) == "each.value.ingress"
    for name, fn in module.locals["functions"].items():
        defaults = fn["defaults"]
        assert set(defaults) == set(LIMITS), f"{name}: defaults must set exactly {LIMITS}"
        assert fn["ingress"] in INGRESS, name
        assert 1 <= defaults["max_instance_count"] <= 100, name
        assert 0 <= defaults["min_instance_count"] <= defaults["max_instance_count"], name
        assert 1 <= defaults["timeout_seconds"] <= 3600, name
        assert re.fullmatch(r"\d+(Mi|Gi)", defaults["available_memory"]), name
        concurrency = defaults["max_instance_request_concurrency"]
        assert concurrency == 1 or float(defaults["available_cpu"]) >= 1, f"{name}: concurrency needs 1 vCPU"
        assert fn["description"].strip(), name


def test_only_the_scheduled_function_is_internal_and_every_function_is_reachable() -> None:
    module = infra()
    public = set(module.locals["public_functions"])
    for name, fn in module.locals["functions"].items():
        reachable = bool(fn["invokers"]) or name in public
        assert reachable, f"{name}: nobody may invoke it"
        if fn["invokers"] and all(who.endswith("_job") for who in fn["invokers"]):
            assert fn["ingress"] == "ALLOW_INTERNAL_ONLY", f"{name}: only Cloud Scheduler calls it"
