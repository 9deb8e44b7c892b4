"""Which settings each deployed function reads, and the README configuration table built from that."""

from __future__ import annotations

from typing import Any

from mail2task.config.addon import AddonSettings
from mail2task.config.base import variables
from mail2task.config.core import ConversionSettings, CoreSettings
from mail2task.config.oauth import (
    ConsentSettings,
    OAuthClientSettings,
    RefreshSettings,
    RiscSettings,
    SecretManagerSettings,
    VaultSettings,
)
from mail2task.config.tenancy import TenancySettings

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
