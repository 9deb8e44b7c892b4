"""CKV_M2T_1: only the oauth and risc functions may be invoked by allUsers / allAuthenticatedUsers."""

from __future__ import annotations

import re
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

PUBLIC_PRINCIPALS = ("allUsers", "allAuthenticatedUsers")
PUBLIC_FUNCTIONS = frozenset({"oauth", "risc"})
TARGET_ATTRIBUTES = ("name", "service", "cloud_function")
KEY_PATTERN = re.compile(r"""\[\\?["'](\w+)\\?["']\]|["'](\w+)["']""")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else repr(value)


def _public(conf: dict[str, Any]) -> bool:
    members = _text(conf.get("member")) + _text(conf.get("members"))
    return any(principal in members for principal in PUBLIC_PRINCIPALS)


def _targets(conf: dict[str, Any]) -> set[str]:
    """Function names the grant applies to, as far as they are written literally."""
    target = " ".join(_text(conf.get(attribute)) for attribute in TARGET_ATTRIBUTES if attribute in conf)
    if "each.key" in target or "each.value" in target:
        target = _text(conf.get("for_each"))
    names = {first or second for first, second in KEY_PATTERN.findall(target)}
    return {name.rsplit("-", 1)[-1] for name in names}


class PublicInvokersOnlyOauthAndRisc(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Only the oauth and risc functions may be invoked without authentication",
            id="CKV_M2T_1",
            categories=[CheckCategories.IAM],
            supported_resources=[
                "google_cloud_run_service_iam_binding",
                "google_cloud_run_service_iam_member",
                "google_cloud_run_v2_service_iam_binding",
                "google_cloud_run_v2_service_iam_member",
                "google_cloudfunctions2_function_iam_binding",
                "google_cloudfunctions2_function_iam_member",
                "google_cloudfunctions_function_iam_binding",
                "google_cloudfunctions_function_iam_member",
            ],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if not _public(conf):
            return CheckResult.PASSED
        targets = _targets(conf)
        if targets and targets <= PUBLIC_FUNCTIONS:
            return CheckResult.PASSED
        return CheckResult.FAILED


check = PublicInvokersOnlyOauthAndRisc()
