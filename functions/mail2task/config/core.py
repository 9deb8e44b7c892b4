"""Settings every function reads, and the limits of message-to-task conversion."""

from __future__ import annotations

from dataclasses import dataclass

from mail2task.config.base import Profiled, env


@dataclass(frozen=True)
class CoreSettings(Profiled):
    """Settings every function reads."""

    project: str = env("GOOGLE_CLOUD_PROJECT", "Google Cloud project id (Firestore, Secret Manager).")
    firestore_database: str = env("FIRESTORE_DATABASE", "Firestore database id.", default="(default)")


@dataclass(frozen=True)
class ConversionSettings:
    """Limits of message-to-task conversion."""

    max_message_bytes: int = env(
        "MAX_MESSAGE_BYTES", "Largest raw message converted, in bytes.", default=25 * 1024 * 1024
    )
