"""Admission: may this verified user use the app right now, and if not, which card says why.

Called by the add-on's request handling right after verification, for every trigger and action. Hot
path cost: one batched read of the tenant and member documents; a write only on first use, when the
cached license answer is stale (once per ``LICENSE_CACHE_SECONDS`` per tenant) or when ``lastSeen`` is
older than ``LAST_SEEN_INTERVAL_SECONDS``. Cards for people who still have to connect carry a button that
asks the `oauth` function for a consent link on click, so showing them writes nothing; a domain without
an app admin costs a directory check for a connected would-be admin (cached for an hour when the answer
is no).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mail2task.cards import access as access_cards
from mail2task.tenancy import admins, licensing, lifecycle, registration
from mail2task.tenancy.model import (
    ACCESS_REMOVED,
    CONSENT_GRANTED,
    CONSENT_NEEDS_RECONNECT,
    CONSENT_REVOKED,
    UNINSTALLED,
    Member,
    Person,
    Tenant,
    is_app_admin,
    may_use,
)
from mail2task.tenancy.runtime import TenancyRuntime, default_runtime
from mail2task.tenancy.scopes import ADMIN_SCOPES, MEMBER_SCOPES

if TYPE_CHECKING:
    from mail2task.identity import Identity

log = logging.getLogger(__name__)

OK = "ok"
CONSUMER = "consumer"
UNLICENSED = "unlicensed"
UNINSTALLED_REASON = "uninstalled"
SETUP_NEEDED = "setup_needed"  # domain install, no app admin yet
NOT_ALLOWED = "not_allowed"
CONSENT_NEEDED = "consent_needed"
NEEDS_RECONNECT = "needs_reconnect"


@dataclass(frozen=True)
class Admission:
    """The outcome: ``allowed``, or ``reason`` plus the ``card`` to render instead of the app."""

    allowed: bool
    reason: str
    tenant: Tenant | None = None
    member: Member | None = None
    admin_contact: Person | None = None
    card: dict[str, Any] | None = field(default=None, repr=False)
    first_use: bool = False
    license_kind: str = ""

    @property
    def tenant_id(self) -> str | None:
        return self.tenant.id if self.tenant else None

    @property
    def is_admin(self) -> bool:
        """An admitted app admin (named in the tenant's ``admins``)."""
        return bool(self.allowed and self.member_is_admin)

    @property
    def member_is_admin(self) -> bool:
        """Named in the tenant's ``admins``, whether or not admitted right now (e.g. must reconnect)."""
        return self.tenant is not None and self.member is not None and is_app_admin(self.tenant, self.member)


def _touch_last_seen(tenant_id: str, member: Member, now: dt.datetime, runtime: TenancyRuntime) -> None:
    interval = runtime.settings.last_seen_interval_seconds
    if member.last_seen is not None and (now - member.last_seen).total_seconds() < interval:
        return
    from google.api_core import exceptions

    from mail2task import store

    try:
        registration.member_ref(store.firestore_client(), tenant_id, member.sub).update({"lastSeen": now})
    except exceptions.GoogleAPICallError as error:  # bookkeeping only: never fail the request for it
        log.warning("lastSeen not recorded: %s", type(error).__name__)


def _connect(runtime: TenancyRuntime, scopes: tuple[str, ...]) -> access_cards.Connect:
    """A connect button's target; the consent itself is started only when the button is clicked."""
    return access_cards.Connect(runtime.oauth_function_url(), scopes)


def admit(identity: Identity, *, runtime: TenancyRuntime | None = None) -> Admission:
    """Register on first use, then check license, policy and consent, in that order."""
    rt = runtime or default_runtime()
    app = rt.settings.app_name
    if not identity.hd:
        return Admission(False, CONSUMER, card=access_cards.consumer_card(app))
    now = rt.now()
    reg = registration.load_or_register(identity, now)
    tenant, member = reg.tenant, reg.member
    if not reg.first_use:
        _touch_last_seen(tenant.id, member, now, rt)

    decision = licensing.decide(tenant, member, now, rt)
    tenant, updated = lifecycle.apply_license(tenant, member, decision, now, rt)
    member = updated or member
    kind = decision.tenant.kind if decision.domain_installed else licensing.INDIVIDUAL

    def outcome(reason: str, card: dict[str, Any] | None = None) -> Admission:
        allowed = reason == OK
        return Admission(allowed, reason, tenant, member, tenant.contact, card, reg.first_use, kind)

    if not decision.licensed:
        if tenant.status == UNINSTALLED:
            return outcome(
                UNINSTALLED_REASON, access_cards.unlicensed_card(app, tenant.contact, uninstalled=True)
            )
        return outcome(UNLICENSED, access_cards.unlicensed_card(app, tenant.contact))

    if decision.domain_installed:
        if not tenant.admins:
            tenant, member, result = admins.ensure_first_admin(identity, tenant, member, now, rt)
            if not tenant.admins:
                connect = _connect(rt, ADMIN_SCOPES) if result == "consent_needed" else None
                return outcome(SETUP_NEEDED, access_cards.setup_needed_card(app, connect))
        if not may_use(tenant, member):
            removed = member.access == ACCESS_REMOVED
            return outcome(NOT_ALLOWED, access_cards.no_access_card(app, tenant.contact, removed=removed))

    if member.consent != CONSENT_GRANTED:
        admin = is_app_admin(tenant, member)
        connect = _connect(rt, ADMIN_SCOPES if admin else MEMBER_SCOPES)
        reconnect = member.consent in (CONSENT_NEEDS_RECONNECT, CONSENT_REVOKED)
        card = access_cards.connect_card(app, connect, reconnect=reconnect, admin=admin)
        return outcome(NEEDS_RECONNECT if reconnect else CONSENT_NEEDED, card)
    return outcome(OK)
