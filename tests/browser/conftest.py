"""Browser tier: `make run`'s stack as a subprocess on free loopback ports, and headless Debian Chromium.

The stack reuses the session's Firestore emulator (cleared first) and is stopped by process group.
Chromium is Debian's (/usr/bin/chromium), driven by Playwright; no browser is ever downloaded.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mail2task.local.emulator import FirestoreEmulator, free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
READY = "Ready. Press Ctrl-C to stop."
START_TIMEOUT = 120.0


@dataclass
class RunningStack:
    """`python -m mail2task.local.stack` running in its own process group."""

    process: subprocess.Popen[bytes]
    log: Path
    preview_url: str
    functions_url: str
    emulator: FirestoreEmulator

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> int:
        """Ctrl-C to the whole group (what a terminal sends), then SIGKILL if it does not exit."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            raise


def start_stack(emulator: FirestoreEmulator, log: Path) -> RunningStack:
    emulator.clear()
    port = free_port()
    command = [sys.executable, "-m", "mail2task.local.stack", "--preview-port", str(port),
               "--firestore-emulator-host", emulator.host]  # fmt: skip
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + START_TIMEOUT
    while READY not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
            raise AssertionError(f"the local stack did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)
    text = log.read_text(errors="replace")
    preview = re.search(r"Preview\s+(http://127\.0\.0\.1:\d+)", text)
    functions = re.search(r"function addon\s+(http://127\.0\.0\.1:\d+)/addon", text)
    assert preview, text
    assert functions, text
    assert preview.group(1) == f"http://127.0.0.1:{port}"
    return RunningStack(process, log, preview.group(1), functions.group(1), emulator)


@pytest.fixture(scope="module")
def stack(
    firestore_emulator: FirestoreEmulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningStack]:
    running = start_stack(firestore_emulator, tmp_path_factory.mktemp("stack") / "stack.log")
    try:
        yield running
    finally:
        status = running.stop()
    assert status == 0, running.output()  # Ctrl-C is a clean stop
    assert "Stopping..." in running.output()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            "Debian's chromium is not installed: run scripts/ensure-chromium (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
