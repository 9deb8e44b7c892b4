"""The invitation email: headers safe against injection, non-ASCII names encoded, the right people."""

from __future__ import annotations

import email
import email.policy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mail2task.tenancy.model import Person
from mail2task.tenancy.notifications import checked_address, clean_display_name, invitation_message

ADA = Person("1", "ada@acme.test", "Ada Lindqvist")


def _message(sender: Person, recipient: Person) -> email.message.EmailMessage:
    raw = invitation_message(sender, recipient, app="mail2task", start_url="https://mail.google.com/",
                             message_id="101-1.acme.test")  # fmt: skip
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


def test_names_the_admin_the_app_and_the_link() -> None:
    message = _message(ADA, Person("2", "bob@acme.test", "Bob Builder"))
    assert message["From"].addresses[0].addr_spec == "ada@acme.test"
    assert message["To"].addresses[0].addr_spec == "bob@acme.test"
    assert message["Subject"] == "Ada Lindqvist gave you access to mail2task"
    body = message.get_content()
    assert "Ada Lindqvist (ada@acme.test)" in body
    assert "https://mail.google.com/" in body
    assert message["Message-ID"] == "<101-1.acme.test@mail2task.invalid>"


def test_crlf_in_names_cannot_add_headers() -> None:
    sender = Person("1", "ada@acme.test", "Ada\r\nBcc: everyone@evil.test")
    recipient = Person("2", "bob@acme.test", "Bob\nX-Injected: yes")
    raw = invitation_message(sender, recipient, app="mail2task\r\nBcc: x@evil.test", start_url="https://x",
                             message_id="m")  # fmt: skip
    headers = raw.split(b"\r\n\r\n", 1)[0]
    assert b"\r\nBcc:" not in headers
    assert b"\r\nX-Injected" not in headers
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Bcc"] is None
    assert parsed["X-Injected"] is None
    assert parsed["To"].addresses[0].addr_spec == "bob@acme.test"


def test_non_ascii_names_are_rfc2047_encoded() -> None:
    sender, recipient = Person("1", "ada@acme.test", "Åsa Öberg"), Person("2", "bob@acme.test", "Zoë 李")
    raw = invitation_message(sender, recipient, app="mail2task", start_url="https://x", message_id="m")
    headers = raw.split(b"\r\n\r\n", 1)[0]
    headers.decode("ascii")  # every header byte is ASCII
    assert b"=?utf-8?" in headers
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["From"].addresses[0].display_name == "Åsa Öberg"
    assert parsed["To"].addresses[0].display_name == "Zoë 李"


@pytest.mark.parametrize(
    "bad", ["bob@acme.test\r\nBcc: x@evil.test", "Bob <bob@acme.test>", "bob", "", "a@b"]
)
def test_addresses_must_be_plain(bad: str) -> None:
    with pytest.raises(ValueError, match="plain email"):
        checked_address(bad)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_any_display_name_yields_one_line_headers(name: str) -> None:
    cleaned = clean_display_name(name)
    assert "\r" not in cleaned
    assert "\n" not in cleaned
    assert len(cleaned) <= 100
    raw = invitation_message(Person("1", "ada@acme.test", name), ADA, app="mail2task", start_url="https://x",
                             message_id="m")  # fmt: skip
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert [a.addr_spec for a in parsed["From"].addresses] == ["ada@acme.test"]
    assert parsed["Bcc"] is None
