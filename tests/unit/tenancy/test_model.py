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
    Tenant,
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
    assert may_use(Tenant("acme.test", mode=mode), Member("1", role=role, access=access)) is allowed


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
