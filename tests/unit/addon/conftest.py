"""Unit fixtures of the add-on: the local-profile environment with a loopback certificate endpoint."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mail2task.addon import request as addon_request
from tests.support.addon_requests import AddonClient, CertsServer, addon_env, certs_server


@pytest.fixture(scope="module")
def client() -> AddonClient:
    return AddonClient()


@pytest.fixture
def certs(client: AddonClient, monkeypatch: pytest.MonkeyPatch) -> Iterator[CertsServer]:
    with certs_server(client.signer) as server:
        for name, value in addon_env(server.url).items():
            monkeypatch.setenv(name, value)
        addon_request.key_cache.cache_clear()
        yield server
        addon_request.key_cache.cache_clear()
