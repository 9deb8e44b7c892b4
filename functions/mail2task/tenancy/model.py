"""Tenant and member records as stored in Firestore, and the states derived from them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mail2task.tenancy.scopes import DIRECTORY_READONLY

# Who may use the app in a tenant (the admin's choice).
ONLY_ME = "only_me"
ALL_USERS = "all_users"
SPECIFIC_USERS = "specific_users"
MODES = (ONLY_ME, ALL_USERS, SPECIFIC_USERS)

# members/{sub}.role: kept in step with tenants/{t}.admins for display; who is an app admin is decided
# by the tenant's ``admins`` list alone (``is_app_admin``), so a stale role never grants anything.
ADMIN = "admin"
MEMBER = "member"

# members/{sub}.access: an admin's explicit decision about one person.
ACCESS_NONE = "none"  # no decision: the mode alone decides
ACCESS_ALLOWED = "allowed"  # added by an admin (counts in "specific users" mode)
ACCESS_REMOVED = "removed"  # removed by an admin: no access in any mode until added again

# members/{sub}.consent, written by the oauth part.
CONSENT_NONE = "none"
CONSENT_GRANTED = "granted"
CONSENT_NEEDS_RECONNECT = "needs_reconnect"
CONSENT_REVOKED = "revoked"

# tenants/{t}.status
ACTIVE = "active"
UNINSTALLED = "uninstalled"

# What the member list shows for each person.
STATE_PENDING = "pending"
STATE_AUTHORIZED = "authorized"
STATE_NEEDS_RECONNECT = "needs_reconnect"
STATE_REMOVED = "removed"
STATE_NO_ACCESS = "no_access"

MAX_ADMINS = 20


def _text(data: Mapping[str, Any], key: str, default: str = "") -> str:
    value = data.get(key)
    return value if isinstance(value, str) else default


def _time(data: Mapping[str, Any], key: str) -> dt.datetime | None:
    value = data.get(key)
    return value if isinstance(value, dt.datetime) else None


@dataclass(frozen=True)
class Person:
    """Someone named on a card: an app admin to ask for access, the author of a change."""

    sub: str
    email: str
    name: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email

    def to_dict(self) -> dict[str, str]:
        return {"sub": self.sub, "email": self.email, "name": self.name}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Person:
        return cls(sub=_text(data, "sub"), email=_text(data, "email"), name=_text(data, "name"))


@dataclass(frozen=True)
class LicenseRecord:
    """The last known Marketplace license answer, cached on the tenant (or member) document."""

    state: str = "UNKNOWN"  # ACTIVE | UNLICENSED | EXPIRED | UNKNOWN (never checked)
    kind: str = "none"  # domain | individual | none | unmanaged (no Marketplace listing configured)
    checked_at: dt.datetime | None = None
    failed_at: dt.datetime | None = None  # last time the API could not be reached

    @property
    def licensed(self) -> bool:
        return self.state == "ACTIVE" or self.kind == "unmanaged"

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "kind": self.kind,
            "checkedAt": self.checked_at,
            "failedAt": self.failed_at,
        }

    @classmethod
    def from_dict(cls, data: Any) -> LicenseRecord:
        if not isinstance(data, Mapping):
            return cls()
        return cls(
            state=_text(data, "state", "UNKNOWN"),
            kind=_text(data, "kind", "none"),
            checked_at=_time(data, "checkedAt"),
            failed_at=_time(data, "failedAt"),
        )


@dataclass(frozen=True)
class Tenant:
    """tenants/{tenant}: one Workspace customer, keyed by the verified ``hd``."""

    id: str
    status: str = ACTIVE
    mode: str = ONLY_ME
    admins: tuple[Person, ...] = ()
    license: LicenseRecord = field(default_factory=LicenseRecord)
    customer_id: str = ""
    retain_until: dt.datetime | None = None

    @property
    def admin_subs(self) -> frozenset[str]:
        return frozenset(a.sub for a in self.admins)

    @property
    def contact(self) -> Person | None:
        """The app admin people are told to ask for access (the first named)."""
        return self.admins[0] if self.admins else None

    @classmethod
    def from_dict(cls, tenant_id: str, data: Mapping[str, Any]) -> Tenant:
        policy = data.get("policy") if isinstance(data.get("policy"), Mapping) else {}
        mode = _text(policy, "mode", ONLY_ME)  # type: ignore[arg-type]
        raw_admins = data.get("admins")
        admins = tuple(
            Person.from_dict(a)
            for a in (raw_admins if isinstance(raw_admins, list) else [])
            if isinstance(a, Mapping)
        )
        return cls(
            id=tenant_id,
            status=_text(data, "status", ACTIVE),
            mode=mode if mode in MODES else ONLY_ME,
            admins=admins,
            license=LicenseRecord.from_dict(data.get("license")),
            customer_id=_text(data, "customerId"),
            retain_until=_time(data, "retainUntil"),
        )


@dataclass(frozen=True)
class Member:
    """tenants/{tenant}/members/{sub}: one person of the tenant and where they stand."""

    sub: str
    email: str = ""
    name: str = ""
    role: str = MEMBER
    access: str = ACCESS_NONE
    consent: str = CONSENT_NONE
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None
    license: LicenseRecord = field(default_factory=LicenseRecord)
    notification: str = ""  # state of the latest "you were added" email
    admin_checked_at: dt.datetime | None = None  # last time the directory said: not a Workspace admin

    @property
    def person(self) -> Person:
        return Person(self.sub, self.email, self.name)

    @classmethod
    def from_dict(cls, sub: str, data: Mapping[str, Any]) -> Member:
        notification = data.get("notification")
        return cls(
            sub=sub,
            email=_text(data, "email"),
            name=_text(data, "name"),
            role=_text(data, "role", MEMBER),
            access=_text(data, "access", ACCESS_NONE),
            consent=_text(data, "consent", CONSENT_NONE),
            first_seen=_time(data, "firstSeen"),
            last_seen=_time(data, "lastSeen"),
            license=LicenseRecord.from_dict(data.get("license")),
            notification=_text(notification, "state") if isinstance(notification, Mapping) else "",
            admin_checked_at=_time(data, "notWorkspaceAdminAt"),
        )


def is_app_admin(tenant: Tenant, member: Member) -> bool:
    """Whether ``member`` is an app admin: named in the tenant's ``admins`` (the only source of truth)."""
    return member.sub in tenant.admin_subs


