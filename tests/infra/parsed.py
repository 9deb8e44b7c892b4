"""The Terraform in infra/ parsed offline (python-hcl2), and the facts of the code it must match."""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
FUNCTIONS = REPO / "functions"

_OPTIONS = hcl2.SerializationOptions(strip_string_quotes=True, explicit_blocks=False)
_WHOLE_EXPRESSION = re.compile(r"^\$\{(.*)\}$", re.DOTALL)


@dataclass
class Module:
    """The blocks of one Terraform module directory, merged across its .tf files."""

    path: Path
    resources: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    data: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    variable_order: dict[str, list[str]] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    output_order: dict[str, list[str]] = field(default_factory=dict)
    modules: dict[str, dict[str, Any]] = field(default_factory=dict)
    terraform: list[dict[str, Any]] = field(default_factory=list)

    def resource(self, kind: str, name: str) -> dict[str, Any]:
        body = self.resources.get(kind, {}).get(name)
        assert body is not None, f"infra declares no {kind}.{name}"
        return body

    def all_resources(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for kind, named in self.resources.items():
            for name, body in named.items():
                yield kind, name, body


def _strip_comments(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _strip_comments(item) for key, item in value.items() if not key.startswith("__")}
    if isinstance(value, list):
        return [_strip_comments(item) for item in value]
    return value


def load_module(path: Path) -> Module:
    """Parse every .tf file directly in ``path`` (not in sub-directories)."""
    module = Module(path=path)
    for tf in sorted(path.glob("*.tf")):
        with tf.open(encoding="utf-8") as handle:
            parsed = _strip_comments(hcl2.load(handle, serialization_options=_OPTIONS))
        for block in parsed.get("resource", []):
            for kind, named in block.items():
                module.resources.setdefault(kind, {}).update(named)
        for block in parsed.get("data", []):
            for kind, named in block.items():
                module.data.setdefault(kind, {}).update(named)
        for block in parsed.get("locals", []):
            module.locals.update(block)
        for block in parsed.get("variable", []):
            module.variables.update(block)
            module.variable_order.setdefault(tf.name, []).extend(block)
        for block in parsed.get("output", []):
            module.outputs.update(block)
            module.output_order.setdefault(tf.name, []).extend(block)
        for block in parsed.get("module", []):
            module.modules.update(block)
        module.terraform.extend(parsed.get("terraform", []))
    return module


@functools.cache
def infra() -> Module:
    return load_module(INFRA)


def _single_interpolation(text: str) -> bool:
    """Whether ``text`` is one ``${...}`` interpolation (not a template like ``${a}-${b}``)."""
    if not _WHOLE_EXPRESSION.match(text):
        return False
    depth = 0
    for index, char in enumerate(text[1:], start=1):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0:
            return index == len(text) - 1
    return False


def expression(value: Any) -> str:
    """The HCL expression of an attribute value, whitespace-normalized, without a ``${...}`` wrapper.

    A template such as ``"${var.prefix}-build"`` keeps its interpolations as written.
    """
    text = (value if isinstance(value, str) else repr(value)).strip()
    inner = text[2:-1] if _single_interpolation(text) else text
    return " ".join(inner.split())


def references(value: Any, prefix: str) -> set[str]:
    """Names referenced as ``prefix.NAME`` (e.g. ``var``, ``local``) anywhere in a value."""
    return set(re.findall(rf"\b{re.escape(prefix)}\.([A-Za-z_][A-Za-z0-9_-]*)", repr(value)))


# --- the code side -------------------------------------------------------------------------------------


def entry_points() -> list[str]:
    """Names functions/main.py exports (its ``__all__``, else its public top-level names)."""
    tree = ast.parse((FUNCTIONS / "main.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
        ):
            exported = ast.literal_eval(node.value)
            return sorted(str(name) for name in exported)
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom | ast.Import):
            names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.FunctionDef):
            names.add(node.name)
    return sorted(name for name in names if not name.startswith("_"))


def settings_by_function() -> dict[str, dict[str, dict[str, Any]]]:
    """For each deployed function, the variables its settings classes read, by variable name."""
    from mail2task import config

    result: dict[str, dict[str, dict[str, Any]]] = {}
    for function, classes in config.FUNCTION_SETTINGS.items():
        merged: dict[str, dict[str, Any]] = {}
        for cls in classes:
            for variable in config.variables(cls):
                merged[variable["name"]] = variable
        result[function] = merged
    return result


def composite_indexes() -> set[tuple[str, tuple[tuple[str, str], ...]]]:
    """Query shapes the code declares as needing a composite index (mail2task.store.COMPOSITE_INDEXES)."""
    from mail2task import store

    declared = getattr(store, "COMPOSITE_INDEXES", None)
    assert declared is not None, "mail2task.store must declare COMPOSITE_INDEXES (an empty list if none)"
    return {(group, tuple((name, order) for name, order in fields)) for group, fields in declared}


def collection_names() -> set[str]:
    """Collection names mail2task.store declares (its upper-case string constants)."""
    from mail2task import store

    return {
        value
        for name, value in vars(store).items()
        if name.isupper() and isinstance(value, str) and re.fullmatch(r"[a-z][a-z0-9_]*", value)
    }


def _module_path(name: str) -> Path | None:
    for path in (
        FUNCTIONS / f"{name.replace('.', '/')}.py",
        FUNCTIONS / name.replace(".", "/") / "__init__.py",
    ):
        if path.exists():
            return path
    return None


def _loaded_settings(nodes: list[ast.AST]) -> set[str]:
    """Names of the settings classes passed to ``load(...)`` anywhere in ``nodes``."""
    loaded: set[str] = set()
    for node in nodes:
        for call in ast.walk(node):
            if not (
                isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "load"
            ):
                continue
            if call.args and isinstance(call.args[0], ast.Name):
                loaded.add(call.args[0].id)
    return loaded


def _imported_modules(nodes: list[ast.AST]) -> set[str]:
    modules: set[str] = set()
    for node in nodes:
        for statement in ast.walk(node):
            if isinstance(statement, ast.ImportFrom) and (statement.module or "").startswith("mail2task"):
                module = statement.module or ""
                modules.add(module)
                modules.update(f"{module}.{alias.name}" for alias in statement.names)
    return {module for module in modules if _module_path(module)}


def settings_loaded_directly(function: str) -> set[str]:
    """Settings classes an entry point loads itself or in the modules its body imports (one level deep).

    One level keeps shared runtimes with lazily loaded settings (loaded only on some paths) out of the
    picture; what an entry point's own handlers load is certain to be needed in production.
    """
    import importlib

    entry = getattr(importlib.import_module("mail2task.entrypoints"), function)
    path = _module_path(entry.__module__)
    assert path is not None, entry.__module__
    tree = ast.parse(path.read_text(encoding="utf-8"))
    body: list[ast.AST] = [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and (node.name == function or node.name.startswith("_"))
    ]
    loaded = _loaded_settings(body)
    for module in _imported_modules(body):
        module_path = _module_path(module)
        assert module_path is not None
        loaded |= _loaded_settings([ast.parse(module_path.read_text(encoding="utf-8"))])
    return loaded
