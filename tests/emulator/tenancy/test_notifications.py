"""Invitation emails: sent once per person per addition, through Gmail as the admin, even across crashes."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass

import pytest
from google.auth.credentials import Credentials

from mail2task.identity import Identity
from mail2task.tenancy import notifications, people
from mail2task.tenancy.notifications import SENDING_LEASE
from mail2task.tenancy.runtime import Mailer
from tests.emulator.tenancy.harness import Stack


class Crash(BaseException):
    """The process dies (nothing after this line runs)."""


@dataclass
class CrashingMailer:
    real: Mailer
    after_send: bool

    def send(self, credentials: Credentials, raw: bytes) -> str:
        if self.after_send:
            self.real.send(credentials, raw)
        raise Crash


def _invite(env: Stack, *names: str) -> tuple[Identity, list[Identity]]:
    ada = env.install_with_admin()
    invited = [env.person(f"{n.lower()}@acme.test", f"{n} Example") for n in names]
    people.add_people(env.ctx(ada), [p.sub for p in invited], env.runtime, notify=True)
    return ada, invited


def test_invitation_sent_as_the_admin(env: Stack) -> None:
    _, (bob,) = _invite(env, "Bob")
    report = notifications.deliver_pending("acme.test", env.runtime)
    assert report.sent == [f"{bob.sub}-1"]
    (sent,) = env.gmail.sent
    message = email.message_from_bytes(sent.raw, policy=email.policy.default)
    assert message["From"].addresses[0].addr_spec == "ada@acme.test"
    assert message["To"].addresses[0].addr_spec == "bob@acme.test"
    assert "Ada Lindqvist" in message["Subject"]
    assert env.member_doc("acme.test", bob.sub)["notification"] == {"id": f"{bob.sub}-1", "state": "sent"}
    assert env.tenant_doc("acme.test")["notificationsPending"] is False
    # delivering again (a retried run) sends nothing more
    assert notifications.deliver_pending("acme.test", env.runtime).sent == []
    assert len(env.gmail.sent) == 1


def test_retry_after_a_crash_between_send_and_record_sends_once(env: Stack) -> None:
    _, (bob,) = _invite(env, "Bob")
    real = env.runtime.mail_sender()
    env.runtime.mailer = CrashingMailer(real, after_send=True)
    with pytest.raises(Crash):
        notifications.deliver_pending("acme.test", env.runtime)
    assert len(env.gmail.sent) == 1
    env.runtime.mailer = real
    soon = notifications.deliver_pending("acme.test", env.runtime)  # another run while the claim is fresh
    assert (soon.sent, soon.in_flight, soon.remaining) == ([], 1, True)
    env.clock.advance(seconds=SENDING_LEASE.total_seconds())
    later = notifications.deliver_pending("acme.test", env.runtime)
    assert later.uncertain == [f"{bob.sub}-1"]
    assert len(env.gmail.sent) == 1  # at most once: never sent twice
    assert env.member_doc("acme.test", bob.sub)["notification"]["state"] == "uncertain"


def test_crash_before_sending_is_visible_and_can_be_resent(env: Stack) -> None:
    ada, (bob,) = _invite(env, "Bob")
    real = env.runtime.mail_sender()
    env.runtime.mailer = CrashingMailer(real, after_send=False)
    with pytest.raises(Crash):
        notifications.deliver_pending("acme.test", env.runtime)
    env.runtime.mailer = real
    env.clock.advance(seconds=SENDING_LEASE.total_seconds())
    assert notifications.deliver_pending("acme.test", env.runtime).uncertain == [f"{bob.sub}-1"]
    assert env.gmail.sent == []
    assert people.resend_invitation(env.ctx(ada), bob.sub) == f"{bob.sub}-2"
    assert notifications.deliver_pending("acme.test", env.runtime).sent == [f"{bob.sub}-2"]
    assert len(env.gmail.sent) == 1


def test_refused_sends_are_retried_and_unknown_outcomes_are_not(env: Stack) -> None:
    _, (bob, cy) = _invite(env, "Bob", "Cy")
    env.gmail.fail_next(1, 429)  # refused: certainly not sent
    first = notifications.deliver_pending("acme.test", env.runtime)
    assert len(first.retry) == 1
    assert len(first.sent) == 1
    second = notifications.deliver_pending("acme.test", env.runtime)
    assert len(second.sent) == 1
    assert len(env.gmail.sent) == 2

    dan = env.person("dan@acme.test", "Dan Example")
    people.add_people(env.ctx(env.identity("ada@acme.test")), [dan.sub], env.runtime, notify=True)
    env.gmail.fail_next(1, 500)  # may have been sent: not retried automatically
    third = notifications.deliver_pending("acme.test", env.runtime)
    assert third.uncertain == [f"{dan.sub}-1"]
    assert notifications.deliver_pending("acme.test", env.runtime).sent == []
    assert len(env.gmail.sent) == 2
    assert {bob.sub, cy.sub}  # both invited exactly once above


def test_re_adding_a_removed_person_is_a_new_addition(env: Stack) -> None:
    ada, (bob,) = _invite(env, "Bob")
    notifications.deliver_pending("acme.test", env.runtime)
    people.remove_person(env.ctx(ada), bob.sub, env.runtime)
    people.add_people(env.ctx(ada), [bob.sub], env.runtime, notify=True)
    assert notifications.deliver_pending("acme.test", env.runtime).sent == [f"{bob.sub}-2"]
    assert len(env.gmail.sent) == 2


def test_an_admin_without_gmail_consent_gets_a_failed_invitation(env: Stack) -> None:
    ada, (bob,) = _invite(env, "Bob")
    env.grants.granted[ada.sub] = frozenset({"openid"})
    report = notifications.deliver_pending("acme.test", env.runtime)
    assert report.failed == [f"{bob.sub}-1"]
    assert env.member_doc("acme.test", bob.sub)["notification"]["state"] == "failed"
    assert env.gmail.sent == []


def test_an_invitation_queued_by_an_admin_demoted_since_is_not_sent(env: Stack) -> None:
    from mail2task.tenancy import admins

    ada, (bob,) = _invite(env, "Bob")
    cy = env.person("cy@acme.test", "Cy Example")
    env.connect(cy)
    admins.name_admin(env.ctx(ada), cy.sub)
    admins.unname_admin(env.ctx(cy), ada.sub)  # ada is no app admin any more; her grant still works

    report = notifications.deliver_pending("acme.test", env.runtime)
    assert (report.sent, report.failed) == ([], [f"{bob.sub}-1"])
    assert env.gmail.sent == []  # nothing went out in ada's name
    member = env.member_doc("acme.test", bob.sub)
    assert member["notification"] == {"id": f"{bob.sub}-1", "state": "failed"}
    invitation = env.tenant_ref("acme.test").collection("notifications").document(f"{bob.sub}-1").get()
    assert invitation.get("error") == notifications.SENDER_NOT_ADMIN

    # a current admin sends it again, in their own name
    people.resend_invitation(env.ctx(cy), bob.sub)
    again = notifications.deliver_pending("acme.test", env.runtime)
    assert again.sent == [f"{bob.sub}-2"]
    (sent,) = env.gmail.sent
    message = email.message_from_bytes(sent.raw, policy=email.policy.default)
    assert message["From"].addresses[0].addr_spec == "cy@acme.test"
