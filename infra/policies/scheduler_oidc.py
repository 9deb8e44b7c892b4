"""CKV_M2T_3: scheduler HTTP jobs send an OIDC token (account, audience), set a deadline and retry."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


def _block(conf: dict[str, Any], key: str) -> dict[str, Any]:
    value = conf.get(key)
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return value[0]
    return {}


def _set(block: dict[str, Any], key: str) -> bool:
    value = block.get(key)
    while isinstance(value, list) and value:
        value = value[0]
    return value not in (None, "", [], {})


class SchedulerJobsUseOidcDeadlinesAndRetries(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Scheduler HTTP jobs send an OIDC token (account, audience), set a deadline and retry",
            id="CKV_M2T_3",
            categories=[CheckCategories.IAM],
            supported_resources=["google_cloud_scheduler_job"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        target = _block(conf, "http_target")
        if not target:
            return CheckResult.PASSED
        token = _block(target, "oidc_token")
        checks = (
            _set(token, "service_account_email"),
            _set(token, "audience"),
            _set(conf, "attempt_deadline"),
            _set(_block(conf, "retry_config"), "retry_count"),
        )
        return CheckResult.PASSED if all(checks) else CheckResult.FAILED


check = SchedulerJobsUseOidcDeadlinesAndRetries()
