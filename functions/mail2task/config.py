"""Settings from the environment: frozen dataclasses, one per capability, each field naming its variable.

A function loads only the settings it needs (``load(AddonSettings)``), so each deployed function needs only
its own variables. A missing or malformed variable raises ``ConfigError`` naming it. Every field is listed
in the README's configuration table and wired in Terraform (tests/infra checks the wiring).
"""

from __future__ import annotations

import dataclasses
import os
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from mail2task.errors import ConfigError

T = TypeVar("T")


def env(
    name: str, doc: str, *, default: Any = dataclasses.MISSING, secret: bool = False, kw_only: bool = False
) -> Any:
    """Declare a settings field read from environment variable ``name``."""
    metadata = {"env": name, "doc": doc, "secret": secret}
    if default is dataclasses.MISSING:
        return field(metadata=metadata, repr=not secret, kw_only=kw_only)
    return field(default=default, metadata=metadata, repr=not secret, kw_only=kw_only)


def _convert(name: str, raw: str, kind: Any) -> Any:
    kind_name = kind if isinstance(kind, str) else getattr(kind, "__name__", str(kind))
    try:
        if kind_name in ("int", int):
            return int(raw)
        if kind_name in ("float", float):
            return float(raw)
        if kind_name in ("bool", bool):
            value = raw.strip().lower()
            if value in ("1", "true", "yes", "on"):
                return True
            if value in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(raw)
        if kind_name.startswith("tuple"):
            return tuple(part.strip() for part in raw.split(",") if part.strip())
    except ValueError:
        raise ConfigError(f"environment variable {name} is malformed (expected {kind_name})") from None
    return raw


