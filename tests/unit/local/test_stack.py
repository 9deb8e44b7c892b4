"""The local stack: environment complete for every function, ordered start/stop, clear port errors."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from mail2task import config
from mail2task.local.environment import base_environment, function_environment
from mail2task.local.functions_server import FUNCTIONS, function_urls
from mail2task.local.stack import LocalStack


def test_the_local_environment_satisfies_every_functions_settings() -> None:
    env = base_environment()
    env |= function_environment(function_urls("http://127.0.0.1:9001"), "http://127.0.0.1:8080")
    env |= {
        "FIRESTORE_EMULATOR_HOST": "127.0.0.1:9002",
        "GOOGLE_CERTS_URL": "http://127.0.0.1:8080/certs",
        "GMAIL_API_ENDPOINT": "http://127.0.0.1:9003",
    }
    assert set(config.FUNCTION_SETTINGS) == set(FUNCTIONS)
    for classes in config.FUNCTION_SETTINGS.values():
        for cls in classes:
            config.load(cls, env)  # raises ConfigError naming any variable the stack forgot
    assert env["MAIL2TASK_PROFILE"] == "local"
    assert env["ADDON_URL"] == "http://127.0.0.1:9001/addon"
    assert base_environment()["TOKEN_ENCRYPTION_KEY"] != env["TOKEN_ENCRYPTION_KEY"]  # fresh key per run


class Recorder:
    def __init__(self, name: str, log: list[str], fail: bool = False) -> None:
        self.name, self.log, self.fail = name, log, fail

    def start(self, env: dict[str, str]) -> dict[str, str]:
        if self.fail:
            raise RuntimeError(f"{self.name} failed")
        self.log.append(f"start {self.name} seeing {sorted(k for k in env if k.startswith('T_'))}")
        return {f"T_{self.name.upper()}": "1"}

    def stop(self) -> None:
        self.log.append(f"stop {self.name}")

    def lines(self) -> list[str]:
        return [self.name]


def test_services_start_in_order_with_the_environment_so_far_and_stop_in_reverse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    log: list[str] = []
    stack = LocalStack([Recorder("a", log), Recorder("b", log)])
    monkeypatch.setattr("os.environ", dict(stack.env))  # the stack writes the process environment
    stack.start()
    assert "  a\n  b" in stack.banner()
    stack.stop()
    assert log == ["start a seeing []", "start b seeing ['T_A']", "stop b", "stop a"]


def test_a_failing_service_stops_the_ones_already_started(monkeypatch: pytest.MonkeyPatch) -> None:
    log: list[str] = []
    stack = LocalStack([Recorder("a", log), Recorder("b", log, fail=True), Recorder("c", log)])
    monkeypatch.setattr("os.environ", dict(stack.env))
    with pytest.raises(RuntimeError, match="b failed"):
        stack.start()
    assert log == ["start a seeing []", "stop a"]


def test_a_taken_preview_port_fails_fast_with_a_clear_message() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "mail2task.local.stack", "--preview-port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use, so the preview cannot start there" in result.stderr
    assert "Traceback" not in result.stderr
    assert "Firestore" not in result.stdout  # nothing was started
