"""Backend outages: a friendly card, never a raw 500, never a half-written task."""

from __future__ import annotations

import time

import pytest

from mail2task import store
from mail2task.addon import context as addon_context
from mail2task.addon.contextual import contextual
from mail2task.addon.edge import run
from mail2task.google.gmail import GmailClient
from tests.emulator.addon.conftest import ADA, AGREEMENT, AddonStack
from tests.support.addon_requests import ADDON_URL, CONVERT_URL, card_of, texts_of


def _nothing_written() -> bool:
    db = store.firestore_client()
    return (
        not db.collection("tenants/acme.test/tasks").get()
        and not db.collection("tenants/acme.test/threads").get()
    )


@pytest.fixture
def impatient_gmail(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Gmail client factory without backoff sleeps (the retries themselves still happen)."""

    def factory(event, settings):
        return GmailClient(
            event.user_oauth_token,
            event.gmail_access_token,
            endpoint=settings.gmail_api_endpoint,
            sleep=lambda _: None,
        )

    monkeypatch.setattr(addon_context, "gmail_client", factory)


def test_gmail_failing_after_retries_gives_a_card_and_no_task(stack: AddonStack, impatient_gmail) -> None:
    stack.member(ADA)
    stack.gmail.fail_next(4, 503)
    status, body = stack.client.action(
        CONVERT_URL, ADA, "create_task", message_id=AGREEMENT, thread_id=AGREEMENT
    )
    assert status == 200
    assert card_of(body)["header"]["title"] == "Temporarily unavailable"
    assert "Nothing was saved" in texts_of(body)
    assert [r.status for r in stack.gmail.requests] == [503] * 4
    assert _nothing_written()


def test_gmail_recovering_within_the_retries_is_invisible(stack: AddonStack, impatient_gmail) -> None:
    stack.member(ADA)
    stack.gmail.fail_next(2, 500)
    status, body = stack.client.open_message(ADA, AGREEMENT, AGREEMENT)
    assert status == 200
    assert card_of(body)["name"] == "create-task"


def test_an_attachment_failing_midway_leaves_nothing_half_written(stack: AddonStack, impatient_gmail) -> None:
    stack.member(ADA)
    stack.gmail.fail_next(4, 500, match="/attachments/")
    status, body = stack.client.action(
        CONVERT_URL,
        ADA,
        "create_task",
        message_id=AGREEMENT,
        thread_id=AGREEMENT,
        form={"attachments": ["1", "2"]},
    )
    assert status == 200
    assert card_of(body)["header"]["title"] == "Temporarily unavailable"
    assert _nothing_written()
    status, body = stack.client.action(
        CONVERT_URL,
        ADA,
        "create_task",
        message_id=AGREEMENT,
        thread_id=AGREEMENT,
        form={"attachments": ["1", "2"]},
    )
    assert card_of(body)["name"] == "task"  # trying again later works


def test_unreachable_firestore_gives_a_card_within_the_timeout(stack: AddonStack, monkeypatch) -> None:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import firestore

    from mail2task.addon.context import AddonContext
    from mail2task.addon.request import verify_addon_request
    from mail2task.config import AddonSettings, load
    from mail2task.local.emulator import free_port
    from mail2task.tasks.repository import TaskRepository
    from tests.support.addon_requests import build_request

    stack.member(ADA)
    url = ADDON_URL + "?trigger=contextual"
    body = stack.client.event(ADA, message_id=AGREEMENT, thread_id=AGREEMENT)
    request = build_request(url, body, {"Authorization": f"Bearer {stack.client.system_token(url)}"})
    ctx = AddonContext(verify_addon_request(request), load(AddonSettings))
    with monkeypatch.context() as patch:
        patch.setenv("FIRESTORE_EMULATOR_HOST", f"127.0.0.1:{free_port()}")  # nothing listens there
        down = firestore.Client(project="demo-mail2task", credentials=AnonymousCredentials())
    ctx.tasks = TaskRepository("acme.test", client=down, timeout=1.5)
    started = time.monotonic()
    answer = run(ctx, contextual)
    assert time.monotonic() - started < 10
    assert card_of(answer)["header"]["title"] == "Temporarily unavailable"
    assert not stack.gmail.requests  # the message was not even read
