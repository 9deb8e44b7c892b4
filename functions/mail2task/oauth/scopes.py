"""Scope lists: validation, Google's aliases, and the scopes every consent includes."""

from __future__ import annotations

from collections.abc import Iterable

from mail2task.errors import BadRequest

GOOGLE_SCOPE_PREFIX = "https://www.googleapis.com/auth/"
EMAIL = GOOGLE_SCOPE_PREFIX + "userinfo.email"
PROFILE = GOOGLE_SCOPE_PREFIX + "userinfo.profile"
OPENID = "openid"
# openid: an ID token proves who consented. email: Cross-Account Protection only reports on users who
# granted email or profile.
BASE_SCOPES = (OPENID, EMAIL)
ALIASES = {"email": EMAIL, "profile": PROFILE}
OUTSIDE_PREFIX = frozenset({OPENID, "https://mail.google.com/"})  # Google scopes without the usual prefix
MAX_SCOPES = 20
MAX_SCOPE_CHARS = 200


def canonical(scope: str) -> str:
    return ALIASES.get(scope, scope)


def requested(scopes: Iterable[str]) -> tuple[str, ...]:
    """The scopes to ask Google for: ``scopes`` validated, aliases resolved, plus BASE_SCOPES; sorted."""
    if isinstance(scopes, str):
        raise BadRequest("scopes must be a list")
    result = set(BASE_SCOPES)
    for scope in scopes:
        if not isinstance(scope, str) or not 0 < len(scope) <= MAX_SCOPE_CHARS:
            raise BadRequest("malformed scope")
        scope = canonical(scope)
        if scope not in OUTSIDE_PREFIX and (
            not scope.startswith(GOOGLE_SCOPE_PREFIX) or any(c.isspace() for c in scope)
        ):
            raise BadRequest("only Google API scopes may be requested")
        result.add(scope)
    if len(result) > MAX_SCOPES:
        raise BadRequest(f"at most {MAX_SCOPES} scopes")
    return tuple(sorted(result))


def missing(needed: Iterable[str], granted: Iterable[str]) -> tuple[str, ...]:
    have = {canonical(s) for s in granted}
    return tuple(sorted({canonical(s) for s in needed} - have))
