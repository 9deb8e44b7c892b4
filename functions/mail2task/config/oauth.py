"""OAuth settings: the web client, consent, the token vault and its keys, the refresh job, RISC events."""

from __future__ import annotations

from dataclasses import dataclass

from mail2task.config.base import GOOGLE_CERTS_DEFAULT, Profiled, check_google_endpoints, env
from mail2task.errors import ConfigError

GOOGLE_AUTH_URL_DEFAULT = "https://accounts.google.com/o/oauth2/v2/auth"
GOOGLE_TOKEN_URL_DEFAULT = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL, not a secret
GOOGLE_REVOKE_URL_DEFAULT = "https://oauth2.googleapis.com/revoke"
RISC_CONFIG_URL_DEFAULT = "https://accounts.google.com/.well-known/risc-configuration"


@dataclass(frozen=True)
class OAuthClientSettings(Profiled):
    """The web OAuth client that holds users' offline grants, and Google's token endpoints."""

    client_id: str = env("OAUTH_CLIENT_ID", "Web OAuth client id used for offline consent.")
    client_secret: str = env(
        "OAUTH_CLIENT_SECRET", "That client's secret (Secret Manager, mounted).", secret=True
    )
    token_url: str = env(
        "OAUTH_TOKEN_URL", "Google's token endpoint (local profile only).", default=GOOGLE_TOKEN_URL_DEFAULT
    )
    revoke_url: str = env(
        "OAUTH_REVOKE_URL", "Google's revoke endpoint (local only).", default=GOOGLE_REVOKE_URL_DEFAULT
    )
    google_certs_url: str = env(
        "GOOGLE_CERTS_URL",
        "Google's ID-token certificates; overriding it is refused outside the `local` profile.",
        default=GOOGLE_CERTS_DEFAULT,
    )
    http_timeout_seconds: float = env(
        "OAUTH_HTTP_TIMEOUT_SECONDS", "Timeout of each call to Google's token/revoke endpoints.", default=10.0
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0 < self.http_timeout_seconds <= 60:
            raise ConfigError("environment variable OAUTH_HTTP_TIMEOUT_SECONDS must be in (0, 60]")
        check_google_endpoints(
            self.profile,
            (
                ("OAUTH_TOKEN_URL", self.token_url, GOOGLE_TOKEN_URL_DEFAULT),
                ("OAUTH_REVOKE_URL", self.revoke_url, GOOGLE_REVOKE_URL_DEFAULT),
                ("GOOGLE_CERTS_URL", self.google_certs_url, GOOGLE_CERTS_DEFAULT),
            ),
        )


@dataclass(frozen=True)
class ConsentSettings(Profiled):
    """The consent flow: where Google sends the browser back, where it may go next, how long a start lives."""

    redirect_url: str = env("OAUTH_REDIRECT_URL", "Registered redirect URI: the `oauth` function's URL.")
    auth_url: str = env(
        "OAUTH_AUTH_URL", "Google's consent endpoint (local profile only).", default=GOOGLE_AUTH_URL_DEFAULT
    )
    return_targets: tuple[str, ...] = env(
        "OAUTH_RETURN_TARGETS",
        "Comma-separated exact URLs the consent page may send the browser to afterwards.",
        default=(),
    )
    state_ttl_seconds: int = env(
        "OAUTH_STATE_TTL_SECONDS", "Lifetime of a consent start (state + PKCE verifier).", default=600
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 60 <= self.state_ttl_seconds <= 3600:
            raise ConfigError("environment variable OAUTH_STATE_TTL_SECONDS must be 60..3600")
        check_google_endpoints(self.profile, (("OAUTH_AUTH_URL", self.auth_url, GOOGLE_AUTH_URL_DEFAULT),))
        if self.profile != "local":
            for name, url in [("OAUTH_REDIRECT_URL", self.redirect_url)] + [
                ("OAUTH_RETURN_TARGETS", target) for target in self.return_targets
            ]:
                if not url.startswith("https://"):
                    raise ConfigError(f"environment variable {name} must hold https URLs")


@dataclass(frozen=True)
class VaultSettings:
    """The current token-encryption key, mounted from Secret Manager with its version number."""

    key: str = env(
        "TOKEN_ENCRYPTION_KEY",
        "Current token-encryption key: base64 of 32 random bytes (Secret Manager, mounted).",
        secret=True,
    )
    key_version: str = env(
        "TOKEN_ENCRYPTION_KEY_VERSION",
        "Secret Manager version number of the mounted key (the pinned version); stored with each record.",
    )


@dataclass(frozen=True)
class SecretManagerSettings:
    """Where older token-encryption key versions are fetched from when a record needs one."""

    key_secret: str = env(
        "TOKEN_ENCRYPTION_KEY_SECRET",
        "Secret Manager secret id holding the token-encryption key versions.",
        default="mail2task-token-key",
    )
    host: str = env(
        "MAIL2TASK_SECRET_MANAGER_HOST",
        "Loopback host:port of a plaintext Secret Manager stand-in (tests, local stack); empty = Google.",
        default="",
    )

    def __post_init__(self) -> None:
        if self.host and not self.host.startswith(("127.0.0.1:", "localhost:", "[::1]:")):
            raise ConfigError("environment variable MAIL2TASK_SECRET_MANAGER_HOST must be loopback host:port")


@dataclass(frozen=True)
class RefreshSettings:
    """The scheduled refresh job: who may call it, what it picks, how hard and how long it works."""

    refresh_url: str = env("REFRESH_URL", "Public URL of the `refresh` function (scheduler token audience).")
    scheduler_service_account: str = env(
        "SCHEDULER_SERVICE_ACCOUNT", "Service account Cloud Scheduler signs its OIDC token as."
    )
    window_seconds: int = env(
        "REFRESH_WINDOW_SECONDS",
        "Refresh active users' access tokens expiring within this window (> the schedule interval).",
        default=1200,
    )
    active_days: int = env(
        "REFRESH_ACTIVE_DAYS", "A grant used by background work within so many days is kept warm.", default=7
    )
    idle_days: int = env(
        "REFRESH_IDLE_DAYS",
        "Exercise every grant at least this often (Google expires refresh tokens unused for six months).",
        default=7,
    )
    time_budget_seconds: float = env(
        "REFRESH_TIME_BUDGET_SECONDS",
        "Stop starting new refreshes after this long (below the function timeout); the rest waits a run.",
        default=240.0,
    )
    concurrency: int = env(
        "REFRESH_CONCURRENCY", "Refreshes in flight at once (threads mostly waiting on Google).", default=64
    )
    page_size: int = env("REFRESH_PAGE_SIZE", "Due tokens read per query page.", default=200)

    def __post_init__(self) -> None:
        for name, value, low, high in (
            ("REFRESH_WINDOW_SECONDS", self.window_seconds, 60, 3000),
            ("REFRESH_ACTIVE_DAYS", self.active_days, 1, 90),
            ("REFRESH_IDLE_DAYS", self.idle_days, 1, 90),
            ("REFRESH_TIME_BUDGET_SECONDS", self.time_budget_seconds, 1, 3300),
            ("REFRESH_CONCURRENCY", self.concurrency, 1, 256),
            ("REFRESH_PAGE_SIZE", self.page_size, 1, 500),
        ):
            if not low <= value <= high:
                raise ConfigError(f"environment variable {name} must be {low}..{high}")


@dataclass(frozen=True)
class RiscSettings(Profiled):
    """Cross-Account Protection: whose events we accept and where Google describes its signing keys."""

    client_id: str = env("OAUTH_CLIENT_ID", "Web OAuth client id used for offline consent.")
    extra_client_ids: tuple[str, ...] = env(
        "RISC_EXTRA_CLIENT_IDS",
        "Further OAuth client ids (e.g. the add-on's) whose security events are accepted, comma-separated.",
        default=(),
    )
    config_url: str = env(
        "RISC_CONFIG_URL",
        "Google's RISC configuration document (issuer, jwks_uri); local profile only.",
        default=RISC_CONFIG_URL_DEFAULT,
    )

    @property
    def audiences(self) -> tuple[str, ...]:
        return (self.client_id, *self.extra_client_ids)

    def __post_init__(self) -> None:
        super().__post_init__()
        check_google_endpoints(self.profile, (("RISC_CONFIG_URL", self.config_url, RISC_CONFIG_URL_DEFAULT),))
