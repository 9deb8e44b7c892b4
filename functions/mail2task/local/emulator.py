"""Start and stop the Firestore emulator on a free loopback port, as one process group."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

READY_LINE = "Dev App Server is now running"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class FirestoreEmulator:
    """A running emulator; ``host`` is what FIRESTORE_EMULATOR_HOST takes."""

    host: str
    project: str
    process: subprocess.Popen[bytes]

    def clear(self) -> None:
        """Delete every document of the project's (default) database."""
        url = f"http://{self.host}/emulator/v1/projects/{self.project}/databases/(default)/documents"
        request = urllib.request.Request(url, method="DELETE")
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()

    def stop(self) -> None:
        """Stop the launcher and its Java child together."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        # The launcher may exit before its JVM does; make sure the group is gone.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.process.stdout is not None:
            self.process.stdout.close()


def start_emulator(project: str = "demo-mail2task", timeout: float = 90.0) -> FirestoreEmulator:
    """Start the emulator in its own process group and wait until it serves."""
    port = free_port()
    host = f"127.0.0.1:{port}"
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed when the reader thread ends
    process = subprocess.Popen(
        [
            "gcloud",
            "emulators",
            "firestore",
            "start",
            f"--host-port={host}",
            f"--project={project}",
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    emulator = FirestoreEmulator(host=host, project=project, process=process)
    ready = threading.Event()

    def watch() -> None:
        assert process.stdout is not None
        for line in iter(process.stdout.readline, b""):
            log.write(line)
            if READY_LINE.encode() in line:
                ready.set()
        log.close()

    threading.Thread(target=watch, name="firestore-emulator-log", daemon=True).start()
    deadline = time.monotonic() + timeout
    while not ready.wait(0.2):
        if process.poll() is not None or time.monotonic() > deadline:
            emulator.stop()
            raise RuntimeError(
                "the Firestore emulator did not start; "
                "run `gcloud emulators firestore start` by hand to see why"
            )
    return emulator


@contextlib.contextmanager
def running_emulator(project: str = "demo-mail2task") -> Iterator[FirestoreEmulator]:
    """Context manager form of :func:`start_emulator`."""
    emulator = start_emulator(project)
    try:
        yield emulator
    finally:
        emulator.stop()
