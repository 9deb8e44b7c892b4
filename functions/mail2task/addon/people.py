"""People for the assignee picker (a page of the tenant's members) and checking the one picked.

The first page of each tenant's picker is kept in process for ``PICKER_TTL_SECONDS``, per access mode
(who is listed depends on it, so an admin's mode change is never answered from the old mode's page):
opening one message after another then costs no member query, at the price of a newly added person
showing up in the picker up to a minute later. The choice is always checked against the member's record.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

from mail2task.cards.create_form import UNASSIGNED
from mail2task.cards.views import MemberOption
from mail2task.errors import Conflict
from mail2task.identity import Identity
from mail2task.tasks.model import PersonRef

if TYPE_CHECKING:
    from mail2task.tenancy.model import Tenant

PICKER_PAGE = 50
PICKER_TTL_SECONDS = 60.0
MAX_CACHED_TENANTS = 256


PickerKey = tuple[str, str | None]  # (tenant, access mode; None: the mode stored on the tenant)


class PickerCache:
    """First picker pages by tenant and mode, each kept for a fixed time (thread-safe, bounded)."""

    def __init__(self, ttl: float = PICKER_TTL_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._pages: OrderedDict[PickerKey, tuple[float, list[MemberOption], str | None]] = OrderedDict()

    def get(self, key: PickerKey) -> tuple[list[MemberOption], str | None] | None:
        with self._lock:
            entry = self._pages.get(key)
            if entry is None or entry[0] <= self._clock():
                return None
            return entry[1], entry[2]

    def put(self, key: PickerKey, members: list[MemberOption], token: str | None) -> None:
        with self._lock:
            self._pages[key] = (self._clock() + self._ttl, members, token)
            self._pages.move_to_end(key)
            while len(self._pages) > MAX_CACHED_TENANTS:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


PICKER_CACHE = PickerCache()


def picker_page(
    tenant: str, *, page_token: str | None = None, mode: str | None = None
) -> tuple[list[MemberOption], str | None]:
    """One page of people who may be assigned tasks in ``tenant``, and the next page's token."""
    if page_token is None:
        cached = PICKER_CACHE.get((tenant, mode))
        if cached is not None:
            return cached
    from mail2task.tenancy.members import list_members

    page = list_members(tenant, page_token=page_token, limit=PICKER_PAGE, mode=mode)
    members = [MemberOption(m.sub, m.email, m.name) for m in page.members if m.email]
    if page_token is None:
        PICKER_CACHE.put((tenant, mode), members, page.next_page_token)
    return members, page.next_page_token


def resolve_assignee(
    tenant: str, value: str | None, identity: Identity, policy: Tenant | None = None
) -> PersonRef | None:
    """The person picked in the form: the user, or a member of the user's own tenant whom the tenant's
    access policy (``policy``, the admitted tenant document) lets use the app."""
    if value is None or value in ("", UNASSIGNED):
        return None
    if value == identity.sub:
        return PersonRef(identity.email, identity.name or "", identity.sub)
    from mail2task.tenancy.members import get_member
    from mail2task.tenancy.model import ACCESS_REMOVED, may_use

    member = get_member(tenant, value)
    refused = member is None or member.access == ACCESS_REMOVED or not member.email
    if not refused and policy is not None and member is not None and not may_use(policy, member):
        refused = True  # the form value is the user's to forge; the picker offers only allowed people
    if refused or member is None:
        raise Conflict("The person you picked cannot be assigned tasks. Pick someone else.")
    return PersonRef(member.email, member.name, member.sub)
