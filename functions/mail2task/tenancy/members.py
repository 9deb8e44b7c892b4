"""Reading a tenant's members: one person, or a page ordered by email (assignee picker, admin list)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mail2task import store
from mail2task.errors import BadRequest, StoreUnavailable
from mail2task.tenancy.model import ACCESS_ALLOWED, ACCESS_NONE, ADMIN, ALL_USERS, ONLY_ME, Member, Tenant

if TYPE_CHECKING:
    from google.cloud import firestore

MAX_PAGE = 100
MAX_TOKEN_CHARS = 600


@dataclass(frozen=True)
class MemberPage:
    members: list[Member]
    next_page_token: str | None


def members_collection(client: firestore.Client, tenant: str) -> firestore.CollectionReference:
    ref: firestore.CollectionReference = (
        client.collection(store.TENANTS).document(tenant).collection(store.MEMBERS)
    )
    return ref


def encode_token(email: str, sub: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([email, sub]).encode()).decode().rstrip("=")


def decode_token(token: str) -> tuple[str, str]:
    """The (email, sub) a page starts after; refuses anything it did not produce."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
        raise BadRequest("invalid page token")
    try:
        value = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("invalid page token") from None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        raise BadRequest("invalid page token")
    return value[0], value[1]


def get_member(tenant: str, sub: str) -> Member | None:
    """One member of ``tenant`` (never of another tenant: the path is built from the verified tenant)."""
    from google.api_core import exceptions

    if not isinstance(sub, str) or not sub or len(sub) > 255 or "/" in sub:
        return None
    try:
        snap = members_collection(store.firestore_client(), tenant).document(sub).get()
    except exceptions.GoogleAPICallError as error:
        raise StoreUnavailable("members unavailable") from error
    return Member.from_dict(sub, snap.to_dict() or {}) if snap.exists else None


def _tenant(tenant: str) -> Tenant:
    from google.api_core import exceptions

    try:
        snap = store.firestore_client().collection(store.TENANTS).document(tenant).get(["policy", "admins"])
    except exceptions.GoogleAPICallError as error:
        raise StoreUnavailable("tenant unavailable") from error
    return Tenant.from_dict(tenant, snap.to_dict() or {})


def _admins_page(tenant: Tenant) -> MemberPage:
    """ "Only me": the app admins, straight from the tenant document (at most MAX_ADMINS, one page)."""
    people = sorted(tenant.admins, key=lambda a: (a.email, a.sub))
    return MemberPage(
        [Member(a.sub, a.email, a.name, role=ADMIN, access=ACCESS_ALLOWED) for a in people], None
    )


def list_members(
    tenant: str,
    *,
    page_token: str | None = None,
    limit: int = 50,
    everyone: bool = False,
    mode: str | None = None,
) -> MemberPage:
    """A page of ``tenant``'s members ordered by email (``limit`` ≤ 100).

    By default only people who may use the app under the tenant's policy (the assignee picker): in
    "all users" mode everyone not removed, in "specific users" mode the people an admin added and the
    app admins, in "only me" mode the app admins. Pass ``mode`` when the tenant is already loaded to
    save a read. ``everyone=True`` lists every person
    whatever their state (the admin's member list).
    """
    from google.api_core import exceptions
    from google.cloud.firestore_v1 import FieldFilter
    from google.cloud.firestore_v1.field_path import FieldPath

    limit = max(1, min(int(limit), MAX_PAGE))
    collection = members_collection(store.firestore_client(), tenant)
    query: Any = collection
    if not everyone:
        if mode is None or mode == ONLY_ME:
            record = _tenant(tenant)
            mode = record.mode
            if mode == ONLY_ME:
                return _admins_page(record) if page_token is None else MemberPage([], None)
        usable = [ACCESS_NONE, ACCESS_ALLOWED] if mode == ALL_USERS else [ACCESS_ALLOWED]
        query = query.where(filter=FieldFilter("access", "in", usable))
    query = query.order_by("email").order_by(FieldPath.document_id())
    if page_token:
        email, sub = decode_token(page_token)
        query = query.start_after({"email": email, FieldPath.document_id(): collection.document(sub)})
    try:
        snaps = list(query.limit(limit).stream())
    except exceptions.GoogleAPICallError as error:
        raise StoreUnavailable("members unavailable") from error
    members = [Member.from_dict(s.id, s.to_dict() or {}) for s in snaps]
    token = encode_token(members[-1].email, members[-1].sub) if len(members) == limit else None
    return MemberPage(members, token)
