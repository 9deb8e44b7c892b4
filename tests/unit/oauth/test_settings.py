"""oauth settings: Google endpoints are overridable only in the local profile; secrets never in repr."""

from __future__ import annotations

from typing import Any

import pytest

from mail2task.config import (
    FUNCTION_SETTINGS,
    ConsentSettings,
    OAuthClientSettings,
    RefreshSettings,
    RiscSettings,
    VaultSettings,
    load,
    variables,
)
from mail2task.errors import ConfigError

CLIENT = {
    "OAUTH_CLIENT_ID": "id.apps.googleusercontent.com",
    "OAUTH_CLIENT_SECRET": "client-secret-value-123",
}


def test_defaults_are_googles_endpoints() -> None:
    client = load(OAuthClientSettings, CLIENT)
    assert client.token_url == "https://oauth2.googleapis.com/token"
    assert client.revoke_url == "https://oauth2.googleapis.com/revoke"
    assert (
        load(RiscSettings, CLIENT).config_url == "https://accounts.google.com/.well-known/risc-configuration"
    )
    consent = load(ConsentSettings, {"OAUTH_REDIRECT_URL": "https://x.example/oauth"})
    assert consent.auth_url == "https://accounts.google.com/o/oauth2/v2/auth"


@pytest.mark.parametrize(
    ("cls", "extra"),
    [
        (OAuthClientSettings, {"OAUTH_TOKEN_URL": "http://127.0.0.1:9/token"}),
        (OAuthClientSettings, {"GOOGLE_CERTS_URL": "http://127.0.0.1:9/certs"}),
        (RiscSettings, {"RISC_CONFIG_URL": "https://evil.example/risc"}),
        (ConsentSettings, {"OAUTH_AUTH_URL": "http://127.0.0.1:9/auth"}),
    ],
)
def test_production_refuses_endpoint_overrides(cls: type[Any], extra: dict[str, str]) -> None:
    environ = {**CLIENT, "OAUTH_REDIRECT_URL": "https://x.example/oauth", **extra}
    with pytest.raises(ConfigError, match=next(iter(extra))):
        load(cls, environ)
    local = load(cls, {**environ, "MAIL2TASK_PROFILE": "local"})
    assert next(iter(extra.values())) in vars(local).values()


def test_local_overrides_must_be_https_or_loopback() -> None:
    with pytest.raises(ConfigError, match="loopback"):
        load(
            OAuthClientSettings,
            {**CLIENT, "MAIL2TASK_PROFILE": "local", "OAUTH_TOKEN_URL": "http://10.0.0.1/t"},
        )


def test_production_needs_https_redirect_and_return_targets() -> None:
    with pytest.raises(ConfigError, match="OAUTH_REDIRECT_URL"):
        load(ConsentSettings, {"OAUTH_REDIRECT_URL": "http://x.example/oauth"})
    with pytest.raises(ConfigError, match="OAUTH_RETURN_TARGETS"):
        load(
            ConsentSettings,
            {"OAUTH_REDIRECT_URL": "https://x/oauth", "OAUTH_RETURN_TARGETS": "//evil.example"},
        )
    targets = load(
        ConsentSettings,
        {"OAUTH_REDIRECT_URL": "https://x/o", "OAUTH_RETURN_TARGETS": "https://a/, https://b/"},
    )
    assert targets.return_targets == ("https://a/", "https://b/")


def test_secrets_stay_out_of_repr_and_are_flagged() -> None:
    client = load(OAuthClientSettings, CLIENT)
    vault = load(
        VaultSettings, {"TOKEN_ENCRYPTION_KEY": "a-key-that-is-secret", "TOKEN_ENCRYPTION_KEY_VERSION": "2"}
    )
    assert "client-secret-value-123" not in repr(client)
    assert "a-key-that-is-secret" not in repr(vault)
    flagged = {
        v["name"] for cls in (OAuthClientSettings, VaultSettings) for v in variables(cls) if v["secret"]
    }
    assert flagged == {"OAUTH_CLIENT_SECRET", "TOKEN_ENCRYPTION_KEY"}


def test_refresh_limits_are_checked() -> None:
    base = {"REFRESH_URL": "https://x/refresh", "SCHEDULER_SERVICE_ACCOUNT": "s@p.iam.gserviceaccount.com"}
    assert load(RefreshSettings, base).concurrency == 64
    with pytest.raises(ConfigError, match="REFRESH_CONCURRENCY"):
        load(RefreshSettings, {**base, "REFRESH_CONCURRENCY": "0"})


def test_each_function_reads_only_what_it_needs() -> None:
    assert RiscSettings in FUNCTION_SETTINGS["risc"]
    assert OAuthClientSettings not in FUNCTION_SETTINGS["risc"]
    assert VaultSettings not in FUNCTION_SETTINGS["risc"]  # RISC deletes grants; it never decrypts one
    assert RefreshSettings in FUNCTION_SETTINGS["refresh"]
    assert ConsentSettings in FUNCTION_SETTINGS["oauth"]
    for function in ("addon", "install"):  # they call credentials_for / disconnect
        assert {OAuthClientSettings, VaultSettings} <= set(FUNCTION_SETTINGS[function])
        assert ConsentSettings not in FUNCTION_SETTINGS[function]  # consent starts only in `oauth`
