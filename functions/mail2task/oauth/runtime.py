"""What the oauth services work with, built lazily from the environment and cached per configuration.

A service takes an optional ``Runtime``; production code passes none and gets the environment's. Tests
construct one with their own clock (or any other part) — the parts are first-class, not patched.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from mail2task.oauth.model import Clock, utcnow

if TYPE_CHECKING:
    from google.cloud import firestore

    from mail2task.config import ConsentSettings, CoreSettings, OAuthClientSettings
    from mail2task.google.id_tokens import KeyCache
    from mail2task.oauth.http_transport import Transport
    from mail2task.oauth.token_client import TokenClient
    from mail2task.oauth.vault import TokenVault


@functools.cache
def shared_transport() -> Transport:
    from mail2task.oauth.http_transport import PooledTransport

    return PooledTransport()


@functools.lru_cache(maxsize=8)
def key_cache(url: str) -> KeyCache:
    """One certificate cache per URL for the process (Google's certs, a JWKS)."""
    from mail2task.google.id_tokens import KeyCache

    return KeyCache(url)


class Runtime:
    """Settings, Firestore, vault, token client, Google's keys and the clock, each made on first use."""

    def __init__(
        self,
        *,
        clock: Clock = utcnow,
        db: firestore.Client | None = None,
        vault: TokenVault | None = None,
        transport: Transport | None = None,
    ) -> None:
        self.clock = clock
        self._db = db
        self._vault = vault
        self._transport = transport

    @functools.cached_property
    def core(self) -> CoreSettings:
        from mail2task.config import CoreSettings, load

        return load(CoreSettings)

    @functools.cached_property
    def client(self) -> OAuthClientSettings:
        from mail2task.config import OAuthClientSettings, load

        return load(OAuthClientSettings)

    @functools.cached_property
    def consent(self) -> ConsentSettings:
        from mail2task.config import ConsentSettings, load

        return load(ConsentSettings)

    @functools.cached_property
    def db(self) -> firestore.Client:
        from mail2task import store

        return self._db or store.firestore_client()

    @functools.cached_property
    def vault(self) -> TokenVault:
        from mail2task.oauth.vault import default_vault

        return self._vault or default_vault()

    @functools.cached_property
    def tokens(self) -> TokenClient:
        from mail2task.oauth.token_client import TokenClient

        settings = self.client
        return TokenClient(
            token_url=settings.token_url,
            revoke_url=settings.revoke_url,
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            transport=self._transport or shared_transport(),
            timeout=settings.http_timeout_seconds,
            clock=self.clock,
        )

    @functools.cached_property
    def google_keys(self) -> KeyCache:
        return key_cache(self.client.google_certs_url)
