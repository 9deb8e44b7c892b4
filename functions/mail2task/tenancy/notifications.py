"""Invitation emails ("you were added"), sent through Gmail as the admin who added the person.

Each invitation is a document ``tenants/{t}/notifications/{sub}-{n}`` (n = the member's addition count),
created in the same commit as the addition, so a retried "Add" can never queue a second one. Delivery
is a state machine on that document::

    pending --claim--> sending --Gmail accepted--> sent
                         |--refused before sending (4xx, refused connection)--> pending (retry) / failed
                         |--outcome unknown (5xx, timeout, reset)--> uncertain
                         '--still "sending" after SENDING_LEASE (we crashed)--> uncertain

Choice: **at most once**. The claim is committed before Gmail is called, and a claim whose outcome
was never recorded is not retried, because a crash between Gmail's accept and our record is
indistinguishable from a crash just before sending, and only ``gmail.send`` is granted (no way to
look in the Sent folder). A duplicate invitation is worse than a missing one here: the member list
shows ``uncertain`` and the admin can send again with one click (a new invitation id).

Only a current app admin's invitation is sent: one whose sender was demoted since it was queued ends
``failed`` (error ``sender_not_admin``) unsent, so the member list offers to send it again, from the
admin who clicks.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from typing import TYPE_CHECKING, Any

from mail2task import store
from mail2task.errors import ConsentRequired, StoreUnavailable
from mail2task.google.gmail_send import SendFailed
from mail2task.tenancy.model import Person
from mail2task.tenancy.registration import member_ref, tenant_ref
from mail2task.tenancy.runtime import TenancyRuntime
from mail2task.tenancy.scopes import GMAIL_SEND

if TYPE_CHECKING:
    from google.cloud import firestore

    from mail2task.tenancy.authz import AdminContext

log = logging.getLogger(__name__)

NOTIFICATIONS = "notifications"
PENDING, SENDING, SENT, UNCERTAIN, FAILED = "pending", "sending", "sent", "uncertain", "failed"
SENDING_LEASE = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
SENDER_NOT_ADMIN = "sender_not_admin"  # the error of an invitation whose sender lost the app admin role
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def notification_ref(
    client: firestore.Client, tenant: str, notification_id: str
) -> firestore.DocumentReference:
    ref: firestore.DocumentReference = (
        tenant_ref(client, tenant).collection(NOTIFICATIONS).document(notification_id)
    )
    return ref


def new_invitation(ctx: AdminContext, recipient: Person, generation: int) -> dict[str, Any]:
    sender = ctx.member.person if ctx.member.email else Person(ctx.identity.sub, ctx.identity.email)
    return {
        "kind": "invitation",
        "recipient": recipient.to_dict(),
        "sender": sender.to_dict(),
        "generation": generation,
        "state": PENDING,
        "attempts": 0,
        "createdAt": ctx.now,
    }


def clean_display_name(name: str) -> str:
    """A display name safe for a header: control characters (CR, LF...) removed, length bounded."""
    return " ".join(_CONTROL.sub(" ", name).split())[:100]


def checked_address(email: str) -> str:
    """``email`` if it is a plain address (no CR/LF, no display part); ValueError otherwise."""
    if not isinstance(email, str) or not _EMAIL.match(email):
        raise ValueError("not a plain email address")
    return email


def invitation_message(
    sender: Person, recipient: Person, *, app: str, start_url: str, message_id: str
) -> bytes:
    """The RFC 5322 invitation; non-ASCII names are RFC 2047-encoded by the ``email`` package."""
    sender_name = clean_display_name(sender.name) or sender.email
    message = EmailMessage(policy=SMTP)
    message["From"] = Address(
        display_name=clean_display_name(sender.name), addr_spec=checked_address(sender.email)
    )
    message["To"] = Address(
        display_name=clean_display_name(recipient.name), addr_spec=checked_address(recipient.email)
    )
    message["Subject"] = f"{sender_name} gave you access to {clean_display_name(app)}"
    message["Message-ID"] = f"<{message_id}@mail2task.invalid>"
    first = clean_display_name(recipient.name).split(" ")[0] or "there"
    message.set_content(
        f"Hi {first},\n\n"
        f"{sender_name} ({sender.email}) gave you access to {app}, which turns emails into tasks "
        "right inside Gmail.\n\n"
        "To start:\n"
        f"1. Open Gmail: {start_url}\n"
        f"2. Open any email and click the {app} icon in the side panel.\n"
        "3. Click Connect and confirm with Google.\n\n"
        f"Questions? Reply to this email to reach {sender_name}.\n"
    )
    return message.as_bytes()


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)
    retry: list[str] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    in_flight: int = 0  # claimed by another run that has not finished yet
    remaining: bool = False


def _finish(tenant: str, snap: Any, state: str, now: dt.datetime, **extra: Any) -> None:
    """Record ``state`` on the invitation and, when it is the person's latest, on their member record."""
    client = store.firestore_client()
    data = snap.to_dict() or {}
    sub = (data.get("recipient") or {}).get("sub", "")
    batch = client.batch()
    batch.update(snap.reference, {"state": state, "updatedAt": now, **extra})
    m_ref = member_ref(client, tenant, sub)
    member = m_ref.get().to_dict() or {}
    if int(member.get("invitations") or 0) == int(data.get("generation") or 0):
        batch.update(m_ref, {"notification": {"id": snap.id, "state": state}})
    batch.commit()


