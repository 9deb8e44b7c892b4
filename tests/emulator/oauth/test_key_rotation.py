"""Key rotation: old records keep opening (key fetched from Secret Manager), `keys rotate` re-seals them
all under the newest key, resumably and idempotently."""

from __future__ import annotations

import argparse
import json
from typing import Any

import pytest

from mail2task import store
from mail2task.commands import keys
from mail2task.local.oauth_standin import OAuthStandIn
from mail2task.oauth.access import credentials_for
from tests.conftest import PROJECT
from tests.support.oauth_env import GMAIL_SEND, Clock, new_key, seed_grant, stored_secrets
from tests.support.secretmanager_standin import SecretManagerStandIn

pytestmark = pytest.mark.usefixtures("oauth_env")
SECRET = f"projects/{PROJECT}/secrets/mail2task-token-key"


@pytest.fixture
def rotated(
    firestore: Any,
    standin: OAuthStandIn,
    secret_manager: SecretManagerStandIn,
    token_key: str,
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, str]:
    """Six grants sealed under version 1; then version 2 is added and the functions mount it."""
    client = secret_manager.client()
    client.create_secret(
        request={"parent": f"projects/{PROJECT}", "secret_id": "mail2task-token-key", "secret": {}}
    )
    client.add_secret_version(request={"parent": SECRET, "payload": {"data": token_key.encode()}})
    tokens = {str(1000 + i): seed_grant(firestore, standin, str(1000 + i), Clock()()) for i in range(6)}
    new_text, _ = new_key()
    client.add_secret_version(request={"parent": SECRET, "payload": {"data": new_text.encode()}})
    monkeypatch.setenv("TOKEN_ENCRYPTION_KEY", new_text)
    monkeypatch.setenv("TOKEN_ENCRYPTION_KEY_VERSION", "2")
    monkeypatch.setenv("MAIL2TASK_SECRET_MANAGER_HOST", secret_manager.host)
    return tokens


def key_ids(db: Any) -> list[str]:
    return sorted(d.get("keyId") for d in db.collection(store.TOKENS).stream())


def rotate(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    status = keys.run(argparse.Namespace())
    return status, json.loads(capsys.readouterr().out)


def test_old_records_open_after_the_key_moves_on(
    firestore: Any, rotated: dict[str, str], secret_manager: SecretManagerStandIn
) -> None:
    for sub, refresh_token in rotated.items():
        assert credentials_for(sub, [GMAIL_SEND]).refresh_token == refresh_token
    assert secret_manager.accesses == {f"{SECRET}/versions/1": 1}  # fetched once, then cached


def test_rotate_reseals_everything_once(
    firestore: Any, rotated: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert key_ids(firestore) == ["1"] * 6
    status, report = rotate(capsys)
    assert status == 0
    assert (report["target"], report["resealed"], report["failed"]) == ("2", 6, 0)
    assert key_ids(firestore) == ["2"] * 6
    for sub, refresh_token in rotated.items():
        assert stored_secrets(firestore, sub).refresh_token == refresh_token
    status, again = rotate(capsys)
    assert status == 0
    assert (again["resealed"], again["already_current"]) == (0, 6)


def test_rotate_targets_the_newest_secret_version_when_nothing_is_mounted(
    firestore: Any,
    rotated: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("TOKEN_ENCRYPTION_KEY")
    monkeypatch.delenv("TOKEN_ENCRYPTION_KEY_VERSION")
    status, report = rotate(capsys)
    assert status == 0
    assert report["target"] == "2"
    assert key_ids(firestore) == ["2"] * 6


def test_an_interrupted_rotation_resumes_after_its_checkpoint(
    firestore: Any, rotated: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    firestore.collection(store.RUNS).document("keys-rotate-2").set({"lastId": "1002", "done": False})
    status, report = rotate(capsys)
    assert status == 0
    assert report["resumed_after"] == "1002"
    assert report["scanned"] == 3
    assert report["resealed"] == 3
    assert key_ids(firestore) == ["1", "1", "1", "2", "2", "2"]
    _status, report = rotate(capsys)  # the checkpoint was cleared at the end: a full pass
    assert (report["resealed"], report["already_current"]) == (3, 3)
    assert key_ids(firestore) == ["2"] * 6


def test_unreadable_records_are_counted_not_dropped(
    firestore: Any,
    rotated: dict[str, str],
    secret_manager: SecretManagerStandIn,
    capsys: pytest.CaptureFixture[str],
) -> None:
    secret_manager.client().disable_secret_version(request={"name": f"{SECRET}/versions/1"})
    status, report = rotate(capsys)
    assert status == 1
    assert report["failed"] == 6
    assert key_ids(firestore) == ["1"] * 6  # still there for when the old version is re-enabled
