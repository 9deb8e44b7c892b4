"""The token vault: users' refresh and access tokens sealed with AES-256-GCM.

Each record is ``nonce (12 random bytes) || ciphertext || tag`` under one key, with the key's id stored
beside it and ``mail2task/<purpose>/v1 NUL <owner>`` as associated data (for tokens the owner is the
user's ``sub``), so a record copied onto another user, or used for another purpose, fails to open.
Key ids are Secret Manager version numbers: the current key is mounted in the environment, older ones
are fetched from Secret Manager the first time a record needs them (then cached), so a rotation never
locks anyone out. The OAuth client secret is never part of a record.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from mail2task.errors import ConfigError
from mail2task.errors import VaultError as VaultError

KEY_BYTES = 32
NONCE_BYTES = 12
KEY_ID = re.compile(r"[1-9][0-9]{0,9}")
MAX_TOKEN_CHARS = 4096


@dataclass(frozen=True, repr=False)
class TokenSecrets:
    """The secret half of a grant. Its repr never shows the values."""

    refresh_token: str
    access_token: str | None = None

    def __repr__(self) -> str:
        return "TokenSecrets(<redacted>)"

    def to_bytes(self) -> bytes:
        return json.dumps({"r": self.refresh_token, "a": self.access_token}, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> TokenSecrets:
        value = json.loads(data)
        refresh, access = value.get("r"), value.get("a")
        if not isinstance(refresh, str) or not (access is None or isinstance(access, str)):
            raise VaultError("stored token has an unexpected shape")
        return cls(refresh_token=refresh, access_token=access)


@dataclass(frozen=True)
class Sealed:
    """A sealed record: the key id it was sealed under and the nonce-prefixed ciphertext."""

    key_id: str
    blob: bytes = field(repr=False)


def decode_key(text: str | bytes, what: str) -> bytes:
    """32 key bytes from base64 text (standard or URL-safe); the error names ``what``, never the value."""
    raw = text.decode("ascii", "replace") if isinstance(text, bytes) else text
    raw = raw.strip()
    try:
        key = base64.b64decode(
            raw + "=" * (-len(raw) % 4), altchars=b"-_" if "-" in raw or "_" in raw else None
        )
    except (binascii.Error, ValueError):
        raise ConfigError(f"{what} is not base64") from None
    if len(key) != KEY_BYTES:
        raise ConfigError(f"{what} must be base64 of {KEY_BYTES} bytes")
    return key


class KeyRing:
    """Key material by id: the current key, and older versions from ``fetch_older`` (raw secret payload)."""

    def __init__(
        self, current_id: str, current_key: bytes, fetch_older: Callable[[str], bytes] | None = None
    ) -> None:
        if not KEY_ID.fullmatch(current_id):
            raise ConfigError("environment variable TOKEN_ENCRYPTION_KEY_VERSION must be a version number")
        if len(current_key) != KEY_BYTES:
            raise ConfigError(f"the current token key must be {KEY_BYTES} bytes")
        self.current_id = current_id
        self._fetch_older = fetch_older
        self._lock = threading.Lock()
        self._keys: dict[str, bytes] = {current_id: current_key}

    def key(self, key_id: str) -> bytes:
        with self._lock:
            known = self._keys.get(key_id)
        if known is not None:
            return known
        if not KEY_ID.fullmatch(key_id):
            raise VaultError("stored token names an invalid key id")
        if self._fetch_older is None:
            raise VaultError(f"token key version {key_id} is not available here")
        key = decode_key(self._fetch_older(key_id), f"token key version {key_id}")
        with self._lock:
            return self._keys.setdefault(key_id, key)


class TokenVault:
    """Seal and open users' tokens; sealing always uses the current key."""

    def __init__(self, keys: KeyRing) -> None:
        self.keys = keys

    @property
    def current_key_id(self) -> str:
        return self.keys.current_id

    @staticmethod
    def _aad(purpose: str, owner: str) -> bytes:
        if not owner:
            raise VaultError("a sealed record needs an owner")
        return f"mail2task/{purpose}/v1".encode() + b"\x00" + owner.encode()

    def seal_data(self, data: bytes, *, purpose: str, owner: str) -> Sealed:
        """Seal ``data`` under the current key, bound to ``purpose`` and ``owner`` (associated data)."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        key_id = self.keys.current_id
        nonce = os.urandom(NONCE_BYTES)
        blob = nonce + AESGCM(self.keys.key(key_id)).encrypt(nonce, data, self._aad(purpose, owner))
        return Sealed(key_id=key_id, blob=blob)

    def open_data(self, sealed: Sealed, *, purpose: str, owner: str) -> bytes:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        if len(sealed.blob) < NONCE_BYTES + 16:
            raise VaultError("sealed record is truncated")
        nonce, body = sealed.blob[:NONCE_BYTES], sealed.blob[NONCE_BYTES:]
        try:
            return AESGCM(self.keys.key(sealed.key_id)).decrypt(nonce, body, self._aad(purpose, owner))
        except InvalidTag:
            raise VaultError("sealed record failed authentication (wrong owner, key or tampered)") from None

    def seal(self, secrets: TokenSecrets, owner: str) -> Sealed:
        """Seal a user's tokens; ``owner`` is their ``sub``."""
        if len(secrets.refresh_token) > MAX_TOKEN_CHARS or len(secrets.access_token or "") > MAX_TOKEN_CHARS:
            raise VaultError("token too long to store")
        return self.seal_data(secrets.to_bytes(), purpose="tokens", owner=owner)

    def open(self, sealed: Sealed, owner: str) -> TokenSecrets:
        return TokenSecrets.from_bytes(self.open_data(sealed, purpose="tokens", owner=owner))


@functools.lru_cache(maxsize=8)
def _vault(key_text: str, key_id: str, project: str, secret: str, host: str) -> TokenVault:
    from mail2task import secrets

    versions = secrets.VersionCache(
        lambda name: secrets.access_secret_version(name, client=secrets.secret_manager_client(host))[1]
    )
    key = decode_key(key_text, "environment variable TOKEN_ENCRYPTION_KEY")
    return TokenVault(
        KeyRing(key_id, key, lambda version: versions.get(secrets.version_name(project, secret, version)))
    )


def default_vault() -> TokenVault:
    """The vault configured by the environment (one per distinct configuration, kept for the process)."""
    from mail2task.config import CoreSettings, SecretManagerSettings, VaultSettings, load

    vault, manager, core = load(VaultSettings), load(SecretManagerSettings), load(CoreSettings)
    return _vault(vault.key, vault.key_version, core.project, manager.key_secret, manager.host)