def load(cls: type[T], environ: Mapping[str, str] | None = None) -> T:
    """Build settings ``cls`` from ``environ`` (default: the process environment)."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        name = f.metadata["env"]
        raw = environ.get(name)
        if raw is None or raw == "":
            if f.default is dataclasses.MISSING:
                raise ConfigError(f"environment variable {name} is not set")
            continue
        values[f.name] = _convert(name, raw, f.type)
    return cls(**values)


def variables(cls: type[Any]) -> list[dict[str, Any]]:
    """The variables ``cls`` reads: name, doc, required, secret (for docs and infra checks)."""
    return [
        {
            "name": f.metadata["env"],
            "doc": f.metadata["doc"],
            "required": f.default is dataclasses.MISSING,
            "secret": f.metadata["secret"],
            "default": None if f.default is dataclasses.MISSING else f.default,
        }
        for f in dataclasses.fields(cls)
    ]


PROFILES = ("production", "local")


@dataclass(frozen=True)
class Profiled:
    """The one declaration of ``MAIL2TASK_PROFILE``, inherited by every settings class whose checks depend
    on it (overrides of Google endpoints are accepted only in the ``local`` profile)."""

    profile: str = env(
        "MAIL2TASK_PROFILE",
        "`production` (default) or `local`; only `local` trusts the development signing key.",
        default="production",
        kw_only=True,
    )

    @property
    def is_local(self) -> bool:
        return self.profile == "local"

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ConfigError("environment variable MAIL2TASK_PROFILE must be 'production' or 'local'")


_HOST_NAME = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)*")
_URL_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f\\?#@]")


def googleapis_url(name: str, url: str) -> None:
    """Refuse (naming ``name``) anything but an https URL on ``googleapis.com`` or one of its subdomains,
    on the default port, without credentials, query or fragment: user tokens are sent there."""
    parts = urllib.parse.urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    host = parts.hostname or ""
    if (
        _URL_FORBIDDEN.search(url)
        or parts.scheme != "https"
        or parts.username is not None
        or parts.password is not None
        or parts.query
        or parts.fragment
        or not _HOST_NAME.fullmatch(host)
        or not (host == "googleapis.com" or host.endswith(".googleapis.com"))
        or port not in (None, 443)
    ):
        raise ConfigError(f"environment variable {name} must be an https googleapis.com URL")


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


GOOGLE_CERTS_DEFAULT = "https://www.googleapis.com/oauth2/v1/certs"
GMAIL_API_DEFAULT = "https://gmail.googleapis.com"


# An attachment copy is one Firestore document: its bytes (stored raw, not base64) plus its record
# (name, type, size, hash) and the document's name must stay under Firestore's 1 MiB document limit.
MAX_ATTACHMENT_BYTES_CAP = 900_000


@dataclass(frozen=True)
class AddonSettings(Profiled):
    """The add-on's public URLs, the identities Google signs requests with, and the Google endpoints used.

    Only the ``local`` profile may point ``GOOGLE_CERTS_URL`` elsewhere (the development key) or send
    user tokens to a Gmail endpoint outside ``googleapis.com``; production configuration refuses both.
    """

    addon_url: str = env("ADDON_URL", "Public URL of the `addon` function (system ID token audience).")
    convert_url: str = env("CONVERT_URL", "Public URL of the `convert` function.")
    install_url: str = env("INSTALL_URL", "Public URL of the `install` function.")
    oauth_url: str = env("OAUTH_URL", "Public URL of the `oauth` function.")
    service_account: str = env(
        "ADDON_SERVICE_ACCOUNT",
        "Add-on service account that signs requests (`gcloud workspace-add-ons get-authorization`).",
    )
    oauth_client_id: str = env(
        "ADDON_OAUTH_CLIENT_ID", "The add-on's OAuth client id: audience of the user's `userIdToken`."
    )
    google_certs_url: str = env(
        "GOOGLE_CERTS_URL",
        "Google's ID-token certificates; overriding it is refused outside the `local` profile.",
        default=GOOGLE_CERTS_DEFAULT,
    )
    gmail_api_endpoint: str = env(
        "GMAIL_API_ENDPOINT",
        "Gmail API root; outside the `local` profile it must be an https `googleapis.com` host.",
        default=GMAIL_API_DEFAULT,
    )
    max_attachment_bytes: int = env(
        "ADDON_MAX_ATTACHMENT_BYTES",
        f"Largest attachment copied into a task, in bytes (at most {MAX_ATTACHMENT_BYTES_CAP}: one "
        "Firestore document holds the copy and its details, and documents hold at most 1 MiB).",
        default=768 * 1024,
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0 < self.max_attachment_bytes <= MAX_ATTACHMENT_BYTES_CAP:
            raise ConfigError(
                f"environment variable ADDON_MAX_ATTACHMENT_BYTES must be 1..{MAX_ATTACHMENT_BYTES_CAP} "
                "(an attachment copy and its details share one Firestore document of at most 1 MiB)"
            )
        if self.is_local:
            return
        if self.google_certs_url != GOOGLE_CERTS_DEFAULT:
            raise ConfigError("environment variable GOOGLE_CERTS_URL may be set only in the local profile")
        googleapis_url("GMAIL_API_ENDPOINT", self.gmail_api_endpoint)
        for name, url in (("ADDON_URL", self.addon_url), ("CONVERT_URL", self.convert_url)):
            if not url.startswith("https://"):
                raise ConfigError(f"environment variable {name} must be an https URL")


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


GOOGLE_AUTH_URL_DEFAULT = "https://accounts.google.com/o/oauth2/v2/auth"
GOOGLE_TOKEN_URL_DEFAULT = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL, not a secret
GOOGLE_REVOKE_URL_DEFAULT = "https://oauth2.googleapis.com/revoke"
RISC_CONFIG_URL_DEFAULT = "https://accounts.google.com/.well-known/risc-configuration"
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def _https_or_loopback(url: str) -> bool:
    """An https URL, or plain http to a loopback stand-in (what local-profile overrides may name)."""
    parts = urllib.parse.urlsplit(url)
    if _URL_FORBIDDEN.search(url) or not parts.hostname:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS)


def _google_endpoints(profile: str, endpoints: tuple[tuple[str, str, str], ...]) -> None:
    """Google endpoints (name, value, default) may point elsewhere only in the local profile, and then
    only at https or a loopback stand-in."""
    for name, value, default in endpoints:
        if value == default:
            continue
        if profile != "local":
            raise ConfigError(f"environment variable {name} may be set only in the local profile")
        if not _https_or_loopback(value):
            raise ConfigError(f"environment variable {name} must be https or a loopback http URL")


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
        _google_endpoints(
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
        _google_endpoints(self.profile, (("OAUTH_AUTH_URL", self.auth_url, GOOGLE_AUTH_URL_DEFAULT),))
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
        _google_endpoints(self.profile, (("RISC_CONFIG_URL", self.config_url, RISC_CONFIG_URL_DEFAULT),))


# Functions that use or drop a user's grant (credentials_for / disconnect); only `oauth` starts consent.
_GRANT_USERS = (OAuthClientSettings, VaultSettings, SecretManagerSettings)

# Which settings each deployed function reads (README table and tests/infra wiring checks use this).
FUNCTION_SETTINGS: dict[str, tuple[type[Any], ...]] = {
    "addon": (CoreSettings, ConversionSettings, AddonSettings, TenancySettings, *_GRANT_USERS),
    "convert": (CoreSettings, ConversionSettings, AddonSettings, TenancySettings, *_GRANT_USERS),
    "install": (CoreSettings, AddonSettings, TenancySettings, *_GRANT_USERS),
    # oauth also answers the add-on's connect/disconnect card actions, verified like every add-on request.
    "oauth": (
        CoreSettings,
        AddonSettings,
        OAuthClientSettings,
        ConsentSettings,
        VaultSettings,
        SecretManagerSettings,
        TenancySettings,  # admission before a consent starts; APP_NAME in notifications
    ),
    "refresh": (CoreSettings, OAuthClientSettings, VaultSettings, SecretManagerSettings, RefreshSettings),
    "risc": (CoreSettings, RiscSettings),
}


def markdown_table() -> str:
    """The README configuration table: every variable, which functions read it, default, whether secret."""
    readers: dict[str, list[str]] = {}
    rows: dict[str, dict[str, Any]] = {}
    for function, classes in FUNCTION_SETTINGS.items():
        for cls in classes:
            for var in variables(cls):
                rows.setdefault(var["name"], var)
                readers.setdefault(var["name"], [])
                if function not in readers[var["name"]]:
                    readers[var["name"]].append(function)
    lines = ["| variable | read by | default | meaning |", "|---|---|---|---|"]
    for name in sorted(rows):
        var = rows[name]
        default = "required" if var["required"] else f"`{var['default']}`"
        if var["secret"]:
            default += " (secret)"
        lines.append(f"| `{name}` | {', '.join(readers[name])} | {default} | {var['doc']} |")
    return "\n".join(lines)
