"""End to end in headless Chromium: `make run`'s stack, the preview page playing Gmail, the real functions.

Ada is example.com's Workspace admin; the app is installed for her domain. She connects once (the OAuth
stand-in's consent in a popup, reload on close), then grants the per-message Gmail scope when the add-on
asks for it, creates tasks from sample messages and finds them again when she reopens their threads.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google.cloud import firestore
from playwright.sync_api import expect

from tests.browser.conftest import RunningStack
from tests.browser.gmail_page import GmailPage

OFFICE_MOVE = "Office move: network cabling for the 3rd floor"
INVOICE = "Question about invoice INV-2025-0117"
AGREEMENT = "Signed service agreement and 2025 price list"


@pytest.fixture(scope="module")
def ada_connected(stack: RunningStack, browser: Any) -> None:
    """The first admin's onboarding, through the page: connect, consent, come back as the app admin."""
    gmail = GmailPage.open(browser, stack.preview_url, "ada")
    expect(gmail.panel).to_contain_text("mail2task has not been set up for your organization yet")
    # the button asks the `oauth` function for the consent link (openDynamicLinkAction); Gmail opens it
    with gmail.page.expect_popup() as opened:
        gmail.button("Connect and set up").click()
    popup = opened.value
    expect(popup.locator("body")).to_contain_text("mail2task is connected")
    popup.close()  # Gmail reloads the add-on when the window it opened closes (onClose: RELOAD)
    expect(gmail.panel).to_contain_text("My tasks")
    gmail.close()


@pytest.fixture
def ada(stack: RunningStack, browser: Any, ada_connected: None) -> Iterator[GmailPage]:
    gmail = GmailPage.open(browser, stack.preview_url, "ada")
    yield gmail
    gmail.close()


def tasks_of(stack: RunningStack, tenant: str, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", stack.emulator.host)
    client = firestore.Client(project=stack.emulator.project)
    try:
        return [doc.to_dict() or {} for doc in client.collection(f"tenants/{tenant}/tasks").stream()]
    finally:
        client.close()


def test_create_a_task_then_reopening_the_thread_shows_the_linked_task(
    ada: GmailPage, stack: RunningStack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada.open_message(OFFICE_MOVE)
    assert ada.allow_consent() == ["gmail.addons.current.message.readonly"]  # granular consent, then re-run
    title = ada.panel.get_by_label("Title")
    expect(title).to_have_value(OFFICE_MOVE)
    expect(ada.panel).to_contain_text("Jonas Weber <jonas.weber@example.com>")
    title.fill("Get two cabling quotes for the 3rd floor")
    ada.panel.get_by_label("Due date").fill("2025-04-01")
    ada.button("Create task").click()

    expect(ada.panel).to_contain_text("Get two cabling quotes for the 3rd floor")
    expect(ada.panel).to_contain_text("Ada Lindqvist <ada@example.com>")
    expect(ada.panel).to_contain_text("Tue, 01 Apr 2025")
    expect(ada.button("Mark done")).to_be_visible()

    ada.open_message(AGREEMENT)  # another thread: the form
    expect(ada.button("Create task")).to_be_visible()
    ada.open_message(f"Re: {OFFICE_MOVE}")  # the same thread, its later message: the linked task
    expect(ada.panel).to_contain_text("Linked task")
    expect(ada.panel).to_contain_text("Get two cabling quotes for the 3rd floor")
    expect(ada.button("Add this message to the task")).to_be_visible()
    expect(ada.button("Create task")).to_have_count(0)
    ada.page.screenshot(path=str(tmp_path / "linked-task.png"))

    ada.button("Add this message to the task").click()
    expect(ada.panel).to_contain_text("Messages added1")
    ada.open_message(f"Re: {OFFICE_MOVE}")
    expect(ada.panel).to_contain_text("This message is on the task.")
    ada.open_message(OFFICE_MOVE)
    expect(ada.panel).to_contain_text("The task was made from this message.")
    [task] = [
        t for t in tasks_of(stack, "example.com", monkeypatch) if t["title"].startswith("Get two cabling")
    ]
    assert task["author"]["kind"] == "user"
    assert task["author"]["email"] == "ada@example.com"


def test_create_task_from_sender_records_the_sender_as_author(
    ada: GmailPage, stack: RunningStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada.open_message(INVOICE)
    ada.allow_consent()  # a new browser: the scope is granted again
    ada.button("Create task from sender").click()

    # The message's Reply-To, not its From, is the author; Ada is recorded as the creator.
    expect(ada.panel).to_contain_text(
        "Northwind Accounts Payable <ap@northwind-trading.example> (the sender)"
    )
    expect(ada.panel).to_contain_text("Created by Ada Lindqvist")
    [task] = [t for t in tasks_of(stack, "example.com", monkeypatch) if t["title"] == INVOICE]
    author = task["author"]
    assert (author["kind"], author["email"]) == ("sender", "ap@northwind-trading.example")
    assert author["name"] == "Northwind Accounts Payable"
    assert task["creator"]["email"] == "ada@example.com"


def test_a_consumer_account_is_told_the_add_on_needs_workspace(stack: RunningStack, browser: Any) -> None:
    eve = GmailPage.open(browser, stack.preview_url, "eve")
    expect(eve.panel).to_contain_text("Google Workspace")
    expect(eve.button("Create task")).to_have_count(0)
    eve.close()
