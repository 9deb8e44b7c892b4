"""The vault: AES-256-GCM sealing bound to its owner, key ids, older keys from Secret Manager."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mail2task import secrets
from mail2task.errors import ConfigError
from mail2task.oauth.vault import (
    NONCE_BYTES,
    KeyRing,
    Sealed,
    TokenSecrets,
    TokenVault,
    VaultError,
    decode_key,
)
from tests.support.oauth_env import new_key
from tests.support.secretmanager_standin import SecretManagerStandIn

REFRESH, ACCESS = "1//0refresh-token-value-abcdef", "ya29.access-token-value-abcdef"
SECRETS = TokenSecrets(REFRESH, ACCESS)


def vault(version: str = "1") -> TokenVault:
    return TokenVault(KeyRing(version, new_key()[1]))


def test_round_trip_under_the_current_key_id() -> None:
    box = vault("4")
    sealed = box.seal(SECRETS, "1001")
    assert sealed.key_id == "4"
    opened = box.open(sealed, "1001")
    assert (opened.refresh_token, opened.access_token) == (SECRETS.refresh_token, SECRETS.access_token)
    assert REFRESH.encode() not in sealed.blob
    assert ACCESS.encode() not in sealed.blob


def test_every_seal_uses_a_fresh_nonce() -> None:
    box = vault()
    blobs = {box.seal(SECRETS, "1001").blob for _ in range(20)}
    assert len(blobs) == 20
    assert len({b[:NONCE_BYTES] for b in blobs}) == 20


def test_a_record_moved_to_another_owner_does_not_open() -> None:
    box = vault()
    sealed = box.seal(SECRETS, "1001")
    with pytest.raises(VaultError, match="authentication"):
        box.open(sealed, "1002")


def test_a_record_under_another_key_does_not_open() -> None:
    sealed = vault("1").seal(SECRETS, "1001")
    with pytest.raises(VaultError):
        vault("1").open(sealed, "1001")


@settings(max_examples=40, deadline=None)
@given(position=st.integers(min_value=0), bit=st.integers(min_value=0, max_value=7))
def test_any_flipped_bit_is_detected(position: int, bit: int) -> None:
    box = VAULT
    blob = bytearray(SEALED.blob)
    blob[position % len(blob)] ^= 1 << bit
    with pytest.raises(VaultError):
        box.open(Sealed(SEALED.key_id, bytes(blob)), "1001")


VAULT = vault()
SEALED = VAULT.seal(SECRETS, "1001")


def test_truncated_records_and_bad_key_ids_are_refused() -> None:
    with pytest.raises(VaultError, match="truncated"):
        VAULT.open(Sealed("1", SEALED.blob[:20]), "1001")
    with pytest.raises(VaultError, match="invalid key id"):
        VAULT.open(Sealed("../1", SEALED.blob), "1001")
    with pytest.raises(VaultError, match="not available"):
        VAULT.open(Sealed("2", SEALED.blob), "1001")


def test_secrets_never_show_in_repr() -> None:
    assert REFRESH not in repr(SECRETS)
    assert ACCESS not in repr(SECRETS)
    assert SEALED.blob.hex() not in repr(SEALED)


@pytest.mark.parametrize("text", ["", "not base64 !!", base64.b64encode(b"short").decode()])
def test_malformed_keys_are_named_but_never_echoed(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        decode_key(text, "environment variable TOKEN_ENCRYPTION_KEY")
    assert "TOKEN_ENCRYPTION_KEY" in str(caught.value)
    assert not text or text not in str(caught.value)


def test_urlsafe_and_unpadded_keys_are_accepted() -> None:
    _, raw = new_key()
    assert decode_key(base64.urlsafe_b64encode(raw).decode().rstrip("="), "k") == raw


def test_key_version_must_be_a_secret_manager_version_number() -> None:
    with pytest.raises(ConfigError, match="TOKEN_ENCRYPTION_KEY_VERSION"):
        KeyRing("latest", new_key()[1])


def test_older_keys_come_from_secret_manager_once(secret_manager: SecretManagerStandIn) -> None:
    """A record sealed under version 1 opens in a process whose current key is version 2."""
    client = secret_manager.client()
    secret = client.create_secret(request={"parent": "projects/p", "secret_id": "token-key", "secret": {}})
    old_text, old_raw = new_key()
    new_text, new_raw = new_key()
    for text in (old_text, new_text):
        client.add_secret_version(request={"parent": secret.name, "payload": {"data": text.encode()}})
    old = TokenVault(KeyRing("1", old_raw)).seal(SECRETS, "1001")
    versions = secrets.VersionCache(lambda name: secrets.access_secret_version(name, client=client)[1])
    current = TokenVault(KeyRing("2", new_raw, lambda v: versions.get(f"{secret.name}/versions/{v}")))
    for _ in range(3):
        assert current.open(old, "1001").refresh_token == SECRETS.refresh_token
    assert secret_manager.accesses == {f"{secret.name}/versions/1": 1}
    assert current.seal(SECRETS, "1001").key_id == "2"  # new records always under the current key


def test_a_disabled_old_version_is_a_clear_error(secret_manager: SecretManagerStandIn) -> None:
    client = secret_manager.client()
    secret = client.create_secret(request={"parent": "projects/p", "secret_id": "k", "secret": {}})
    text, raw = new_key()
    client.add_secret_version(request={"parent": secret.name, "payload": {"data": text.encode()}})
    client.disable_secret_version(request={"name": f"{secret.name}/versions/1"})
    sealed = TokenVault(KeyRing("1", raw)).seal(SECRETS, "1001")
    fetch = lambda v: secrets.access_secret_version(f"{secret.name}/versions/{v}", client=client)[1]  # noqa: E731
    with pytest.raises(secrets.SecretUnavailable, match="disabled"):
        TokenVault(KeyRing("2", new_key()[1], fetch)).open(sealed, "1001")
