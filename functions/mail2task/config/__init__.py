"""Settings from the environment: frozen dataclasses, one per capability, each field naming its variable.

A function loads only the settings it needs (``load(AddonSettings)``), so each deployed function needs only
its own variables. A missing or malformed variable raises ``ConfigError`` naming it. Every field is listed
in the README's configuration table and wired in Terraform (tests/infra checks the wiring).

``base`` holds the plumbing (``env``, ``load``, ``variables``, ``Profiled``, endpoint checks); ``core``,
``addon``, ``tenancy`` and ``oauth`` one settings group each; ``functions`` which function reads which.
"""

from __future__ import annotations

from mail2task.config.addon import GMAIL_API_DEFAULT, MAX_ATTACHMENT_BYTES_CAP, AddonSettings
from mail2task.config.base import (
    GOOGLE_CERTS_DEFAULT,
    PROFILES,
    Profiled,
    check_google_endpoints,
    env,
    googleapis_url,
    load,
    variables,
)
from mail2task.config.core import ConversionSettings, CoreSettings
from mail2task.config.functions import FUNCTION_SETTINGS, markdown_table
from mail2task.config.oauth import (
    GOOGLE_AUTH_URL_DEFAULT,
    GOOGLE_REVOKE_URL_DEFAULT,
    GOOGLE_TOKEN_URL_DEFAULT,
    RISC_CONFIG_URL_DEFAULT,
    ConsentSettings,
    OAuthClientSettings,
    RefreshSettings,
    RiscSettings,
    SecretManagerSettings,
    VaultSettings,
)
from mail2task.config.tenancy import DIRECTORY_API_DEFAULT, LICENSING_API_DEFAULT, TenancySettings

__all__ = [
    "DIRECTORY_API_DEFAULT",
    "FUNCTION_SETTINGS",
    "GMAIL_API_DEFAULT",
    "GOOGLE_AUTH_URL_DEFAULT",
    "GOOGLE_CERTS_DEFAULT",
    "GOOGLE_REVOKE_URL_DEFAULT",
    "GOOGLE_TOKEN_URL_DEFAULT",
    "LICENSING_API_DEFAULT",
    "MAX_ATTACHMENT_BYTES_CAP",
    "PROFILES",
    "RISC_CONFIG_URL_DEFAULT",
    "AddonSettings",
    "ConsentSettings",
    "ConversionSettings",
    "CoreSettings",
    "OAuthClientSettings",
    "Profiled",
    "RefreshSettings",
    "RiscSettings",
    "SecretManagerSettings",
    "TenancySettings",
    "VaultSettings",
    "check_google_endpoints",
    "env",
    "googleapis_url",
    "load",
    "markdown_table",
    "variables",
]