def _claim(snap: Any, now: dt.datetime) -> bool:
    from google.api_core import exceptions

    client = store.firestore_client()
    attempts = int((snap.to_dict() or {}).get("attempts") or 0) + 1
    try:
        snap.reference.update(
            {"state": SENDING, "claimedAt": now, "attempts": attempts},
            option=client.write_option(last_update_time=snap.update_time),
        )
    except (exceptions.FailedPrecondition, exceptions.Conflict):
        return False  # another delivery run claimed it first
    return True


def _deliver_one(
    tenant: str, snap: Any, runtime: TenancyRuntime, report: DeliveryReport, admins: frozenset[str]
) -> None:
    now = runtime.now()
    data = snap.to_dict() or {}
    if data.get("state") == SENDING:
        claimed = data.get("claimedAt")
        if isinstance(claimed, dt.datetime) and now - claimed >= SENDING_LEASE:
            _finish(tenant, snap, UNCERTAIN, now, error="interrupted")  # at most once: never resent
            report.uncertain.append(snap.id)
        else:
            report.in_flight += 1
        return
    sender, recipient = (
        Person.from_dict(data.get("sender") or {}),
        Person.from_dict(data.get("recipient") or {}),
    )
    if sender.sub not in admins:  # demoted (or gone) since adding the person: never sent in their name
        _finish(tenant, snap, FAILED, now, error=SENDER_NOT_ADMIN)
        report.failed.append(snap.id)
        return
    try:
        settings = runtime.settings
        raw = invitation_message(
            sender,
            recipient,
            app=settings.app_name,
            start_url=settings.start_url,
            message_id=f"{snap.id}.{tenant}",
        )
    except ValueError:
        _finish(tenant, snap, FAILED, now, error="bad_address")
        report.failed.append(snap.id)
        return
    if not _claim(snap, now):
        return
    try:
        credentials = runtime.grants.credentials_for(sender.sub, [GMAIL_SEND])
        gmail_id = runtime.mail_sender().send(credentials, raw)
    except ConsentRequired:
        _finish(tenant, snap, FAILED, now, error="sender_not_connected")
        report.failed.append(snap.id)
    except SendFailed as error:
        attempts = int(data.get("attempts") or 0) + 1
        if error.definitely_unsent and attempts < MAX_ATTEMPTS:
            _finish(tenant, snap, PENDING, now, error=f"gmail_{error.http_status or 'unreachable'}")
            report.retry.append(snap.id)
        elif error.definitely_unsent:
            _finish(tenant, snap, FAILED, now, error=f"gmail_{error.http_status or 'unreachable'}")
            report.failed.append(snap.id)
        else:
            _finish(tenant, snap, UNCERTAIN, now, error="gmail_no_answer")
            report.uncertain.append(snap.id)
    else:
        _finish(tenant, snap, SENT, now, sentAt=now, gmailId=gmail_id[:64])
        report.sent.append(snap.id)


def _admin_subs(client: firestore.Client, tenant: str) -> frozenset[str]:
    """The tenant's app admins now: only they send invitations (in their own name)."""
    from mail2task.tenancy.model import Tenant

    snap = tenant_ref(client, tenant).get(["admins"])
    return Tenant.from_dict(tenant, snap.to_dict() or {}).admin_subs


def deliver_pending(
    tenant: str, runtime: TenancyRuntime, *, deadline: float | None = None, limit: int = 50
) -> DeliveryReport:
    """Send ``tenant``'s pending invitations until ``deadline`` (a ``time.monotonic()`` value)."""
    from google.api_core import exceptions
    from google.cloud.firestore_v1 import FieldFilter

    client = store.firestore_client()
    report = DeliveryReport()
    query = (
        tenant_ref(client, tenant)
        .collection(NOTIFICATIONS)
        .where(filter=FieldFilter("state", "in", [PENDING, SENDING]))
        .limit(limit)
    )
    try:
        snaps = list(query.stream())
        admins = _admin_subs(client, tenant) if snaps else frozenset()
        for snap in snaps:
            if deadline is not None and time.monotonic() >= deadline:
                report.remaining = True
                break
            _deliver_one(tenant, snap, runtime, report, admins)
        report.remaining = (
            report.remaining or len(snaps) == limit or bool(report.retry) or report.in_flight > 0
        )
        if not report.remaining:
            tenant_ref(client, tenant).update({"notificationsPending": False})
    except exceptions.GoogleAPICallError as error:
        raise StoreUnavailable("invitations unavailable") from error
    return report
