"""Who may start an offline consent: admission's answer, asked again when a Connect button is clicked.

A Connect button can outlive the decision that showed it (an old card, a person removed since, a mode
made narrower), so the `oauth` function runs admission before it writes a consent start. A start is
allowed when the person may use the app or only lacks the consent itself, and during a domain's setup
(no app admin yet: whoever connects may be the first one). The directory scope is only for app admins
and for that would-be first admin. The callback checks the member record again when Google sends the
person back (``model.may_hold_grant``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mail2task.tenancy.admission import (
    CONSENT_NEEDED,
    NEEDS_RECONNECT,
    OK,
    SETUP_NEEDED,
    Admission,
    admit,
)
from mail2task.tenancy.runtime import TenancyRuntime, default_runtime
from mail2task.tenancy.scopes import DIRECTORY_READONLY

if TYPE_CHECKING:
    from mail2task.identity import Identity

log = logging.getLogger(__name__)

# Admission outcomes under which a consent may be started (the person may use the app once connected).
CONNECTABLE = (OK, CONSENT_NEEDED, NEEDS_RECONNECT, SETUP_NEEDED)
NO_ACCESS = "no_access"
ADMINS_ONLY = "directory_for_admins_only"


@dataclass(frozen=True)
class ConnectDecision:
    """May a consent for these scopes start? If not, ``reason`` and what to tell the person."""

    allowed: bool
    reason: str = ""
    message: str = ""
    card: dict[str, Any] | None = field(default=None, repr=False)


def decide_connect(
    identity: Identity, scopes: Iterable[str], *, runtime: TenancyRuntime | None = None
) -> ConnectDecision:
    """Admission for a Connect click: whether ``identity`` may start a consent for ``scopes``."""
    rt = runtime or default_runtime()
    admission = admit(identity, runtime=rt)
    app = rt.settings.app_name
    if admission.reason not in CONNECTABLE:
        log.info("consent start refused: %s", admission.reason)
        message = f"You don't have access to {app}, so it cannot be connected to your Google account."
        return ConnectDecision(False, NO_ACCESS, message, admission.card)
    if DIRECTORY_READONLY in set(scopes) and not _may_read_directory(admission):
        log.info("consent start refused: directory scope for a member who is not an app admin")
        message = f"Only app admins connect {app} with access to your organization's directory."
        return ConnectDecision(False, ADMINS_ONLY, message)
    return ConnectDecision(True)


def _may_read_directory(admission: Admission) -> bool:
    return admission.reason == SETUP_NEEDED or admission.member_is_admin


def connect_refusal(
    identity: Identity, scopes: Iterable[str], *, runtime: TenancyRuntime | None = None
) -> dict[str, Any] | None:
    """The add-on's answer refusing a Connect click (the access card, or a notification), or None when
    the consent may start."""
    from mail2task.cards.responses import notify, update

    decision = decide_connect(identity, scopes, runtime=runtime)
    if decision.allowed:
        return None
    return update(decision.card, decision.message) if decision.card else notify(decision.message)
