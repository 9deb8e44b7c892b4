"""Emulator tier: every test gets an empty Firestore database on the session's emulator."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _empty_firestore(firestore: object) -> object:
    return firestore
