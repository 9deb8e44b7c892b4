"""Secret access through the real Secret Manager client against the in-test gRPC server."""

from __future__ import annotations

import pytest

from mail2task import secrets
from mail2task.config import SecretManagerSettings, load
from mail2task.errors import ConfigError
from tests.support.oauth_logscan import REGISTRY
from tests.support.secretmanager_standin import SecretManagerStandIn


@pytest.fixture
def secret(secret_manager: SecretManagerStandIn) -> str:
    client = secret_manager.client()
    created = client.create_secret(request={"parent": "projects/p", "secret_id": "s", "secret": {}})
    for payload in (b"first-secret-value-1", b"second-secret-value-2", b"third-secret-value-3"):
        REGISTRY.add(payload)
        client.add_secret_version(request={"parent": created.name, "payload": {"data": payload}})
    client.disable_secret_version(request={"name": f"{created.name}/versions/3"})
    return str(created.name)


def test_crc32c_known_answer() -> None:
    assert secrets.crc32c(b"123456789") == 0xE3069283
    assert secrets.crc32c(b"") == 0


def test_numbered_and_latest_versions(secret_manager: SecretManagerStandIn, secret: str) -> None:
    client = secret_manager.client()
    assert secrets.access_secret_version(f"{secret}/versions/1", client=client) == (
        f"{secret}/versions/1",
        b"first-secret-value-1",
    )
    # latest = newest *enabled* version; the resolved name says which
    name, payload = secrets.access_secret_version(f"{secret}/versions/latest", client=client)
    assert (name, payload) == (f"{secret}/versions/2", b"second-secret-value-2")


def test_outages_are_retried_within_the_timeout(secret_manager: SecretManagerStandIn, secret: str) -> None:
    secret_manager.unavailable_next = 2
    _, payload = secrets.access_secret_version(f"{secret}/versions/1", client=secret_manager.client())
    assert payload == b"first-secret-value-1"


def test_a_persistent_outage_ends_at_the_timeout(secret_manager: SecretManagerStandIn, secret: str) -> None:
    secret_manager.unavailable_next = 1000
    with pytest.raises(secrets.SecretUnavailable) as caught:
        secrets.access_secret_version(f"{secret}/versions/1", client=secret_manager.client(), timeout=1.0)
    assert caught.value.retryable


def test_a_corrupted_payload_fails_its_checksum(secret_manager: SecretManagerStandIn, secret: str) -> None:
    secret_manager.corrupt_next = 1
    with pytest.raises(secrets.SecretUnavailable, match="checksum"):
        secrets.access_secret_version(f"{secret}/versions/1", client=secret_manager.client())


@pytest.mark.parametrize(("version", "message"), [("3", "disabled"), ("9", "not found")])
def test_unusable_versions_are_final(
    secret_manager: SecretManagerStandIn, secret: str, version: str, message: str
) -> None:
    with pytest.raises(secrets.SecretUnavailable, match=message) as caught:
        secrets.access_secret_version(f"{secret}/versions/{version}", client=secret_manager.client())
    assert not caught.value.retryable


def test_version_cache_fetches_each_version_once(secret_manager: SecretManagerStandIn, secret: str) -> None:
    cache = secrets.VersionCache(
        lambda name: secrets.access_secret_version(name, client=secret_manager.client())[1]
    )
    for _ in range(5):
        cache.get(f"{secret}/versions/1")
        cache.get(f"{secret}/versions/2")
    assert sum(secret_manager.accesses.values()) == 2


def test_plaintext_endpoints_only_on_loopback() -> None:
    with pytest.raises(ConfigError, match="loopback"):
        secrets.secret_manager_client("secretmanager.example.com:443")
    with pytest.raises(ConfigError, match="MAIL2TASK_SECRET_MANAGER_HOST"):
        load(SecretManagerSettings, {"MAIL2TASK_SECRET_MANAGER_HOST": "10.0.0.8:9000"})
    assert load(SecretManagerSettings, {}).key_secret == "mail2task-token-key"
