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
ATTACHMENTS = "attachments"  # under each task: copies of the message attachments it was made with
THREADS = "threads"
MESSAGES = "messages"  # under each tenant: sha256(RFC 822 Message-ID) -> the task the message belongs to
USERS = "users"
TOKENS = "tokens"
OAUTH_STATES = "oauth_states"
RUNS = "runs"
RISC_EVENTS = "risc_events"
REFRESH_LEASES = "refresh_leases"

# Every query shape that needs a composite index:
# (collection group, ((field, "ASCENDING"|"DESCENDING"), ...)).
# tests/infra checks that infra/firestore.tf declares exactly these indexes.
COMPOSITE_INDEXES: list[tuple[str, tuple[tuple[str, str], ...]]] = []
# oauth refresh job: due tokens of one partition (status ==, partition ==, refreshDueAt <=, ordered).
COMPOSITE_INDEXES.append(
    (TOKENS, (("status", "ASCENDING"), ("partition", "ASCENDING"), ("refreshDueAt", "ASCENDING")))
)
# add-on homepage: a user's tasks, newest first (assigned to me / created by me).
COMPOSITE_INDEXES.append((TASKS, (("assigneeSub", "ASCENDING"), ("createdAt", "DESCENDING"))))
COMPOSITE_INDEXES.append((TASKS, (("creatorSub", "ASCENDING"), ("createdAt", "DESCENDING"))))
# tenancy: members who may use the app (assignee picker), ordered by email.
COMPOSITE_INDEXES.append((MEMBERS, (("access", "ASCENDING"), ("email", "ASCENDING"))))

# tenancy offboarding: collection groups whose documents get `expiresAt` when their tenant is uninstalled
# (Firestore TTL deletes them after the retention period); infra/firestore.tf needs a TTL policy for each.
TENANT_TTL_COLLECTION_GROUPS = (
    TASKS,
    COMMENTS,
    ATTACHMENTS,
    THREADS,
    MESSAGES,
    MEMBERS,
    "notifications",
    "audit",
    USERS,
)


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
