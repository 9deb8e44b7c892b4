"""The add-on deployment descriptor Terraform renders: the protocol's shape, and the same as the CLI prints.

modules/addon-deployment uses no provider, so real Terraform evaluates it offline here (init + apply of a
throwaway root module in a temporary directory).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.infra.parsed import INFRA, expression, infra

MODULE = INFRA / "modules" / "addon-deployment"
BASE_URL = "https://europe-west1-demo-mail2task.cloudfunctions.net"
# How infra/main.tf names a function: its own run.app URL (https://SERVICE-PROJECT_NUMBER.REGION.run.app).
RUN_APP_ADDON_URL = "https://mail2task-addon-123456789012.europe-west1.run.app"
MINIMAL_SCOPES = {
    "https://www.googleapis.com/auth/gmail.addons.current.message.action",
    "https://www.googleapis.com/auth/gmail.addons.current.message.metadata",
    "https://www.googleapis.com/auth/gmail.addons.current.message.readonly",
    "https://www.googleapis.com/auth/gmail.addons.execute",
    "https://www.googleapis.com/auth/userinfo.email",
}


def _terraform(workdir: Path, *args: str) -> str:
    binary = shutil.which("terraform")
    assert binary, "terraform is required for the infra checks (scripts/check-prereqs terraform says how)"
    environment = {
        **os.environ,
        "CHECKPOINT_DISABLE": "1",
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "TF_DATA_DIR": str(workdir / ".terraform"),
    }
    result = subprocess.run(
        [binary, f"-chdir={workdir}", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"terraform {' '.join(args)} failed:\n{result.stderr}"
    return result.stdout


def render_deployment(workdir: Path, **inputs: Any) -> dict[str, Any]:
    """Apply modules/addon-deployment with ``inputs`` and return its ``json`` output, decoded."""
    arguments = "\n".join(f"  {name} = {json.dumps(value)}" for name, value in inputs.items())
    (workdir / "main.tf").write_text(
        f'module "deployment" {{\n  source = {json.dumps(str(MODULE))}\n{arguments}\n}}\n\n'
        'output "json" {\n  value = module.deployment.json\n}\n',
        encoding="utf-8",
    )
    _terraform(workdir, "init", "-backend=false")
    _terraform(workdir, "apply", "-auto-approve")
    rendered: dict[str, Any] = json.loads(json.loads(_terraform(workdir, "output", "-json", "json")))
    return rendered


def _cli_descriptor(*flags: str) -> dict[str, Any]:
    """What `mail2task deployment FLAGS` prints (``--base-url URL`` or ``--addon-url URL``)."""
    result = subprocess.run(
        [sys.executable, "-m", "mail2task.cli", "deployment", *flags],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"mail2task deployment failed:\n{result.stderr}"
    descriptor: dict[str, Any] = json.loads(result.stdout)
    return descriptor


def test_rendered_descriptor_has_the_protocol_shape(tmp_path: Path) -> None:
    descriptor = render_deployment(tmp_path, addon_url=f"{BASE_URL}/addon")
    assert set(descriptor) == {"oauthScopes", "addOns"}
    add_ons = descriptor["addOns"]
    assert set(add_ons) == {"common", "gmail", "httpOptions"}
    common = add_ons["common"]
    assert set(common) == {"name", "logoUrl", "homepageTrigger", "openLinkUrlPrefixes"}
    assert all(prefix.startswith("https://") for prefix in common["openLinkUrlPrefixes"])
    assert common["name"]
    assert common["logoUrl"].startswith("https://")
    assert common["homepageTrigger"] == {"runFunction": f"{BASE_URL}/addon?trigger=homepage", "enabled": True}
    assert add_ons["gmail"] == {
        "contextualTriggers": [
            {"unconditional": {}, "onTriggerFunction": f"{BASE_URL}/addon?trigger=contextual"}
        ]
    }
    assert add_ons["httpOptions"] == {
        "authorizationHeader": "SYSTEM_ID_TOKEN",
        "granularOauthPermissionSupport": "OPT_IN",
    }
    scopes = descriptor["oauthScopes"]
    assert "https://www.googleapis.com/auth/userinfo.email" in scopes, "needed for the verified userIdToken"
    assert set(scopes) <= MINIMAL_SCOPES, f"scopes beyond the minimal set: {set(scopes) - MINIMAL_SCOPES}"


@pytest.mark.parametrize(
    ("flags", "addon_url"),
    [
        (("--base-url", BASE_URL), f"{BASE_URL}/addon"),
        (("--addon-url", RUN_APP_ADDON_URL), RUN_APP_ADDON_URL),  # the layout Terraform deploys
    ],
    ids=["base-url", "addon-url"],
)
def test_rendered_descriptor_equals_what_the_cli_prints(
    tmp_path: Path, flags: tuple[str, str], addon_url: str
) -> None:
    printed = _cli_descriptor(*flags)
    rendered = render_deployment(tmp_path, addon_url=addon_url)
    assert rendered == printed


def test_listing_overrides_reach_the_descriptor(tmp_path: Path) -> None:
    rendered = render_deployment(
        tmp_path,
        addon_url=f"{BASE_URL}/addon",
        name="Tasks from mail",
        logo_url="https://example.com/logo.png",
    )
    assert rendered["addOns"]["common"]["name"] == "Tasks from mail"
    assert rendered["addOns"]["common"]["logoUrl"] == "https://example.com/logo.png"


def test_root_module_points_both_triggers_at_the_addon_function() -> None:
    module = infra()
    call = module.modules["addon_deployment"]
    assert expression(call["source"]) == "./modules/addon-deployment"
    assert expression(call["addon_url"]) == "local.function_urls.addon"
    assert expression(module.locals["setting_values"]["ADDON_URL"]) == "local.function_urls.addon"
    assert ".run.app" in expression(module.locals["function_urls"]), "RUN_APP_ADDON_URL mirrors this layout"
    assert expression(module.outputs["addon_deployment"]["value"]) == "module.addon_deployment.json"
