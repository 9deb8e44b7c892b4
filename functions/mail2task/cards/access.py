"""Cards shown instead of the app: consumer account, unlicensed, no access, not set up, (re)connect."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from mail2task.cards.widgets import Card, Widget, action, button, buttons, card, paragraph, section
from mail2task.tenancy.model import Person

CONNECT_ACTION = "connect"  # the `oauth` function's card action that answers with a consent link


@dataclass(frozen=True)
class Connect:
    """What a connect button asks for: the `oauth` function (its public URL) and the scopes to grant."""

    oauth_url: str
    scopes: tuple[str, ...]


def _html(text: str) -> Widget:
    return paragraph(text, raw_html=True)


def _connect_button(text: str, connect: Connect) -> Widget:
    """On click, the `oauth` function starts a consent and answers with Google's consent link, which
    Gmail opens over itself and reloads the add-on when it is closed; showing the card starts nothing."""
    params = {"action": CONNECT_ACTION, "scopes": " ".join(connect.scopes)}
    on_click = {"openDynamicLinkAction": action(connect.oauth_url, params)}
    return buttons(button(text, on_click, filled=True))


def _contact(person: Person | None) -> str:
    if person is None:
        return "your Google Workspace administrator"
    if person.name:
        return f"<b>{escape(person.name)}</b> ({escape(person.email)})"
    return f"<b>{escape(person.email)}</b>"


def consumer_card(app: str) -> Card:
    text = (
        f"{escape(app)} works only with Google Workspace (work or school) accounts. "
        "Switch to your work account in Gmail to use it."
    )
    return card(app, [section([_html(text)])], subtitle="Work accounts only", name="access-consumer")


def unlicensed_card(app: str, contact: Person | None, *, uninstalled: bool = False) -> Card:
    if uninstalled:
        lead = f"{escape(app)} was uninstalled for your organization."
        ask = (
            f"To use it again, ask {_contact(contact)} to reinstall it from the Google Workspace "
            "Marketplace. Your tasks are kept for a while, so reinstalling soon brings them back."
        )
    else:
        lead = f"{escape(app)} is not installed for your account."
        ask = (
            f"Ask {_contact(contact)} to install it for your organization from the Google Workspace "
            "Marketplace, or install it for yourself there if your organization allows it."
        )
    return card(app, [section([_html(lead), _html(ask)])], subtitle="Not installed", name="access-unlicensed")


def no_access_card(app: str, contact: Person | None, *, removed: bool = False) -> Card:
    if removed:
        lead = f"Your access to {escape(app)} was removed by your organization's app admin."
    else:
        lead = f"Your organization has not given you access to {escape(app)} yet."
    ask = (
        f"Your app admin is {_contact(contact)}. Ask them to add you: in {escape(app)} they open "
        "<b>Manage access</b> and choose you from the directory. You may get an email when you are added."
    )
    return card(app, [section([_html(lead), _html(ask)])], subtitle="No access yet", name="access-denied")


def setup_needed_card(app: str, connect: Connect | None) -> Card:
    lead = f"{escape(app)} has not been set up for your organization yet."
    if connect is None:
        widgets = [
            _html(lead),
            _html(
                "A Google Workspace administrator of your organization sets it up the first time they "
                f"open {escape(app)} in Gmail. Ask one of them to do so."
            ),
        ]
    else:
        widgets = [
            _html(lead),
            _html(
                "The first Google Workspace administrator who opens it becomes its app admin and decides "
                f"who may use it. If you are an administrator, connect your account so {escape(app)} can "
                "confirm it."
            ),
            _connect_button("Connect and set up", connect),
        ]
    return card(app, [section(widgets)], subtitle="Not set up yet", name="access-setup")


def connect_card(app: str, connect: Connect, *, reconnect: bool = False, admin: bool = False) -> Card:
    if reconnect:
        title, label = "Reconnect your account", "Reconnect"
        lead = f"{escape(app)} lost permission to act for you (it was revoked or expired)."
    else:
        title, label = "Connect your account", "Connect"
        lead = f"You have access to {escape(app)}. One step left: give it permission to act for you."
    detail = "Google will ask you to confirm what it may do. You can disconnect at any time."
    if admin:
        detail += " As app admin you also let it read your directory, to pick people, and send invitations."
    widgets = [_html(lead), _html(detail), _connect_button(label, connect)]
    return card(app, [section(widgets)], subtitle=title, name="access-connect")
