"""Fixtures shared by every tier: environment isolation and the Firestore emulator."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from mail2task.local.emulator import FirestoreEmulator, start_emulator

PROJECT = "demo-mail2task"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts from the same settings, whatever the machine's environment holds."""
    for name in list(os.environ):
        if name.startswith(("MAIL2TASK_", "ADDON_", "OAUTH_", "TOKEN_", "GOOGLE_", "FIRESTORE_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", PROJECT)
    monkeypatch.setenv("MAIL2TASK_PROFILE", "production")


@pytest.fixture(scope="session")
def firestore_emulator() -> Iterator[FirestoreEmulator]:
    """One emulator for the session, on a free loopback port, stopped by process group."""
    emulator = start_emulator(PROJECT)
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def firestore(firestore_emulator: FirestoreEmulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """A Firestore client bound to the emulator, with an empty database."""
    from mail2task import store

    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", firestore_emulator.host)
    firestore_emulator.clear()
    store.reset_clients()
    yield store.firestore_client()
    store.reset_clients()
