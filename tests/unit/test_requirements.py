"""The deploy bundle's requirements.txt pins exactly the runtime dependencies of pyproject.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _requirement_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _declared(pyproject: dict[str, Any]) -> list[str]:
    project = pyproject["project"]
    return list(project["dependencies"]) + list(project["optional-dependencies"]["dev"])


def test_requirements_txt_matches_pyproject() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    declared = sorted(pyproject["project"]["dependencies"])
    bundled = sorted(_requirement_lines((ROOT / "functions" / "requirements.txt").read_text()))
    assert bundled == declared


def test_every_dependency_is_pinned_exactly() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    for requirement in _declared(pyproject):
        assert "==" in requirement, f"{requirement} is not pinned"


def test_constraints_pin_every_declared_dependency() -> None:
    constraints = {
        line.split("==")[0].lower().replace("_", "-"): line
        for line in _requirement_lines((ROOT / "constraints.txt").read_text())
    }
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    for requirement in _declared(pyproject):
        name = requirement.split("==")[0].lower().replace("_", "-")
        assert constraints.get(name, "").lower().replace("_", "-") == requirement.lower().replace("_", "-"), (
            name
        )
