"""Tenancy settings: Marketplace licensing, who may use the app, notifications and offboarding."""

from __future__ import annotations

from dataclasses import dataclass

from mail2task.config.base import Profiled, env, googleapis_url
from mail2task.errors import ConfigError

LICENSING_API_DEFAULT = "https://appsmarket.googleapis.com"
DIRECTORY_API_DEFAULT = "https://admin.googleapis.com"


@dataclass(frozen=True)
class TenancySettings(Profiled):
    """Marketplace licensing, who may use the app, notifications and offboarding."""

    marketplace_app_id: str = env(
        "MARKETPLACE_APP_ID",
        "Marketplace App ID (Marketplace SDK); empty = private deployment, no license checks.",
        default="",
    )
    licensing_api_endpoint: str = env(
        "LICENSING_API_ENDPOINT", "Marketplace Licensing API root.", default=LICENSING_API_DEFAULT
    )
    directory_api_endpoint: str = env(
        "DIRECTORY_API_ENDPOINT", "Admin SDK Directory API root.", default=DIRECTORY_API_DEFAULT
    )
    license_cache_seconds: int = env(
        "LICENSE_CACHE_SECONDS", "How long a license answer is trusted before asking again.", default=3600
    )
    license_retry_seconds: int = env(
        "LICENSE_RETRY_SECONDS",
        "After the Licensing API failed, wait this long before asking again (last known state is used).",
        default=300,
    )
    retention_days: int = env(
        "TENANT_RETENTION_DAYS", "Days an uninstalled tenant's tasks are kept before deletion.", default=30
    )
    last_seen_interval_seconds: int = env(
        "LAST_SEEN_INTERVAL_SECONDS",
        "A member's lastSeen is written at most once per this many seconds.",
        default=900,
    )
    start_url: str = env(
        "START_URL",
        "Link in the 'you were added' email where people start.",
        default="https://mail.google.com/",
    )
    app_name: str = env("APP_NAME", "Product name shown on cards and in emails.", default="mail2task")
    sweep_service_account: str = env(
        "SWEEP_SERVICE_ACCOUNT",
        "Service account whose OIDC token Cloud Scheduler sends to `install?job=sweep`; empty = no sweep.",
        default="",
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        for name, value in (
            ("LICENSE_CACHE_SECONDS", self.license_cache_seconds),
            ("LICENSE_RETRY_SECONDS", self.license_retry_seconds),
            ("TENANT_RETENTION_DAYS", self.retention_days),
            ("LAST_SEEN_INTERVAL_SECONDS", self.last_seen_interval_seconds),
        ):
            if value < 1:
                raise ConfigError(f"environment variable {name} must be a positive integer")
        if self.is_local:
            return
        googleapis_url("LICENSING_API_ENDPOINT", self.licensing_api_endpoint)
        googleapis_url("DIRECTORY_API_ENDPOINT", self.directory_api_endpoint)