def may_use(tenant: Tenant, member: Member) -> bool:
    """Whether the tenant's policy lets ``member`` use the app (consent aside)."""
    if member.access == ACCESS_REMOVED:
        return False
    if is_app_admin(tenant, member):
        return True
    if tenant.mode == ALL_USERS:
        return True
    if tenant.mode == SPECIFIC_USERS:
        return member.access == ACCESS_ALLOWED
    return False


def member_state(tenant: Tenant, member: Member) -> str:
    """pending | authorized | needs_reconnect | removed | no_access, as the member list shows it."""
    if member.access == ACCESS_REMOVED:
        return STATE_REMOVED
    if not may_use(tenant, member):
        return STATE_NO_ACCESS
    if member.consent == CONSENT_GRANTED:
        return STATE_AUTHORIZED
    if member.consent in (CONSENT_NEEDS_RECONNECT, CONSENT_REVOKED):
        return STATE_NEEDS_RECONNECT
    return STATE_PENDING


def may_hold_grant(tenant: Tenant | None, member: Member | None, scopes: Iterable[str]) -> bool:
    """Whether a consent ``member`` just finished may be stored (checked when Google sends them back).

    Refused: someone not registered in the tenant, someone an admin removed, someone outside the
    policy of a set-up organization, and the directory scope for anyone but an app admin once the
    organization has one (before that, any member may be the would-be first admin).
    """
    if tenant is None or member is None or member.access == ACCESS_REMOVED:
        return False
    if tenant.admins and tenant.status == ACTIVE and not may_use(tenant, member):
        return False
    return not (DIRECTORY_READONLY in scopes and tenant.admins and not is_app_admin(tenant, member))
