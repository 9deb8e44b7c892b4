"""The deployment descriptor and `mail2task deployment`."""

from __future__ import annotations

import json

import pytest

from mail2task.addon.deployment import FunctionUrls, addon_audiences, descriptor, trigger_url, with_query
from mail2task.cli import main

BASE = "https://europe-west1-acme.cloudfunctions.net"


def test_descriptor_names_minimal_scopes_triggers_and_http_options() -> None:
    built = descriptor(FunctionUrls.from_base(BASE + "/"))
    assert built["oauthScopes"] == [
        "https://www.googleapis.com/auth/gmail.addons.execute",
        "https://www.googleapis.com/auth/gmail.addons.current.message.readonly",
        "https://www.googleapis.com/auth/userinfo.email",
    ]
    add_ons = built["addOns"]
    assert add_ons["common"]["homepageTrigger"]["runFunction"] == f"{BASE}/addon?trigger=homepage"
    assert add_ons["gmail"]["contextualTriggers"] == [
        {"unconditional": {}, "onTriggerFunction": f"{BASE}/addon?trigger=contextual"}
    ]
    assert add_ons["httpOptions"] == {
        "authorizationHeader": "SYSTEM_ID_TOKEN",
        "granularOauthPermissionSupport": "OPT_IN",
    }
    assert add_ons["common"]["logoUrl"].startswith("https://")
    assert not add_ons["common"]["logoUrl"].endswith(".svg")


def test_every_trigger_url_is_an_accepted_audience() -> None:
    urls = FunctionUrls.from_base(BASE)
    built = descriptor(urls)
    deployed = [built["addOns"]["common"]["homepageTrigger"]["runFunction"]]
    deployed += [t["onTriggerFunction"] for t in built["addOns"]["gmail"]["contextualTriggers"]]
    assert set(deployed) <= set(addon_audiences(urls.addon))
    assert urls.addon in addon_audiences(urls.addon)


def test_query_strings_are_appended_properly() -> None:
    assert with_query("https://x.test/f?a=1", b="2") == "https://x.test/f?a=1&b=2"
    assert trigger_url("https://x.test/f", "homepage") == "https://x.test/f?trigger=homepage"


def test_cli_prints_the_descriptor(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deployment", "--base-url", BASE]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == descriptor(FunctionUrls.from_base(BASE))


@pytest.mark.parametrize("base", ["http://example.com", "https://x.test/?a=b", "ftp://x.test", "https:///"])
def test_cli_refuses_bad_base_urls(base: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deployment", "--base-url", base]) == 2
    assert "--base-url" in capsys.readouterr().err


def test_cli_accepts_the_local_stack() -> None:
    assert main(["deployment", "--base-url", "http://127.0.0.1:8080"]) == 0
