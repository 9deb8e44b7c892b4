"""Firestore client factory (lazy, cached) and collection names."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from google.cloud import firestore

TENANTS = "tenants"
MEMBERS = "members"
TASKS = "tasks"
COMMENTS = "comments"
THREADS = "threads"
USERS = "users"
TOKENS = "tokens"
OAUTH_STATES = "oauth_states"
RUNS = "runs"


@functools.cache
def firestore_client() -> firestore.Client:
    """The process-wide Firestore client (thread-safe; honours FIRESTORE_EMULATOR_HOST)."""
    from google.cloud import firestore

    from mail2task.config import CoreSettings, load

    settings = load(CoreSettings)
    return firestore.Client(project=settings.project, database=settings.firestore_database)


def reset_clients() -> None:
    """Forget cached clients (tests that switch projects or emulators call this)."""
    firestore_client.cache_clear()
