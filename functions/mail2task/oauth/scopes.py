"""Scope lists: what the app may ask people to grant, Google's aliases, the scopes every consent adds."""

from __future__ import annotations

from collections.abc import Iterable

from mail2task.errors import BadRequest

GOOGLE_SCOPE_PREFIX = "https://www.googleapis.com/auth/"
EMAIL = GOOGLE_SCOPE_PREFIX + "userinfo.email"
PROFILE = GOOGLE_SCOPE_PREFIX + "userinfo.profile"
OPENID = "openid"
GMAIL_SEND = GOOGLE_SCOPE_PREFIX + "gmail.send"
DIRECTORY_READONLY = GOOGLE_SCOPE_PREFIX + "admin.directory.user.readonly"
# openid: an ID token proves who consented. email: Cross-Account Protection only reports on users who
# granted email or profile.
BASE_SCOPES = (OPENID, EMAIL)
# Everything the app may ask a person to grant it offline (the OAuth consent screen lists the same): a
# consent start for any other scope is refused, whoever asks. Members: send replies as themselves; app
# admins also read the directory.
GRANTABLE = frozenset({*BASE_SCOPES, GMAIL_SEND, DIRECTORY_READONLY})
ALIASES = {"email": EMAIL, "profile": PROFILE}
MAX_SCOPES = 20
MAX_SCOPE_CHARS = 200


def canonical(scope: str) -> str:
    return ALIASES.get(scope, scope)


def requested(scopes: Iterable[str]) -> tuple[str, ...]:
    """The scopes to ask Google for: ``scopes`` checked against GRANTABLE (aliases resolved), plus
    BASE_SCOPES; sorted."""
    if isinstance(scopes, str):
        raise BadRequest("scopes must be a list")
    result = set(BASE_SCOPES)
    for count, scope in enumerate(scopes, start=1):
        if count > MAX_SCOPES:
            raise BadRequest(f"at most {MAX_SCOPES} scopes")
        if not isinstance(scope, str) or not 0 < len(scope) <= MAX_SCOPE_CHARS:
            raise BadRequest("malformed scope")
        scope = canonical(scope)
        if scope not in GRANTABLE:
            raise BadRequest("scope not allowed")
        result.add(scope)
    return tuple(sorted(result))


def missing(needed: Iterable[str], granted: Iterable[str]) -> tuple[str, ...]:
    have = {canonical(s) for s in granted}
    return tuple(sorted({canonical(s) for s in needed} - have))
