"""Golden samples: each ``samples/NAME.eml`` has ``samples/NAME.json``, the expected ``TaskDraft.to_dict()``.

After a deliberate change of behaviour, rewrite them with ``python -m tests.unit.conversion.golden`` and
review the diff: the JSON files are the specification of what each sample must become.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from mail2task.conversion import convert

SAMPLES = Path(__file__).parent / "samples"


def sample_paths() -> list[Path]:
    return sorted(SAMPLES.glob("*.eml"))


def expected(eml: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(eml.with_suffix(".json").read_text(encoding="utf-8"))
    return loaded


def actual(eml: Path) -> dict[str, Any]:
    return convert(eml.read_bytes()).to_dict()


def write_all() -> int:
    for eml in sample_paths():
        text = json.dumps(actual(eml), ensure_ascii=False, indent=2) + "\n"
        eml.with_suffix(".json").write_text(text, encoding="utf-8")
        print(f"wrote {eml.with_suffix('.json').name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(write_all())
