"""The callback page (self-contained, hardened headers, no open redirect) and the scope allowlist."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from mail2task.errors import BadRequest
from mail2task.oauth import pages, scopes
from mail2task.oauth.consent import Outcome
from mail2task.tenancy.scopes import ADMIN_SCOPES, MEMBER_SCOPES


@pytest.mark.parametrize("kind", ["connected", "denied", "invalid", "wrong_account", "failed", "unknown"])
def test_every_page_is_self_contained_and_hardened(kind: str) -> None:
    body, status, headers = pages.render(Outcome(kind, 400))
    assert status == 400
    assert isinstance(body, str)
    assert headers["Cache-Control"] == "no-store"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert not re.search(r"<script|src=|href=|@import|url\(", body)
    style = re.search(r"<style>(.*)</style>", body)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in headers["Content-Security-Policy"]  # the only style allowed


def test_return_target_is_a_303_only_after_success_or_denial() -> None:
    _, status, headers = pages.render(Outcome("connected", 200, "https://app.example/done"))
    assert (status, headers["Location"]) == (303, "https://app.example/done")
    assert headers["Referrer-Policy"] == "no-referrer"
    _, status, headers = pages.render(Outcome("invalid", 400, "https://app.example/done"))
    assert status == 400
    assert "Location" not in headers


def test_requested_scopes_always_include_identity_and_email() -> None:
    assert scopes.requested(["https://www.googleapis.com/auth/gmail.send", "email"]) == (
        "https://www.googleapis.com/auth/gmail.send",
        "https://www.googleapis.com/auth/userinfo.email",
        "openid",
    )


@pytest.mark.parametrize(
    "bad",
    [
        "https://www.googleapis.com/auth/gmail.send",  # a string, not a list
        ["https://evil.example/scope"],
        ["https://www.googleapis.com/auth/a b"],
        ["x" * 300],
        ["https://www.googleapis.com/auth/gmail.send"] * 30,
        [None],
    ],
)
def test_bad_scope_lists_are_refused(bad: object) -> None:
    with pytest.raises(BadRequest):
        scopes.requested(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "scope",
    [
        "https://mail.google.com/",  # all of Gmail
        "https://www.googleapis.com/auth/drive",
        "https://www.googleapis.com/auth/tasks",
        "https://www.googleapis.com/auth/admin.directory.user",  # write access to the directory
        "profile",
    ],
)
def test_google_scopes_outside_the_allowlist_are_refused(scope: str) -> None:
    with pytest.raises(BadRequest, match="scope not allowed"):
        scopes.requested(["https://www.googleapis.com/auth/gmail.send", scope])


def test_the_allowlist_covers_what_tenancy_asks_people_for() -> None:
    """The access cards' connect buttons ask for these; the connect action must accept them as they are."""
    assert set(ADMIN_SCOPES) == scopes.GRANTABLE
    assert scopes.requested(MEMBER_SCOPES) == tuple(sorted(MEMBER_SCOPES))
    assert scopes.requested(ADMIN_SCOPES) == tuple(sorted(ADMIN_SCOPES))


def test_missing_understands_aliases() -> None:
    granted = ["openid", "https://www.googleapis.com/auth/userinfo.email"]
    assert scopes.missing(["email", "openid"], granted) == ()
    assert scopes.missing(["profile"], granted) == ("https://www.googleapis.com/auth/userinfo.profile",)
