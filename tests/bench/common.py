"""Shared pieces of the benchmarks: result rows, timing helpers, a lazily started emulator."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field

from mail2task.local.emulator import FirestoreEmulator, start_emulator


@dataclass(frozen=True)
class Row:
    bench: str
    metric: str
    value: str
    note: str = ""


@dataclass
class BenchContext:
    stack: ExitStack
    _emulator: FirestoreEmulator | None = field(default=None)

    def emulator(self) -> FirestoreEmulator:
        """The run's Firestore emulator (started on first use); sets FIRESTORE_EMULATOR_HOST."""
        if self._emulator is None:
            self._emulator = start_emulator()
            self.stack.callback(self._emulator.stop)
            os.environ["FIRESTORE_EMULATOR_HOST"] = self._emulator.host
            os.environ.setdefault("GOOGLE_CLOUD_PROJECT", self._emulator.project)
        return self._emulator


def timings(fn: Callable[[], object], repeat: int, warmup: int = 1) -> list[float]:
    """Wall seconds of ``repeat`` calls of ``fn`` after ``warmup`` unmeasured calls."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def median(values: list[float]) -> float:
    return statistics.median(values)


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
