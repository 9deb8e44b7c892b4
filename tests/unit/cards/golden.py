"""Golden-JSON comparison: a card must equal its fixture; ``UPDATE_GOLDEN=1`` rewrites the fixtures."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).with_name("fixtures")


def assert_golden(name: str, value: Any) -> None:
    path = FIXTURES / f"{name}.json"
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden fixture {path.name}; run with UPDATE_GOLDEN=1 and review it"
    assert json.loads(text) == json.loads(path.read_text(encoding="utf-8")), (
        f"{name} differs from {path.name}"
    )
