"""`make run`: the product on 127.0.0.1: Firestore emulator, API stand-ins, every function, the preview.

Services start in order, each adding the environment variables the functions need to find it, and stop in
reverse order (the emulator by process group). Adding a stand-in means adding one entry to
:func:`default_services`. Run ``python -m mail2task.local.stack --help`` for the options.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from mail2task.local.devkey import DevSigner
from mail2task.local.environment import PROJECT, base_environment
from mail2task.local.servers import PortInUse
from mail2task.local.services import (
    DirectoryService,
    FirestoreService,
    FunctionsService,
    GmailService,
    LicensingService,
    OAuthService,
    PreviewService,
    Service,
)

DEFAULT_PREVIEW_PORT = 8080
log = logging.getLogger("mail2task.local")


@dataclass
class StackOptions:
    preview_port: int = DEFAULT_PREVIEW_PORT
    functions_port: int = 0
    emulator_host: str | None = None  # reuse a running Firestore emulator instead of starting one
    samples: Path | None = None
    hex_ids: bool = False  # events carry API hex ids instead of Gmail's msg-f:/thread-f: ids


def default_services(options: StackOptions) -> list[Service]:
    """The stack, in start order. Fixed ports are bound here, before anything starts."""
    signer = DevSigner()
    gmail = GmailService(options.samples)
    functions = FunctionsService(options.functions_port)
    try:
        preview = PreviewService(options.preview_port, signer, gmail, functions, hex_ids=options.hex_ids)
    except PortInUse:
        functions.stop()
        gmail.stop()
        raise
    oauth = OAuthService(signer, redirect_url=f"{functions.server.url}/oauth")
    return [
        FirestoreService(options.emulator_host, PROJECT),
        gmail,
        oauth,
        DirectoryService(oauth),
        LicensingService(),
        functions,
        preview,
    ]


class LocalStack:
    """Starts the services, applies their environment to this process, stops them in reverse."""

    def __init__(self, services: Sequence[Service]) -> None:
        self.services = list(services)
        self.started: list[Service] = []
        self.env = base_environment()

    def start(self) -> LocalStack:
        os.environ.update(self.env)
        try:
            for service in self.services:
                added = service.start(dict(self.env))
                self.started.append(service)
                self.env.update(added)
                os.environ.update(added)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        while self.started:
            service = self.started.pop()
            try:
                service.stop()
            except Exception:  # keep stopping the rest; the emulator must not outlive us
                log.exception("stopping %s failed", service.name)

    def banner(self) -> str:
        lines = ["", "mail2task local stack (127.0.0.1 only, MAIL2TASK_PROFILE=local)"]
        for service in self.started:
            lines += [f"  {line}" for line in service.lines()]
        preview = next((s for s in self.started if isinstance(s, PreviewService)), None)
        if preview is not None:
            lines += ["", f"Open {preview.server.url} to try the add-on. Ready. Press Ctrl-C to stop.", ""]
        return "\n".join(lines)


def _parse(argv: Sequence[str] | None) -> StackOptions:
    parser = argparse.ArgumentParser(prog="python -m mail2task.local.stack", description=__doc__)
    parser.add_argument("--preview-port", type=int, default=DEFAULT_PREVIEW_PORT, help="0 picks a free port")
    parser.add_argument("--functions-port", type=int, default=0, help="default: a free port")
    parser.add_argument("--firestore-emulator-host", help="use this running emulator (HOST:PORT)")
    parser.add_argument("--samples", type=Path, help="folder of .eml files for the Gmail stand-in")
    parser.add_argument("--hex-ids", action="store_true", help="send API hex ids instead of msg-f: ids")
    args = parser.parse_args(argv)
    return StackOptions(
        args.preview_port, args.functions_port, args.firestore_emulator_host, args.samples, args.hex_ids
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Start everything, print the banner, wait for Ctrl-C (or SIGTERM), stop everything."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    options = _parse(argv)
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        stack = LocalStack(default_services(options))
    except PortInUse as error:
        print(f"mail2task: {error}", file=sys.stderr)
        return 1
    print("Starting the Firestore emulator and the functions...", flush=True)
    try:
        stack.start()
    except (PortInUse, RuntimeError) as error:  # e.g. the emulator did not start: say why, no traceback
        print(f"mail2task: {error}", file=sys.stderr)
        return 1
    try:
        print(stack.banner(), flush=True)
        stopping.wait()
    finally:
        print("Stopping...", flush=True)
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
