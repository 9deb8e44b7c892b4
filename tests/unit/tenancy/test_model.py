"""Who may use the app in each mode, and what the member list shows for each person."""

from __future__ import annotations

import pytest

from mail2task.tenancy.model import (
    ACCESS_ALLOWED,
    ACCESS_NONE,
    ACCESS_REMOVED,
    ADMIN,
    ALL_USERS,
    MEMBER,
    ONLY_ME,
    SPECIFIC_USERS,
    Member,
    Person,
    Tenant,
    is_app_admin,
    may_hold_grant,
    may_use,
    member_state,
)


@pytest.mark.parametrize(
    ("mode", "role", "access", "allowed"),
    [
        (ONLY_ME, ADMIN, ACCESS_ALLOWED, True),
        (ONLY_ME, MEMBER, ACCESS_NONE, False),
        (ONLY_ME, MEMBER, ACCESS_ALLOWED, False),  # added earlier, but "only me" now
        (ALL_USERS, MEMBER, ACCESS_NONE, True),
        (ALL_USERS, MEMBER, ACCESS_REMOVED, False),  # removal holds in every mode
        (SPECIFIC_USERS, MEMBER, ACCESS_NONE, False),
        (SPECIFIC_USERS, MEMBER, ACCESS_ALLOWED, True),
        (SPECIFIC_USERS, ADMIN, ACCESS_NONE, True),
        (SPECIFIC_USERS, ADMIN, ACCESS_REMOVED, False),
    ],
)
def test_may_use(mode: str, role: str, access: str, allowed: bool) -> None:
    admins = (Person("1", "ada@acme.test"),) if role == ADMIN else ()
    tenant = Tenant("acme.test", mode=mode, admins=admins)
    assert may_use(tenant, Member("1", role=role, access=access)) is allowed


def test_only_the_tenants_admin_list_makes_an_app_admin() -> None:
    """A member document still saying ``role: admin`` (an old install, a demotion half seen) grants
    nothing: the tenant's ``admins`` decide."""
    stale = Member("1", role=ADMIN, access=ACCESS_NONE)
    tenant = Tenant("acme.test", mode=ONLY_ME, admins=(Person("2", "new@acme.test"),))
    assert not is_app_admin(tenant, stale)
    assert not may_use(tenant, stale)
    assert is_app_admin(tenant, Member("2"))


DIRECTORY = "https://www.googleapis.com/auth/admin.directory.user.readonly"
SEND = ("openid", "https://www.googleapis.com/auth/gmail.send")


@pytest.mark.parametrize(
    ("tenant", "member", "scopes", "allowed"),
    [
        (Tenant("t", mode=ALL_USERS, admins=(Person("9", "a@t"),)), Member("1"), SEND, True),
        (Tenant("t", mode=ALL_USERS, admins=(Person("9", "a@t"),)), Member("1"), (DIRECTORY,), False),
        (Tenant("t", mode=ALL_USERS, admins=(Person("1", "a@t"),)), Member("1"), (DIRECTORY,), True),
        (Tenant("t", mode=SPECIFIC_USERS, admins=(Person("9", "a@t"),)), Member("1"), SEND, False),
        (Tenant("t", mode=ALL_USERS), Member("1", access=ACCESS_REMOVED), SEND, False),
        (Tenant("t"), Member("1"), (DIRECTORY,), True),  # no app admin yet: the would-be first one
        (None, Member("1"), SEND, False),
        (Tenant("t", mode=ALL_USERS), None, SEND, False),
    ],
)
def test_may_hold_grant(
    tenant: Tenant | None, member: Member | None, scopes: tuple[str, ...], allowed: bool
) -> None:
    assert may_hold_grant(tenant, member, scopes) is allowed


@pytest.mark.parametrize(
    ("access", "consent", "state"),
    [
        (ACCESS_NONE, "none", "pending"),
        (ACCESS_NONE, "granted", "authorized"),
        (ACCESS_NONE, "needs_reconnect", "needs_reconnect"),
        (ACCESS_NONE, "revoked", "needs_reconnect"),
        (ACCESS_REMOVED, "granted", "removed"),
    ],
)
def test_member_state(access: str, consent: str, state: str) -> None:
    tenant = Tenant("acme.test", mode=ALL_USERS)
    assert member_state(tenant, Member("1", access=access, consent=consent)) == state


def test_outside_the_policy_shows_no_access() -> None:
    assert member_state(Tenant("acme.test", mode=SPECIFIC_USERS), Member("1")) == "no_access"


def test_tenant_record_tolerates_odd_documents() -> None:
    tenant = Tenant.from_dict("acme.test", {"policy": {"mode": "everyone!"}, "admins": ["x", {"sub": "1"}]})
    assert tenant.mode == ONLY_ME
    assert [a.sub for a in tenant.admins] == ["1"]
    assert tenant.license.state == "UNKNOWN"
