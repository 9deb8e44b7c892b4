"""Backend outages: a friendly card, never a raw 500, never a half-written task."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest

from mail2task import store
from mail2task.addon import context as addon_context
from mail2task.addon.contextual import contextual
from mail2task.addon.edge import run
from mail2task.google.gmail import GmailClient
from mail2task.tasks.model import Comment, PersonRef, thread_key
from tests.emulator.addon.conftest import ADA, AGREEMENT, OFFICE_MOVE, OFFICE_MOVE_REPLY, AddonStack
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


def test_the_outage_card_names_the_configured_app(
    stack: AddonStack, impatient_gmail, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APP_NAME", "Fjord Tasks")
    stack.member(ADA)
    stack.gmail.fail_next(4, 503)
    body = stack.client.open_message(ADA, AGREEMENT, AGREEMENT)[1]
    assert "Fjord Tasks could not reach one of the services it needs" in texts_of(body)
    assert "mail2task" not in texts_of(body)


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
    assert len(stack.gmail.requests) == 1  # the message was read once (its Message-ID finds its task)
    assert _nothing_written()


def _context(stack: AddonStack) -> Any:
    from mail2task.addon.context import AddonContext
    from mail2task.addon.request import verify_addon_request
    from mail2task.config import AddonSettings, load
    from tests.support.addon_requests import build_request

    url = ADDON_URL + "?trigger=contextual"
    body = stack.client.event(ADA, message_id=OFFICE_MOVE_REPLY, thread_id=OFFICE_MOVE)
    request = build_request(url, body, {"Authorization": f"Bearer {stack.client.system_token(url)}"})
    return AddonContext(verify_addon_request(request), load(AddonSettings))


def test_a_bug_after_a_write_gets_a_card_that_claims_nothing(
    stack: AddonStack, caplog: pytest.LogCaptureFixture
) -> None:
    """A failure that is no outage (here: rendering after the comment was committed) must not say
    "Nothing was saved"; it is logged with its traceback and answered with a card, never a raw 500."""
    stack.member(ADA)
    stack.client.action(CONVERT_URL, ADA, "create_task", message_id=OFFICE_MOVE, thread_id=OFFICE_MOVE)
    ctx = _context(stack)
    task_id = thread_key(ADA.sub, OFFICE_MOVE)

    def add_then_fail(ctx: Any) -> dict[str, Any]:
        task = ctx.tasks.get_for(task_id, ctx.identity.sub)
        ctx.tasks.add_comment(task, Comment("c" * 32, OFFICE_MOVE_REPLY, PersonRef("x@y.z"), "t", ADA.sub))
        raise ValueError("card has 101 widgets; the limit is 100")

    with caplog.at_level(logging.ERROR, logger="mail2task.addon.edge"):
        answer = run(ctx, add_then_fail)
    card = card_of(answer)
    assert card["header"]["title"] == "Something went wrong"
    assert "saved" not in texts_of(card).lower()
    assert "mail2task ran into an unexpected problem" in texts_of(card)
    [record] = [r for r in caplog.records if r.name == "mail2task.addon.edge"]
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], ValueError)
    assert (
        store.firestore_client().document(f"tenants/acme.test/tasks/{task_id}").get().get("commentCount") == 1
    )


@pytest.mark.parametrize(
    "error",
    ["store", "upstream", "grpc-unavailable", "deadline"],
)
def test_outages_raised_anywhere_keep_the_outage_card(stack: AddonStack, error: str) -> None:
    from google.api_core import exceptions

    from mail2task.errors import StoreUnavailable, UpstreamError

    raised = {
        "store": StoreUnavailable("Firestore failed"),
        "upstream": UpstreamError("Gmail unavailable"),
        "grpc-unavailable": exceptions.ServiceUnavailable("unavailable"),
        "deadline": exceptions.DeadlineExceeded("deadline"),
    }[error]
    stack.member(ADA)

    def fail(ctx: Any) -> dict[str, Any]:
        raise raised

    card = card_of(run(_context(stack), fail))
    assert card["header"]["title"] == "Temporarily unavailable"
    assert "Nothing was saved" in texts_of(card)
