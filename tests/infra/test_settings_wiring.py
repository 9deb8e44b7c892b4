"""Every variable a function's settings read is wired to that function; secrets only from Secret Manager."""

from __future__ import annotations

from typing import Any

from tests.infra.parsed import expression, infra, references, settings_by_function, settings_loaded_directly

SETTINGS_CLASSES_EXPRESSION = (
    "{for name, fn in local.functions : name => "
    "sort(distinct(flatten([for cls in fn.settings : local.settings_classes[cls]])))}"
)


def _wired() -> dict[str, set[str]]:
    """Variables Terraform hands each function, evaluated from local.functions and local.settings_classes."""
    module = infra()
    classes = module.locals["settings_classes"]
    return {
        name: {variable for cls in fn["settings"] for variable in classes[cls]}
        for name, fn in module.locals["functions"].items()
    }


def test_function_settings_classes_match_the_code() -> None:
    from mail2task import config

    declared = {name: set(fn["settings"]) for name, fn in infra().locals["functions"].items()}
    code = {name: {cls.__name__ for cls in classes} for name, classes in config.FUNCTION_SETTINGS.items()}
    assert declared == code, "local.functions[*].settings must equal mail2task.config.FUNCTION_SETTINGS"


def test_function_settings_include_what_each_entry_point_loads() -> None:
    """FUNCTION_SETTINGS drives the wiring, so a class a handler loads but FUNCTION_SETTINGS omits would be
    missing in production (a ConfigError on the first such request)."""
    from mail2task import config

    for function, classes in config.FUNCTION_SETTINGS.items():
        missing = settings_loaded_directly(function) - {cls.__name__ for cls in classes}
        assert not missing, (
            f"the {function} function loads {sorted(missing)} but mail2task.config.FUNCTION_SETTINGS"
            f"[{function!r}] does not list it, so Terraform would not wire its variables"
        )


def test_settings_classes_list_exactly_the_variables_each_class_reads() -> None:
    from mail2task import config

    declared = {cls: set(names) for cls, names in infra().locals["settings_classes"].items()}
    used = {cls.__name__: cls for classes in config.FUNCTION_SETTINGS.values() for cls in classes}
    code = {name: {variable["name"] for variable in config.variables(cls)} for name, cls in used.items()}
    for name in sorted(code.keys() | declared.keys()):
        missing = sorted(code.get(name, set()) - declared.get(name, set()))
        extra = sorted(declared.get(name, set()) - code.get(name, set()))
        assert not missing, f"local.settings_classes.{name} lacks {missing} (read by mail2task.config.{name})"
        assert not extra, (
            f"local.settings_classes.{name} lists {extra}, which mail2task.config.{name} no longer reads"
        )


def test_every_variable_each_function_reads_is_wired_to_it() -> None:
    module = infra()
    wired = _wired()
    assert expression(module.locals["function_variables"]) == SETTINGS_CLASSES_EXPRESSION
    for function, variables in settings_by_function().items():
        missing = sorted(set(variables) - wired[function])
        assert not missing, f"{function} reads {missing} but Terraform does not wire them to it"


def test_required_variables_have_a_value_source() -> None:
    module = infra()
    values = module.locals["setting_values"]
    secrets = module.locals["secrets"]
    for function, variables in settings_by_function().items():
        for name, variable in variables.items():
            if not variable["required"]:
                continue
            source = "Secret Manager" if variable["secret"] else "local.setting_values"
            assert name in (secrets if variable["secret"] else values), (
                f"{function} requires {name}; give it a value in {source} (infra/main.tf)"
            )


def test_values_come_from_declared_inputs_that_cannot_be_empty() -> None:
    module = infra()
    for name, value in module.locals["setting_values"].items():
        text = _resolve_locals(value, module.locals)
        for variable in references(text, "var"):
            assert variable in module.variables, f"{name} uses undeclared var.{variable}"
            declared = module.variables[variable]
            if "default" in declared and declared["default"] is None:
                assert "coalesce(" in text or "try(" in text, f"{name}: var.{variable} may be null"
    assert module.locals["setting_values"]["MAIL2TASK_PROFILE"] == "production"
    assert expression(module.locals["setting_values"]["GOOGLE_CLOUD_PROJECT"]) == "var.project_id"


def test_secret_variables_come_only_from_secret_manager() -> None:
    module = infra()
    secrets = set(module.locals["secrets"])
    code_secrets = {
        name for variables in settings_by_function().values() for name, v in variables.items() if v["secret"]
    }
    assert code_secrets <= secrets, (
        f"secrets the code reads without a Secret Manager secret: {code_secrets - secrets}"
    )
    plain = {
        name
        for variables in settings_by_function().values()
        for name, v in variables.items()
        if not v["secret"]
    }
    assert not (plain & secrets), (
        f"declared secret in Terraform but not secret=True in the code: {plain & secrets}"
    )
    assert not (secrets & set(module.locals["setting_values"])), "a secret must never get a plain value"
    unused = secrets - code_secrets
    assert not unused, f"Secret Manager secrets no function reads: {sorted(unused)}"


def test_functions_receive_secrets_as_secret_environment_variables_only() -> None:
    module = infra()
    assert expression(module.locals["function_secrets"]) == (
        "{for name, variables in local.function_variables : name => "
        "[for key in variables : key if contains(keys(local.secrets), key)]}"
    )
    service = module.resource("google_cloudfunctions2_function", "this")["service_config"][0]
    assert expression(service["environment_variables"]) == "local.function_environment[each.key]"
    dynamic = service["dynamic"][0]["secret_environment_variables"]
    assert expression(dynamic["for_each"]) == "toset(local.function_secrets[each.key])"
    content = dynamic["content"][0]
    assert expression(content["key"]) == "secret_environment_variables.value"
    assert expression(content["secret"]) == (
        "google_secret_manager_secret.this[secret_environment_variables.value].secret_id"
    )
    environment = expression(module.locals["function_environment"])
    assert "local.secrets" not in environment, "plain environment must not draw on secrets"
    assert "var.settings" in environment
    assert "local.setting_values" in environment


def test_settings_input_cannot_override_managed_values_or_secrets() -> None:
    conditions = " ".join(expression(v["condition"]) for v in infra().variables["settings"]["validation"])
    assert "keys(local.setting_values)" in conditions
    assert "keys(local.secrets)" in conditions
    assert "local.settings_classes" in conditions


def test_secret_access_is_granted_per_secret_to_the_functions_that_read_it() -> None:
    module = infra()
    grant = module.resource("google_secret_manager_secret_iam_member", "function")
    assert expression(grant["role"]) == "roles/secretmanager.secretAccessor"
    assert "local.function_secrets" in expression(grant["for_each"])
    assert expression(grant["member"]) == "google_service_account.function[each.value.function].member"
    assert expression(grant["secret_id"]) == "google_secret_manager_secret.this[each.value.secret].secret_id"
    assert "google_secret_manager_secret_version" not in module.resources, (
        "secret values are set out of band; a version resource would put them in the state"
    )


def _resolve_locals(value: Any, local_values: dict[str, Any], depth: int = 3) -> str:
    """The expression text of ``value`` with ``local.X`` references expanded a few levels deep."""
    text = expression(value)
    for _ in range(depth):
        names = references(text, "local") & set(local_values)
        if not names:
            break
        text += " " + " ".join(expression(local_values[name]) for name in sorted(names))
    return text
