"""CKV_M2T_2: secrets reach functions only as secret environment variables, never as plain ones."""

from __future__ import annotations

import re
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

SECRET_NAME = re.compile(r"SECRET|PASSWORD|PRIVATE|CREDENTIAL|TOKEN|(^|_)KEY($|_)", re.IGNORECASE)


def _literal_maps(value: Any) -> list[dict[str, Any]]:
    """The literal maps in a checkov attribute value (expressions stay strings and carry no keys)."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item for element in value for item in _literal_maps(element)]
    return []


def _first(conf: dict[str, Any], key: str) -> dict[str, Any]:
    value = conf.get(key)
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return value[0]
    return {}


class SecretsOnlyAsSecretEnvironmentVariables(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Function secrets come only from Secret Manager (secret_environment_variables)",
            id="CKV_M2T_2",
            categories=[CheckCategories.SECRETS],
            supported_resources=["google_cloudfunctions2_function"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        service = _first(conf, "service_config")
        build = _first(conf, "build_config")
        for block in (service, build):
            for variables in _literal_maps(block.get("environment_variables")):
                if any(SECRET_NAME.search(str(name)) for name in variables):
                    return CheckResult.FAILED
        for secret in _literal_maps(service.get("secret_environment_variables")):
            if not secret.get("secret") or not secret.get("version"):
                return CheckResult.FAILED
        return CheckResult.PASSED


check = SecretsOnlyAsSecretEnvironmentVariables()
