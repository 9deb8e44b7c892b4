"""The emulator fixture gives each test an empty database."""

from __future__ import annotations

from typing import Any


def test_write_then_read(firestore: Any) -> None:
    firestore.collection("probe").document("a").set({"n": 1})
    assert firestore.collection("probe").document("a").get().to_dict() == {"n": 1}


def test_database_starts_empty(firestore: Any) -> None:
    assert list(firestore.collection("probe").stream()) == []
