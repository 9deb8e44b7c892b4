"""checkov (own virtualenv, offline) with the custom policies in infra/policies: zero failed checks on infra/,
every custom policy failing on a deliberately insecure configuration, and a written reason for every skip."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.infra.parsed import INFRA, REPO

CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"
POLICIES = INFRA / "policies"
INSECURE = Path(__file__).parent / "fixtures" / "insecure"
SKIP = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+)(?::(.*))?")
CUSTOM_POLICIES = {"CKV_M2T_1", "CKV_M2T_2", "CKV_M2T_3", "CKV2_M2T_1", "CKV2_M2T_2", "CKV2_M2T_3"}


def _start(directory: Path) -> subprocess.Popen[str]:
    if not CHECKOV.exists():
        pytest.fail(f"{CHECKOV.relative_to(REPO)} is missing: `make test` (or `make infra-tests`) builds it")
    command = [
        str(CHECKOV),
        "-d",
        str(directory),
        "--framework",
        "terraform",
        "--skip-download",
        "--external-checks-dir",
        str(POLICIES),
        "--compact",
        "--quiet",
        "-o",
        "json",
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)


def _report(process: subprocess.Popen[str]) -> dict[str, Any]:
    stdout, stderr = process.communicate(timeout=300)
    assert stdout.strip(), f"checkov printed nothing (exit {process.returncode}):\n{stderr}"
    report = json.loads(stdout)
    reports = report if isinstance(report, list) else [report]
    (terraform,) = [r for r in reports if r.get("check_type") == "terraform"]
    result: dict[str, Any] = terraform
    return result


@pytest.fixture(scope="module")
def checkov_reports() -> dict[str, dict[str, Any]]:
    """One checkov run over infra/ and one over the insecure fixture, side by side."""
    started = time.monotonic()
    processes = {"infra": _start(INFRA), "insecure": _start(INSECURE)}
    reports = {name: _report(process) for name, process in processes.items()}
    print(f"checkov: {time.monotonic() - started:.1f} s for both runs")
    return reports


def test_checkov_finds_no_failed_check_in_infra(checkov_reports: dict[str, dict[str, Any]]) -> None:
    report = checkov_reports["infra"]
    summary = report["summary"]
    failed = [
        f"{check['check_id']} {check['resource']} ({check['file_path']}): {check['check_name']}"
        for check in report["results"].get("failed_checks", [])
    ]
    assert not failed, "checkov failed checks:\n" + "\n".join(failed)
    assert summary["parsing_errors"] == 0
    assert summary["resource_count"] > 20, f"checkov saw too little: {summary}"
    assert summary["passed"] > 20, f"checkov saw too little: {summary}"


def test_every_custom_policy_fails_on_an_insecure_configuration(
    checkov_reports: dict[str, dict[str, Any]],
) -> None:
    failed = {check["check_id"] for check in checkov_reports["insecure"]["results"].get("failed_checks", [])}
    assert failed >= CUSTOM_POLICIES, (
        f"custom policies that missed the insecure fixture: {CUSTOM_POLICIES - failed}"
    )
    declared = {
        match
        for path in POLICIES.iterdir()
        if path.suffix in (".py", ".yaml")
        for match in re.findall(r"\b(CKV2?_M2T_\d+)\b", path.read_text(encoding="utf-8"))
    }
    assert declared == CUSTOM_POLICIES, "keep CUSTOM_POLICIES in step with infra/policies"


def test_every_skipped_check_carries_a_written_reason() -> None:
    skips = 0
    for path in sorted(INFRA.rglob("*.tf")):
        for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = SKIP.search(line)
            if not match:
                continue
            skips += 1
            reason = (match.group(2) or "").strip()
            where = f"{path.relative_to(REPO)}:{line_number}"
            assert len(reason.split()) >= 6, f"{where}: skip of {match.group(1)} needs a written reason"
            assert not match.group(1).startswith(("CKV_M2T", "CKV2_M2T")), (
                f"{where}: custom policies are never skipped"
            )
    assert skips, "expected the documented skips (ingress, bucket logging, CMEK)"
