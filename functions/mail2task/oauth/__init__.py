"""Per-user offline consent: consent flow, encrypted token vault, scheduled refresh, revocation, RISC.

Contracts used by other parts: ``consent.begin``, ``access.credentials_for``, ``disconnect.disconnect``,
``status.consent_status``. Everything else here is internal to the `oauth`, `refresh` and `risc` functions.
"""
