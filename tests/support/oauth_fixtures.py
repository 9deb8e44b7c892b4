"""Fixtures of the oauth test packages (imported by their conftest files)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mail2task.local.devkey import DevSigner
from mail2task.local.oauth_standin import OAuthStandIn
from tests.support.oauth_env import REDIRECT_URL, Clock, configure, new_key
from tests.support.oauth_logscan import REGISTRY, CaptureHandler, capturing
from tests.support.secretmanager_standin import SecretManagerStandIn


@pytest.fixture(scope="package", autouse=True)
def log_capture() -> Iterator[CaptureHandler]:
    """All log output of the package at DEBUG; fails the package if any record holds a secret."""
    with capturing() as handler:
        yield handler
    leaks = handler.leaks(REGISTRY)
    if leaks:
        pytest.fail(f"{len(leaks)} log record(s) hold a secret:\n" + "\n".join(leaks[:20]), pytrace=False)


@pytest.fixture(scope="session")
def signer() -> DevSigner:
    return DevSigner(kid="oauth-tests")


@pytest.fixture
def standin(signer: DevSigner) -> Iterator[OAuthStandIn]:
    """Google's OAuth endpoints on loopback; every value it issues is registered as a secret."""
    server = OAuthStandIn(signer=signer, redirect_uris=(REDIRECT_URL,)).start()
    try:
        yield server
    finally:
        server.stop()
        REGISTRY.add(*server.issued)


@pytest.fixture
def token_key() -> str:
    return new_key()[0]


@pytest.fixture
def oauth_env(monkeypatch: pytest.MonkeyPatch, standin: OAuthStandIn, token_key: str) -> OAuthStandIn:
    """Every oauth setting pointed at the stand-in, with a fresh token key as version 1."""
    configure(monkeypatch, standin, key=token_key)
    return standin


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def secret_manager() -> Iterator[SecretManagerStandIn]:
    server = SecretManagerStandIn().start()
    try:
        yield server
    finally:
        server.stop()
