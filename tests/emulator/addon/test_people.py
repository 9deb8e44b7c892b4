"""The assignee picker's first-page cache: one page per tenant and access mode."""

from __future__ import annotations

from mail2task.addon.people import PICKER_CACHE, picker_page
from mail2task.tenancy.model import ALL_USERS, SPECIFIC_USERS
from tests.emulator.addon.conftest import ACME, ADA, BEN, CARL
from tests.support.addon_requests import seed_member


def test_a_mode_change_is_never_answered_from_the_other_modes_page() -> None:
    PICKER_CACHE.clear()
    seed_member(ADA, admin=True, access="allowed")
    seed_member(BEN)  # no decision: may use the app only while everyone in the domain may
    seed_member(CARL, access="allowed")
    everyone, _ = picker_page(ACME, mode=ALL_USERS)
    assert {m.email for m in everyone} == {ADA.email, BEN.email, CARL.email}
    chosen, _ = picker_page(ACME, mode=SPECIFIC_USERS)  # an admin switched to "specific users"
    assert {m.email for m in chosen} == {ADA.email, CARL.email}
    again, _ = picker_page(ACME, mode=ALL_USERS)  # and each mode's page is still cached on its own
    assert again == everyone
    PICKER_CACHE.clear()


def test_a_forged_assignee_outside_the_access_policy_is_refused() -> None:
    import pytest

    from mail2task.addon.people import resolve_assignee
    from mail2task.errors import Conflict
    from mail2task.identity import Identity
    from mail2task.tenancy.model import Tenant

    seed_member(ADA, admin=True, access="allowed")
    seed_member(BEN)  # no decision: outside a "specific users" policy
    seed_member(CARL, access="allowed")
    ada = Identity(sub=ADA.sub, email=ADA.email, hd=ADA.hd)
    specific = Tenant(id=ACME, mode=SPECIFIC_USERS)
    assert resolve_assignee(ACME, CARL.sub, ada, specific) is not None
    with pytest.raises(Conflict):  # the picker never offers Ben; a forged form value must not pass either
        resolve_assignee(ACME, BEN.sub, ada, specific)
    assert resolve_assignee(ACME, BEN.sub, ada, Tenant(id=ACME, mode=ALL_USERS)) is not None
