"""Settings from the environment: frozen dataclasses, one per capability, each field naming its variable.

A function loads only the settings it needs (``load(AddonSettings)``), so each deployed function needs only
its own variables. A missing or malformed variable raises ``ConfigError`` naming it. Every field is listed
in the README's configuration table and wired in Terraform (tests/infra checks the wiring).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from mail2task.errors import ConfigError

T = TypeVar("T")


def env(name: str, doc: str, *, default: Any = dataclasses.MISSING, secret: bool = False) -> Any:
    """Declare a settings field read from environment variable ``name``."""
    metadata = {"env": name, "doc": doc, "secret": secret}
    if default is dataclasses.MISSING:
        return field(metadata=metadata)
    return field(default=default, metadata=metadata)


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


@dataclass(frozen=True)
class CoreSettings:
    """Settings every function reads."""

    project: str = env("GOOGLE_CLOUD_PROJECT", "Google Cloud project id (Firestore, Secret Manager).")
    profile: str = env(
        "MAIL2TASK_PROFILE",
        "`production` (default) or `local`; only `local` trusts the development signing key.",
        default="production",
    )
    firestore_database: str = env("FIRESTORE_DATABASE", "Firestore database id.", default="(default)")

    @property
    def is_local(self) -> bool:
        return self.profile == "local"

    def __post_init__(self) -> None:
        if self.profile not in ("production", "local"):
            raise ConfigError("environment variable MAIL2TASK_PROFILE must be 'production' or 'local'")


@dataclass(frozen=True)
class ConversionSettings:
    """Limits of message-to-task conversion."""

    max_message_bytes: int = env(
        "MAX_MESSAGE_BYTES", "Largest raw message converted, in bytes.", default=25 * 1024 * 1024
    )


# Which settings each deployed function reads (README table and tests/infra wiring checks use this).
FUNCTION_SETTINGS: dict[str, tuple[type[Any], ...]] = {
    "addon": (CoreSettings,),
    "convert": (CoreSettings, ConversionSettings),
    "install": (CoreSettings,),
    "oauth": (CoreSettings,),
    "refresh": (CoreSettings,),
    "risc": (CoreSettings,),
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
