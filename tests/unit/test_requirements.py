"""The bundle's requirements.txt pins the runtime dependencies of pyproject.toml and all they pull in."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tests.support.requirements import canonical, direct_requirements, render

ROOT = Path(__file__).resolve().parents[2]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _declared() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return list(project["dependencies"]) + list(project["optional-dependencies"]["dev"])


def test_requirements_txt_is_the_runtime_closure() -> None:
    bundled = (ROOT / "functions" / "requirements.txt").read_text()
    assert bundled == render(), "functions/requirements.txt is stale: run scripts/lock"


def test_requirements_txt_starts_with_the_declared_dependencies() -> None:
    bundled = _lines((ROOT / "functions" / "requirements.txt").read_text())
    direct = sorted(direct_requirements(), key=canonical)
    assert bundled[: len(direct)] == direct


def test_every_dependency_is_pinned_exactly() -> None:
    for requirement in _declared() + _lines((ROOT / "functions" / "requirements.txt").read_text()):
        assert "==" in requirement, f"{requirement} is not pinned"


def test_constraints_pin_every_requirement_alike() -> None:
    constraints = {
        canonical(line.split("==")[0]): line.split("==")[1]
        for line in _lines((ROOT / "constraints.txt").read_text())
    }
    for requirement in _declared() + _lines((ROOT / "functions" / "requirements.txt").read_text()):
        name, version = requirement.split("==")
        assert constraints.get(canonical(name)) == version, requirement
