from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from mail2task.config import (
    AddonSettings,
    ConsentSettings,
    ConversionSettings,
    CoreSettings,
    OAuthClientSettings,
    Profiled,
    RiscSettings,
    TenancySettings,
    load,
    variables,
)
from mail2task.errors import ConfigError


def test_missing_required_variable_is_named() -> None:
    with pytest.raises(ConfigError, match="GOOGLE_CLOUD_PROJECT"):
        load(CoreSettings, {})


def test_defaults_and_conversion() -> None:
    settings = load(ConversionSettings, {"MAX_MESSAGE_BYTES": "1024"})
    assert settings.max_message_bytes == 1024
    assert load(ConversionSettings, {}).max_message_bytes == 25 * 1024 * 1024


def test_malformed_variable_is_named() -> None:
    with pytest.raises(ConfigError, match="MAX_MESSAGE_BYTES"):
        load(ConversionSettings, {"MAX_MESSAGE_BYTES": "lots"})


def test_profile_must_be_known() -> None:
    with pytest.raises(ConfigError, match="MAIL2TASK_PROFILE"):
        load(CoreSettings, {"GOOGLE_CLOUD_PROJECT": "p", "MAIL2TASK_PROFILE": "dev"})
    assert load(CoreSettings, {"GOOGLE_CLOUD_PROJECT": "p", "MAIL2TASK_PROFILE": "local"}).is_local


def test_variables_lists_names_and_docs() -> None:
    names = {v["name"]: v for v in variables(CoreSettings)}
    assert names["GOOGLE_CLOUD_PROJECT"]["required"] is True
    assert names["MAIL2TASK_PROFILE"]["default"] == "production"


ADDON = {
    "ADDON_URL": "https://x.example/addon",
    "CONVERT_URL": "https://x.example/convert",
    "INSTALL_URL": "https://x.example/install",
    "OAUTH_URL": "https://x.example/oauth",
    "ADDON_SERVICE_ACCOUNT": "addon@example.iam.gserviceaccount.com",
    "ADDON_OAUTH_CLIENT_ID": "addon.apps.googleusercontent.com",
}
ENDPOINTS = [
    (AddonSettings, "GMAIL_API_ENDPOINT"),
    (TenancySettings, "LICENSING_API_ENDPOINT"),
    (TenancySettings, "DIRECTORY_API_ENDPOINT"),
]
LOOKALIKES = [
    "https://evil.example#.googleapis.com",
    "https://evil.example?x=.googleapis.com",
    "https://evil.example/.googleapis.com",
    "https://evil.example\\.googleapis.com",
    "https://gmail.googleapis.com@evil.example",
    "https://user:pw@gmail.googleapis.com",
    "https://gmail.googleapis.com.evil.example",
    "https://evilgoogleapis.com",
    "https://gmail.googleapis.com.",
    "https://gmail.googleapis.com:8443",
    "https://gmail.googleapis.com:x",
    "https://gmail.googleapis.com/?alt=json",
    "https://gmail.googleapis.com/#",
    "https://gmail.googleapis.com\n.evil.example",
    "http://gmail.googleapis.com",
    "gmail.googleapis.com",
]


@pytest.mark.parametrize(("cls", "name"), ENDPOINTS)
@pytest.mark.parametrize("url", LOOKALIKES)
def test_production_endpoints_must_be_googleapis_hosts(cls: type[Any], name: str, url: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load(cls, {**ADDON, name: url})
    local = load(cls, {**ADDON, name: "http://127.0.0.1:9/", "MAIL2TASK_PROFILE": "local"})
    assert "http://127.0.0.1:9/" in vars(local).values()  # stand-ins stay possible in the local profile


@pytest.mark.parametrize(("cls", "name"), ENDPOINTS)
@pytest.mark.parametrize(
    "url", ["https://gmail.googleapis.com", "https://admin.googleapis.com:443/", "https://googleapis.com/"]
)
def test_googleapis_hosts_are_accepted(cls: type[Any], name: str, url: str) -> None:
    assert url in vars(load(cls, {**ADDON, name: url})).values()


def test_attachment_limit_leaves_room_in_the_firestore_document() -> None:
    assert (
        load(AddonSettings, {**ADDON, "ADDON_MAX_ATTACHMENT_BYTES": "900000"}).max_attachment_bytes == 900_000
    )
    for too_big in ("900001", str(1024 * 1024), "0"):
        with pytest.raises(ConfigError, match="ADDON_MAX_ATTACHMENT_BYTES"):
            load(AddonSettings, {**ADDON, "ADDON_MAX_ATTACHMENT_BYTES": too_big})


PROFILED = [CoreSettings, AddonSettings, TenancySettings, OAuthClientSettings, ConsentSettings, RiscSettings]


@pytest.mark.parametrize("cls", PROFILED)
def test_the_profile_is_declared_once_and_checked_everywhere(cls: type[Any]) -> None:
    [field] = [f for f in dataclasses.fields(cls) if f.metadata["env"] == "MAIL2TASK_PROFILE"]
    assert field is Profiled.__dataclass_fields__["profile"]
    environ = {**ADDON, "GOOGLE_CLOUD_PROJECT": "p", "OAUTH_CLIENT_ID": "c", "OAUTH_CLIENT_SECRET": "s"}
    environ["OAUTH_REDIRECT_URL"] = "https://x.example/oauth"
    assert load(cls, {**environ, "MAIL2TASK_PROFILE": "local"}).is_local
    with pytest.raises(ConfigError, match="MAIL2TASK_PROFILE"):
        load(cls, {**environ, "MAIL2TASK_PROFILE": "Local"})


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:80@evil.example/token", "http://localhost.evil.example/token", "ftp://x/"]
)
def test_local_overrides_are_https_or_really_loopback(url: str) -> None:
    environ = {"OAUTH_CLIENT_ID": "c", "OAUTH_CLIENT_SECRET": "s", "MAIL2TASK_PROFILE": "local"}
    with pytest.raises(ConfigError, match="OAUTH_TOKEN_URL"):
        load(OAuthClientSettings, {**environ, "OAUTH_TOKEN_URL": url})
    assert load(OAuthClientSettings, {**environ, "OAUTH_TOKEN_URL": "http://[::1]:9/t"}).is_local
