"""`make bench`: run every tests/bench/bench_*.py module and print one table.

Each module exposes ``run(ctx: BenchContext) -> list[Row]``. Numbers are medians or ratios measured side
by side in this run; the machine is shared and noisy, so compare within a run, not across runs.
Run one module: ``python -m tests.bench conversion``.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack

from tests.bench.common import BenchContext, Row


def _modules(selected: list[str]) -> Iterator[str]:
    package_dir = os.path.dirname(__file__)
    for info in sorted(pkgutil.iter_modules([package_dir]), key=lambda m: m.name):
        if not info.name.startswith("bench_"):
            continue
        if selected and info.name.removeprefix("bench_") not in selected:
            continue
        yield f"tests.bench.{info.name}"


def _table(rows: list[Row]) -> str:
    lines = ["| benchmark | metric | value | note |", "|---|---|---|---|"]
    lines += [f"| {r.bench} | {r.metric} | {r.value} | {r.note} |" for r in rows]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    rows: list[Row] = []
    with ExitStack() as stack:
        ctx = BenchContext(stack)
        for name in _modules(argv):
            started = time.perf_counter()
            print(f"running {name} ...", file=sys.stderr, flush=True)
            module = importlib.import_module(name)
            rows.extend(module.run(ctx))
            print(f"  done in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    print(_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
