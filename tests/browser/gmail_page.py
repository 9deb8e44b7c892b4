"""The preview page as a test sees it: pick a user, open messages, click card buttons, answer consent."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Locator, Page, expect

TIMEOUT_MS = 30_000


@dataclass
class GmailPage:
    page: Page
    errors: list[str] = field(default_factory=list)  # uncaught JavaScript errors

    @classmethod
    def open(cls, browser: Any, url: str, user: str = "ada") -> GmailPage:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(f"localStorage.setItem('mail2task.user', {json.dumps(user)})")
        gmail = cls(context.new_page())
        page = gmail.page
        page.on("pageerror", lambda error: gmail.errors.append(str(error)))
        page.goto(url)
        expect(page.locator("body")).to_have_attribute("data-ready", "true")
        expect(page.locator("#user")).to_have_value(user)
        return gmail

    @property
    def panel(self) -> Locator:
        return self.page.locator("#panel")

    def close(self) -> None:
        assert not self.errors, self.errors
        self.page.context.close()

    def open_message(self, subject: str) -> None:
        """Click the message whose subject is exactly ``subject`` (Gmail then runs the contextual trigger)."""
        exact = re.compile(rf"^{re.escape(subject)}( · \d+ attachments?)?$")
        row = self.page.locator("#messages li").filter(has=self.page.locator(".subject", has_text=exact))
        row.click()
        expect(self.page.locator("#reader h1")).to_have_text(subject)

    def button(self, name: str) -> Locator:
        return self.panel.get_by_role("button", name=name, exact=True)

    def allow_consent(self) -> list[str]:
        """Accept the granular-consent prompt; the add-on re-runs the last action. Returns the scopes."""
        dialog = self.page.get_by_role("dialog")
        expect(dialog).to_be_visible()
        scopes = dialog.locator("li").all_inner_texts()
        dialog.get_by_role("button", name="Allow").click()
        expect(dialog).to_be_hidden()
        return scopes
