"""Module conventions (cloud-foundation-fabric style) and the README and example inputs that document them."""

from __future__ import annotations

import re
from pathlib import Path

import hcl2
import pytest

from tests.infra.parsed import INFRA, Module, expression, infra, load_module

MODULES = [INFRA, *sorted(path for path in (INFRA / "modules").iterdir() if path.is_dir())]
README = INFRA / "README.md"


def _table_rows(markdown: str, heading: str) -> dict[str, str]:
    """``name -> description`` of the table under ``heading`` in a Markdown document."""
    section = markdown.split(heading, 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z0-9_]+)` \| (.*?) \|", section, flags=re.MULTILINE)
    return dict(rows)


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_variables_are_typed_described_and_alphabetical(path: Path) -> None:
    module = load_module(path)
    assert list(module.variable_order) == ["variables.tf"], "variables live in variables.tf"
    names = module.variable_order["variables.tf"]
    assert names == sorted(names), f"{path.name}: variables must be in alphabetical order"
    for name, variable in module.variables.items():
        assert variable.get("description", "").strip(), f"{name}: description"
        assert "type" in variable, f"{name}: type"


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_outputs_are_described_and_alphabetical(path: Path) -> None:
    module = load_module(path)
    assert list(module.output_order) == ["outputs.tf"], "outputs live in outputs.tf"
    names = module.output_order["outputs.tf"]
    assert names == sorted(names), f"{path.name}: outputs must be in alphabetical order"
    for name, output in module.outputs.items():
        assert output.get("description", "").strip(), f"{name}: description"


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_versions_have_a_floor_and_a_major_ceiling(path: Path) -> None:
    module = load_module(path)
    (settings,) = module.terraform
    constraints = [expression(settings["required_version"])]
    for providers in settings.get("required_providers", []):
        constraints += [expression(provider["version"]) for provider in providers.values()]
    for constraint in constraints:
        assert re.fullmatch(r">= \d+\.\d+\.\d+, < (\d+)\.0\.0", constraint), f"{path.name}: {constraint}"


def _providers_used(module: Module) -> set[str]:
    """Providers the module's resources and data sources use: by type prefix, or an explicit ``provider``."""
    used = set()
    for blocks in (module.resources, module.data):
        for kind, named in blocks.items():
            for body in named.values():
                chosen = expression(body["provider"]).split(".")[0] if "provider" in body else None
                used.add(chosen or kind.split("_", 1)[0])
    return used


def test_root_module_declares_exactly_the_providers_it_uses() -> None:
    module = infra()
    (settings,) = module.terraform
    (providers,) = settings["required_providers"]
    assert set(providers) == _providers_used(module), "required_providers must list exactly what is used"
    assert providers["google"]["source"] == "hashicorp/google"
    options = hcl2.SerializationOptions(strip_string_quotes=True)
    with (INFRA / "providers.tf").open(encoding="utf-8") as handle:
        blocks = hcl2.load(handle, serialization_options=options).get("provider", [])
    configured = {name for block in blocks for name in block}
    assert configured <= set(providers), (
        f"provider blocks for undeclared providers: {configured - set(providers)}"
    )


def test_variables_header_names_the_required_inputs() -> None:
    header = (INFRA / "variables.tf").read_text(encoding="utf-8").splitlines()[0]
    match = re.search(r"Required \(no default\): ([a-z0-9_, ]+)\.$", header)
    assert match, f"variables.tf must start by naming the required inputs: {header}"
    required = {name for name, variable in infra().variables.items() if "default" not in variable}
    assert set(match.group(1).split(", ")) == required


def test_validated_inputs() -> None:
    variables = infra().variables
    for name in ("functions", "prefix", "project_id", "python_runtime", "region", "settings"):
        assert variables[name].get("validation"), f"{name} needs a validation"
    assert "contains(keys(local.functions), name)" in expression(
        variables["functions"]["validation"][0]["condition"]
    )


def test_names_use_the_prefix_not_random_suffixes() -> None:
    text = "\n".join(path.read_text(encoding="utf-8") for path in INFRA.glob("*.tf"))
    assert "random_" not in text, "use var.prefix, not random suffixes"
    # The Firestore database keeps its own input ("(default)" is the free-tier database); bundle objects
    # live in the prefixed bucket.
    exempt = {("google_firestore_database", "this"), ("google_storage_bucket_object", "bundle")}
    derived = re.compile(r"var\.prefix|local\.function_names|google_[a-z0-9_]+\.")
    for kind, name, body in infra().all_resources():
        for attribute in ("name", "account_id", "secret_id", "repository_id"):
            value = body.get(attribute)
            if isinstance(value, str) and (kind, name) not in exempt:
                assert derived.search(value), (
                    f"{kind}.{name}.{attribute} = {value!r}: derive it from var.prefix"
                )


def test_readme_tables_list_every_input_and_output() -> None:
    markdown = README.read_text(encoding="utf-8")
    module = infra()
    inputs = _table_rows(markdown, "## Inputs")
    outputs = _table_rows(markdown, "## Outputs")
    assert set(inputs) == set(module.variables), "infra/README.md Inputs table must list every variable"
    assert set(outputs) == set(module.outputs), "infra/README.md Outputs table must list every output"
    for name, variable in module.variables.items():
        assert inputs[name].replace("\\|", "|") == variable["description"], f"README description of {name}"
    for name, output in module.outputs.items():
        assert outputs[name] == output["description"], f"README description of output {name}"


def test_example_tfvars_sets_every_required_input_and_nothing_undeclared() -> None:
    module: Module = infra()
    with (INFRA / "example.tfvars").open(encoding="utf-8") as handle:
        example = hcl2.load(handle, serialization_options=hcl2.SerializationOptions(strip_string_quotes=True))
    given = {name for name in example if not name.startswith("__")}
    required = {name for name, variable in module.variables.items() if "default" not in variable}
    assert required <= given, f"example.tfvars lacks required inputs: {required - given}"
    assert given <= set(module.variables), (
        f"example.tfvars sets undeclared inputs: {given - set(module.variables)}"
    )
    functions = example.get("functions", {})
    assert set(functions) <= set(module.locals["functions"])
    settings = example.get("settings", {})
    readable = {name for names in module.locals["settings_classes"].values() for name in names}
    assert set(settings) <= readable - set(module.locals["setting_values"]) - set(module.locals["secrets"])
