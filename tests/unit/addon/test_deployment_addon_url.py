"""`mail2task deployment --addon-url`: the descriptor for a deployment with one URL per function."""

from __future__ import annotations

import json

import pytest

from mail2task.addon.deployment import FunctionUrls, addon_audiences, addon_descriptor, descriptor
from mail2task.cli import main

RUN_APP = "https://mail2task-addon-123456789012.europe-west1.run.app"
BASE = "https://europe-west1-acme.cloudfunctions.net"


def _printed(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    assert main(["deployment", *argv]) == 0
    printed: dict[str, object] = json.loads(capsys.readouterr().out)
    return printed


def test_addon_url_is_used_as_given(capsys: pytest.CaptureFixture[str]) -> None:
    printed = _printed(capsys, "--addon-url", RUN_APP)
    add_ons = printed["addOns"]
    assert isinstance(add_ons, dict)
    homepage = add_ons["common"]["homepageTrigger"]["runFunction"]
    contextual = add_ons["gmail"]["contextualTriggers"][0]["onTriggerFunction"]
    assert (homepage, contextual) == (f"{RUN_APP}?trigger=homepage", f"{RUN_APP}?trigger=contextual")
    assert {homepage, contextual} <= set(addon_audiences(RUN_APP)), "the addon function must accept them"
    assert printed == addon_descriptor(RUN_APP)


def test_base_url_and_addon_url_agree_on_the_same_layout(capsys: pytest.CaptureFixture[str]) -> None:
    by_base = _printed(capsys, "--base-url", BASE)
    by_addon = _printed(capsys, "--addon-url", f"{BASE}/addon")
    assert by_base == by_addon == descriptor(FunctionUrls.from_base(BASE))


@pytest.mark.parametrize(
    "url", ["http://example.com/addon", f"{RUN_APP}?trigger=homepage", f"{RUN_APP}#x", "https:///addon"]
)
def test_bad_addon_urls_are_refused(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deployment", "--addon-url", url]) == 2
    assert "--addon-url" in capsys.readouterr().err


def test_local_addon_url_is_allowed(capsys: pytest.CaptureFixture[str]) -> None:
    _printed(capsys, "--addon-url", "http://127.0.0.1:8080/addon")


@pytest.mark.parametrize("argv", [[], ["--base-url", BASE, "--addon-url", RUN_APP]], ids=["neither", "both"])
def test_exactly_one_url_flag(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["deployment", *argv])
    assert exited.value.code == 2
    assert "--base-url" in capsys.readouterr().err
