"""Settings plumbing: declare a field read from the environment, load a class, list its variables, checks.

A function loads only the settings it needs (``load(AddonSettings)``), so each deployed function needs only
its own variables. A missing or malformed variable raises ``ConfigError`` naming it.
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


GOOGLE_CERTS_DEFAULT = "https://www.googleapis.com/oauth2/v1/certs"
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def _https_or_loopback(url: str) -> bool:
    """An https URL, or plain http to a loopback stand-in (what local-profile overrides may name)."""
    parts = urllib.parse.urlsplit(url)
    if _URL_FORBIDDEN.search(url) or not parts.hostname:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS)


def check_google_endpoints(profile: str, endpoints: tuple[tuple[str, str, str], ...]) -> None:
    """Google endpoints (name, value, default) may point elsewhere only in the local profile, and then
    only at https or a loopback stand-in."""
    for name, value, default in endpoints:
        if value == default:
            continue
        if profile != "local":
            raise ConfigError(f"environment variable {name} may be set only in the local profile")
        if not _https_or_loopback(value):
            raise ConfigError(f"environment variable {name} must be https or a loopback http URL")
