"""Who may run admin actions: an admitted app admin of their own tenant. Refusals are audited."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mail2task.errors import Forbidden
from mail2task.errors import NotAppAdmin as NotAppAdmin
from mail2task.errors import OutsideTenant as OutsideTenant
from mail2task.tenancy import audit
from mail2task.tenancy.model import Member, Tenant

if TYPE_CHECKING:
    from mail2task.identity import Identity
    from mail2task.tenancy.admission import Admission

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AdminContext:
    """A verified, admitted app admin acting on their own tenant (the only tenant they can name)."""

    identity: Identity
    tenant: Tenant
    member: Member
    now: dt.datetime

    @property
    def tenant_id(self) -> str:
        return self.tenant.id

    def audit_entry(self, action: str, **kwargs: Any) -> dict[str, Any]:
        return audit.entry(self.identity, action, self.now, **kwargs)


def reject(
    identity: Identity, tenant_id: str, action: str, now: dt.datetime, error: Forbidden, **details: Any
) -> Forbidden:
    """Audit a refused admin action; returns the error for the caller to raise."""
    target = [str(t) for t in details.pop("target", [])]
    details["reason"] = error.code
    audit.record(
        tenant_id, audit.entry(identity, action, now, outcome=audit.REJECTED, target=target, details=details)
    )
    log.info("admin action %s refused: %s", action, error.code)
    return error


def require_admin(identity: Identity, admission: Admission, action: str, now: dt.datetime) -> AdminContext:
    """The admin context of an admitted app admin, or ``NotAppAdmin`` (audited in their tenant)."""
    tenant, member = admission.tenant, admission.member
    if admission.is_admin and tenant is not None and member is not None:
        return AdminContext(identity, tenant, member, now)
    if tenant is not None:
        raise reject(identity, tenant.id, action, now, NotAppAdmin())
    raise NotAppAdmin()
