"""The page's card renderer in Chromium: every widget kind renders, and form values come back in the
event's ``formInputs`` shapes (stringInputs, dateInput, dateTimeInput, timeInput)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mail2task.addon.deployment import FunctionUrls, descriptor
from mail2task.local import identities
from mail2task.local.devkey import DevSigner
from mail2task.local.gmail_standin import GmailStandIn
from mail2task.local.host import GmailHost
from mail2task.local.preview import create_app
from mail2task.local.servers import LoopbackServer

ACTION = {
    "action": {"function": "http://127.0.0.1:9/convert", "parameters": [{"key": "action", "value": "go"}]}
}
CARD: dict[str, Any] = {
    "header": {"title": "Every widget", "subtitle": "<b>bold</b> subtitle"},
    "sections": [
        {
            "header": "Inputs",
            "widgets": [
                {
                    "textParagraph": {
                        "text": 'Hi <b>there</b> <a href="https://example.com/x">link</a><script>x</script>'
                    }
                },
                {"textInput": {"name": "title", "label": "Title", "value": "Prefilled"}},
                {"textInput": {"name": "empty", "label": "Empty"}},
                {
                    "selectionInput": {
                        "name": "files",
                        "label": "Files",
                        "type": "CHECK_BOX",
                        "items": [
                            {"text": "a.pdf", "value": "a", "selected": True},
                            {"text": "b.csv", "value": "b", "selected": False},
                            {"text": "c.png", "value": "c", "selected": True},
                        ],
                    }
                },
                {
                    "selectionInput": {
                        "name": "who",
                        "label": "Assignee",
                        "type": "DROPDOWN",
                        "items": [
                            {"text": "Me", "value": "me"},
                            {"text": "Ben", "value": "ben", "selected": True},
                        ],
                    }
                },
                {
                    "selectionInput": {
                        "name": "level",
                        "label": "Level",
                        "type": "RADIO_BUTTON",
                        "items": [
                            {"text": "Low", "value": "low"},
                            {"text": "High", "value": "high", "selected": True},
                        ],
                    }
                },
                {
                    "dateTimePicker": {
                        "name": "due",
                        "label": "Due",
                        "type": "DATE_ONLY",
                        "valueMsEpoch": "1743465600000",
                    }
                },
                {"dateTimePicker": {"name": "remind", "label": "Remind", "type": "DATE_AND_TIME"}},
                {"dateTimePicker": {"name": "slot", "label": "Slot", "type": "TIME_ONLY"}},
                {
                    "decoratedText": {
                        "topLabel": "Notify",
                        "text": "Email me",
                        "startIcon": {"knownIcon": "EMAIL"},
                        "switchControl": {"name": "notify", "value": "yes", "selected": True},
                    }
                },
            ],
        },
        {
            "collapsible": True,
            "uncollapsibleWidgetsCount": 1,
            "widgets": [
                {"divider": {}},
                {"image": {"imageUrl": "https://example.com/i.png", "altText": "a chart"}},
                {
                    "buttonList": {
                        "buttons": [
                            {"text": "Go", "onClick": ACTION},
                            {"text": "Docs", "onClick": {"openLink": {"url": "https://example.com/docs"}}},
                        ]
                    }
                },
                {"carousel": {}},
            ],
        },
    ],
    "fixedFooter": {"primaryButton": {"text": "Save", "onClick": ACTION}},
}

RENDER = """async (card) => {
  const cards = await import("/static/cards.js");
  const clicks = [];
  const node = cards.renderCard(card, { onClick: (c) => clicks.push(c), onOpenLink: () => {} });
  document.querySelector("#panel").replaceChildren(node);
  window.__clicks = clicks;
  window.__collect = () => cards.collectInputs(node);
  return cards.countWidgets(card);
}"""


@pytest.fixture(scope="module")
def preview_url() -> Iterator[str]:
    with GmailStandIn() as gmail:
        host = GmailHost(
            DevSigner(),
            gmail,
            "http://127.0.0.1:9",
            identities.LOCAL_SERVICE_ACCOUNT,
            identities.LOCAL_OAUTH_CLIENT_ID,
        )
        app = create_app(host, descriptor(FunctionUrls.from_base("http://127.0.0.1:9")))
        with LoopbackServer("preview", app) as server:
            yield server.url


def test_widgets_render_and_form_values_come_back_in_event_shapes(browser: Any, preview_url: str) -> None:
    from playwright.sync_api import expect

    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route("**/api/invoke", lambda route: route.abort())  # the page's own triggers stay local
    page.goto(preview_url)
    expect(page.locator("#panel .error-box")).to_be_visible()  # the homepage trigger went nowhere
    assert page.evaluate(RENDER, CARD) == 14
    panel = page.locator("#panel")
    expect(panel.locator(".card-title")).to_have_text("Every widget")
    expect(panel.locator(".w-text b")).to_have_text("there")
    assert panel.locator(".w-text script").count() == 0  # only the card HTML subset survives
    assert panel.locator(".w-text a").get_attribute("target") == "_blank"
    expect(panel.locator(".w-image")).to_be_hidden()  # collapsed past the first widget
    panel.get_by_role("button", name="Show more").click()
    expect(panel.locator(".w-image")).to_have_text("[image: a chart]")
    expect(panel.get_by_role("link", name="Docs")).to_have_attribute("href", "https://example.com/docs")
    expect(panel.locator(".unsupported")).to_contain_text("carousel")

    expect(panel.get_by_label("Due")).to_have_value("2025-04-01")
    panel.get_by_label("Empty").fill("")
    panel.get_by_label("b.csv").check()
    panel.get_by_label("a.pdf").uncheck()
    panel.get_by_label("Remind").fill("2025-04-02T09:30")
    panel.get_by_label("Slot").fill("14:05")
    inputs = page.evaluate("window.__collect()")
    assert inputs == {
        "title": {"stringInputs": {"value": ["Prefilled"]}},
        "files": {"stringInputs": {"value": ["b", "c"]}},
        "who": {"stringInputs": {"value": ["ben"]}},
        "level": {"stringInputs": {"value": ["high"]}},
        "due": {"dateInput": {"msSinceEpoch": "1743465600000"}},
        "remind": {"dateTimeInput": {"msSinceEpoch": "1743586200000", "hasDate": True, "hasTime": True}},
        "slot": {"timeInput": {"hours": 14, "minutes": 5}},
        "notify": {"stringInputs": {"value": ["yes"]}},
    }
    panel.get_by_role("button", name="Go").click()
    panel.get_by_role("button", name="Save").click()
    assert page.evaluate("window.__clicks") == [ACTION, ACTION]
    assert errors == []
    context.close()
