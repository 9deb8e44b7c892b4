"""Access and admin cards against their golden JSON, plus escaping and the card limits."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from mail2task.cards import access, admin
from mail2task.cards.widgets import MAX_SELECTION_ITEMS, MAX_WIDGETS, count_widgets
from mail2task.oauth import actions
from mail2task.tenancy.model import ALL_USERS, SPECIFIC_USERS, Person
from mail2task.tenancy.scopes import ADMIN_SCOPES, MEMBER_SCOPES
from tests.unit.cards.golden import assert_golden

APP = "mail2task"
INSTALL = "https://addon.test/install"
ADA = Person("100", "ada@acme.test", "Ada Lindqvist")
OAUTH = "https://addon.test/oauth"
CONNECT = access.Connect(OAUTH, MEMBER_SCOPES)
CONNECT_ADMIN = access.Connect(OAUTH, ADMIN_SCOPES)
SEEN = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def test_access_cards() -> None:
    assert_golden("access_consumer", access.consumer_card(APP))
    assert_golden("access_unlicensed", access.unlicensed_card(APP, None))
    assert_golden("access_uninstalled", access.unlicensed_card(APP, ADA, uninstalled=True))
    assert_golden("access_no_access", access.no_access_card(APP, ADA))
    assert_golden("access_removed", access.no_access_card(APP, ADA, removed=True))
    assert_golden("access_setup_connect", access.setup_needed_card(APP, CONNECT_ADMIN))
    assert_golden("access_setup_wait", access.setup_needed_card(APP, None))
    assert_golden("access_connect", access.connect_card(APP, CONNECT))
    assert_golden(
        "access_reconnect_admin", access.connect_card(APP, CONNECT_ADMIN, reconnect=True, admin=True)
    )


@pytest.mark.parametrize(
    ("built", "scopes"),
    [
        (access.connect_card(APP, CONNECT), MEMBER_SCOPES),
        (access.connect_card(APP, CONNECT_ADMIN, reconnect=True, admin=True), ADMIN_SCOPES),
        (access.setup_needed_card(APP, CONNECT_ADMIN), ADMIN_SCOPES),
    ],
    ids=["connect", "reconnect", "setup"],
)
def test_connect_buttons_ask_the_oauth_function_for_the_link_on_click(
    built: dict[str, object], scopes: tuple[str, ...]
) -> None:
    """No consent link on the card: the `oauth` function's connect action answers with one on click."""
    [on_click] = [
        b["onClick"]
        for w in built["sections"][0]["widgets"]  # type: ignore[index]
        for b in w.get("buttonList", {}).get("buttons", [])
    ]
    assert list(on_click) == ["openDynamicLinkAction"]
    dynamic = on_click["openDynamicLinkAction"]
    assert dynamic["function"] == OAUTH
    parameters = {p["key"]: p["value"] for p in dynamic["parameters"]}
    assert parameters == {"action": actions.CONNECT, "scopes": " ".join(scopes)}
    assert all(isinstance(p["value"], str) for p in dynamic["parameters"])  # strings only (protocol 5.2)
    assert "accounts.google.com" not in json.dumps(built)


def test_admin_names_are_escaped() -> None:
    evil = Person("1", "x@acme.test", '<a href="https://evil">Eve</a>')
    text = json.dumps(access.no_access_card(APP, evil))
    assert "<a href" not in text
    assert "&lt;a href=" in text


def test_admin_cards() -> None:
    assert_golden(
        "admin_home", admin.home_card(APP, INSTALL, domain="acme.test", mode=ALL_USERS, admins=[ADA])
    )
    rows = [
        admin.DirectoryRow("101", "bob@acme.test", "Bob Builder"),
        admin.DirectoryRow("102", "cy@acme.test", "Cy Young", state="pending", allowed=True),
    ]
    assert_golden(
        "admin_directory",
        admin.directory_card(APP, INSTALL, rows, query="b", next_page_token="tok2", mode=SPECIFIC_USERS),
    )
    assert_golden(
        "admin_directory_empty",
        admin.directory_card(APP, INSTALL, [], query="zz", next_page_token=None, mode=ALL_USERS),
    )
    members = [
        admin.MemberRow("100", "ada@acme.test", "Ada Lindqvist", "authorized", is_admin=True, last_seen=SEEN),
        admin.MemberRow("101", "bob@acme.test", "Bob Builder", "pending", invitation="sent"),
        admin.MemberRow("103", "dan@acme.test", "", "removed"),
    ]
    assert_golden("admin_members", admin.members_card(APP, INSTALL, members, cursor="c1", next_cursor="c2"))
    assert_golden("admin_member", admin.member_card(APP, INSTALL, members[1], is_self=False))
    assert_golden("admin_member_removed", admin.member_card(APP, INSTALL, members[2], is_self=False))
    assert_golden("admin_member_self", admin.member_card(APP, INSTALL, members[0], is_self=True))


def test_directory_page_keeps_the_limits() -> None:
    rows = [admin.DirectoryRow(str(i), f"u{i}@acme.test", f"User {i}") for i in range(150)]
    card = admin.directory_card(APP, INSTALL, rows, query="", next_page_token="t", mode=SPECIFIC_USERS)
    items = card["sections"][1]["widgets"][0]["selectionInput"]["items"]
    assert len(items) == MAX_SELECTION_ITEMS
    assert count_widgets(card) <= MAX_WIDGETS


@pytest.mark.parametrize("page", [1, 25])
def test_member_list_page_fits_a_card(page: int) -> None:
    rows = [admin.MemberRow(str(i), f"u{i}@acme.test", f"U {i}", "pending") for i in range(page)]
    assert count_widgets(admin.members_card(APP, INSTALL, rows, cursor=None, next_cursor="n")) <= MAX_WIDGETS
