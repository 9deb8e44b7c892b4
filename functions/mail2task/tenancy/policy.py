"""The tenant's access mode: only me, me + all users, me + specific users."""

from __future__ import annotations

from mail2task import store
from mail2task.errors import BadRequest, StoreUnavailable
from mail2task.tenancy import audit
from mail2task.tenancy.authz import AdminContext
from mail2task.tenancy.model import ALL_USERS, MODES, ONLY_ME, SPECIFIC_USERS
from mail2task.tenancy.registration import tenant_ref

# Switching to a mode that lets fewer people in: those who lose access have their tokens revoked.
NARROWER = {
    (ALL_USERS, SPECIFIC_USERS),
    (ALL_USERS, ONLY_ME),
    (SPECIFIC_USERS, ONLY_ME),
}


def set_mode(ctx: AdminContext, mode: str) -> bool:
    """Switch the tenant's mode (audited); returns whether anything changed."""
    from google.api_core import exceptions

    if mode not in MODES:
        raise BadRequest("mode must be one of " + ", ".join(MODES))
    previous = ctx.tenant.mode
    if mode == previous:
        return False
    client = store.firestore_client()
    batch = client.batch()
    updates: dict[str, object] = {
        "policy": {"mode": mode, "updatedBy": ctx.identity.sub, "updatedAt": ctx.now}
    }
    if (previous, mode) in NARROWER:
        updates["revocationsPending"] = True  # the sweep revokes tokens of people who lost access
    batch.update(tenant_ref(client, ctx.tenant_id), updates)
    entry = ctx.audit_entry("policy.mode", details={"from": previous, "to": mode})
    batch.create(audit.audit_ref(client, ctx.tenant_id), entry)
    try:
        batch.commit()
    except exceptions.GoogleAPICallError as error:
        raise StoreUnavailable("could not change the access mode") from error
    return True
