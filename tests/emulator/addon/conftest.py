"""The add-on emulator tier: signed requests through the entry points, Gmail stand-in, real Firestore."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from mail2task.addon import request as addon_request
from mail2task.addon.people import PICKER_CACHE
from mail2task.local.gmail_standin import GmailStandIn
from tests.support.addon_requests import AddonClient, CertsServer, User, addon_env, certs_server, seed_member

ACME = "acme.test"
GLOBEX = "globex.test"
ADA = User("100000000000000000001", "ada@acme.test", ACME, "Ada Lindqvist")
BEN = User("100000000000000000002", "ben@acme.test", ACME, "Ben Carter")
CARL = User("100000000000000000003", "carl@acme.test", ACME, "Carl Outsider")
GINA = User("200000000000000000001", "gina@globex.test", GLOBEX, "Gina Globex")

# Sample mailbox ids (functions/mail2task/local/samples): the office-move thread has two messages.
OFFICE_MOVE = "1956140c6b05ee18"
OFFICE_MOVE_REPLY = "195654683f838a76"
INVOICE = "1955b1074c0b58fb"
AGREEMENT = "19571447e0870926"  # two attachments


@dataclass
class AddonStack:
    client: AddonClient
    certs: CertsServer
    gmail: GmailStandIn

    def member(
        self, user: User, *, consent: str = "granted", admin: bool = False, access: str = "none"
    ) -> None:
        seed_member(user, consent=consent, admin=admin, access=access)


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[AddonStack]:
    client = AddonClient()
    with certs_server(client.signer) as certs, GmailStandIn() as gmail:
        for name, value in addon_env(certs.url, gmail.endpoint).items():
            monkeypatch.setenv(name, value)
        addon_request.key_cache.cache_clear()
        PICKER_CACHE.clear()
        yield AddonStack(client, certs, gmail)
        addon_request.key_cache.cache_clear()
        PICKER_CACHE.clear()
