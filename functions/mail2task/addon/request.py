"""Verify an add-on request and parse its event: Google's system token, the user's token, the event fields.

Order of checks: the ``Authorization: Bearer`` system ID token (signature, issuer, ``aud`` one of the
endpoint URLs, ``email`` the add-on service account, ``email_verified``, expiry) before the body is read;
then the body; then the ``userIdToken`` (audience = the add-on OAuth client id) that names the user.
Every failure of either token is ``Unauthenticated`` (401, no detail leaves the process).

Accepted audiences: the exact configured function URLs, bare and with the query strings the deployment
descriptor gives them (``…/addon?trigger=homepage``). Whether Google's ``aud`` keeps the query string is
not documented; accepting both forms of only our own URLs covers either answer without widening trust.
"""

from __future__ import annotations

import functools
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mail2task.addon.deployment import USERINFO_EMAIL, addon_audiences
from mail2task.config import AddonSettings, load
from mail2task.errors import BadRequest, ScopesRequired, Unauthenticated
from mail2task.google.id_tokens import Expectation, KeyCache, bearer_token, verify, verify_service_caller
from mail2task.http import read_json
from mail2task.identity import Identity

if TYPE_CHECKING:
    import flask

MAX_PARAMETERS = 32
MAX_PARAMETER_CHARS = 2048
MAX_FORM_INPUTS = 64
MAX_FORM_VALUES = 200
MAX_FORM_VALUE_CHARS = 20_000
MAX_SCOPES = 64
_GMAIL_ID = re.compile(r"^[A-Za-z0-9:_\-]{1,128}$")


@dataclass(frozen=True)
class FormInputs:
    """``commonEventObject.formInputs``: strings per widget name, and picked dates in ms since the epoch."""

    strings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    dates: Mapping[str, int] = field(default_factory=dict)

    def text(self, name: str) -> str | None:
        """The first value of a text input or single selection, or None when absent."""
        values = self.strings.get(name)
        return values[0] if values else None

    def values(self, name: str) -> tuple[str, ...]:
        """Every selected value of a checkbox group or multi-select (empty when none)."""
        return self.strings.get(name, ())

    def date_ms(self, name: str) -> int | None:
        return self.dates.get(name)


@dataclass(frozen=True)
class AddonEvent:
    """One verified add-on request. Tokens are kept out of ``repr`` so they never reach a log line."""

    identity: Identity
    audience: str
    trigger: str | None = None
    host_app: str = ""
    platform: str = ""
    message_id: str | None = None
    thread_id: str | None = None
    gmail_access_token: str | None = field(default=None, repr=False)
    user_oauth_token: str | None = field(default=None, repr=False)
    form_inputs: FormInputs = field(default_factory=FormInputs)
    parameters: Mapping[str, str] = field(default_factory=dict)
    authorized_scopes: frozenset[str] | None = None  # None: the event did not say (pre granular consent)
    locale: str | None = None
    time_zone: str | None = None

    @property
    def action(self) -> str | None:
        return self.parameters.get("action")

    def require_scopes(self, *scopes: str) -> None:
        """Raise ScopesRequired (answered with ``requesting_google_scopes``) for scopes not granted."""
        if self.authorized_scopes is None:
            return
        missing = tuple(s for s in scopes if s not in self.authorized_scopes)
        if missing:
            raise ScopesRequired(missing)


@functools.lru_cache(maxsize=8)
def key_cache(url: str) -> KeyCache:
    """The process-wide certificate cache for ``url`` (kept for the server's max-age)."""
    return KeyCache(url)


def default_audiences(settings: AddonSettings) -> tuple[str, ...]:
    """Every URL Google may sign an add-on request for: `addon` (and its triggers), `convert`, `install`."""
    return (*addon_audiences(settings.addon_url), settings.convert_url, settings.install_url)


def _verify_system_token(request: flask.Request, settings: AddonSettings, audiences: tuple[str, ...]) -> str:
    claims = verify_service_caller(
        request.headers.get("Authorization"),
        key_cache(settings.google_certs_url),
        audiences,
        settings.service_account,
    )
    aud = claims["aud"]  # verify() checked it is one of ``audiences`` (or a list holding one)
    return aud if isinstance(aud, str) else next(a for a in aud if a in audiences)


def _object(parent: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = parent.get(key, {})
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(f"{key} must be an object")
    return value


def _string(parent: Mapping[str, Any], key: str, limit: int = MAX_PARAMETER_CHARS) -> str | None:
    value = parent.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise BadRequest(f"{key} must be a string of at most {limit} characters")
    return value


def _gmail_id(gmail: Mapping[str, Any], key: str) -> str | None:
    value = _string(gmail, key)
    if value is not None and not _GMAIL_ID.match(value):
        raise BadRequest(f"gmail.{key} is malformed")
    return value


def _parameters(common: Mapping[str, Any]) -> dict[str, str]:
    raw = _object(common, "parameters")
    if len(raw) > MAX_PARAMETERS:
        raise BadRequest("too many action parameters")
    out: dict[str, str] = {}
    for key, value in raw.items():
        if not isinstance(value, str) or len(key) > 64 or len(value) > MAX_PARAMETER_CHARS:
            raise BadRequest("action parameters must be short strings")
        out[key] = value
    return out


def _form_inputs(common: Mapping[str, Any]) -> FormInputs:
    raw = _object(common, "formInputs")
    if len(raw) > MAX_FORM_INPUTS:
        raise BadRequest("too many form inputs")
    strings: dict[str, tuple[str, ...]] = {}
    dates: dict[str, int] = {}
    for name, inputs in raw.items():
        if not isinstance(inputs, dict) or len(name) > 128:
            raise BadRequest("formInputs entries must be objects")
        if "stringInputs" in inputs:
            values = _object(inputs, "stringInputs").get("value", [])
            if not isinstance(values, list) or len(values) > MAX_FORM_VALUES:
                raise BadRequest(f"form input {name} is malformed")
            if not all(isinstance(v, str) and len(v) <= MAX_FORM_VALUE_CHARS for v in values):
                raise BadRequest(f"form input {name} is malformed")
            strings[name] = tuple(values)
        for kind in ("dateInput", "dateTimeInput"):
            if kind in inputs:
                ms = _object(inputs, kind).get("msSinceEpoch")
                if not isinstance(ms, str | int) or isinstance(ms, bool):
                    raise BadRequest(f"form input {name} has a malformed date")
                try:
                    dates[name] = int(ms)  # a string in the documented schema, an integer in older ones
                except (TypeError, ValueError):
                    raise BadRequest(f"form input {name} has a malformed date") from None
    return FormInputs(strings, dates)


def _scopes(auth: Mapping[str, Any]) -> frozenset[str] | None:
    scopes = auth.get("authorizedScopes")
    if scopes is None:
        return None
    if not isinstance(scopes, list) or len(scopes) > MAX_SCOPES:
        raise BadRequest("authorizedScopes must be a list of strings")
    if not all(isinstance(s, str) for s in scopes):
        raise BadRequest("authorizedScopes must be a list of strings")
    return frozenset(scopes)


def _identity(auth: Mapping[str, Any], settings: AddonSettings, scopes: frozenset[str] | None) -> Identity:
    token = auth.get("userIdToken")
    if not isinstance(token, str) or not token:
        if scopes is not None and USERINFO_EMAIL not in scopes:
            raise ScopesRequired((USERINFO_EMAIL,))
        raise Unauthenticated("event carries no user ID token")
    claims = verify(token, key_cache(settings.google_certs_url), Expectation((settings.oauth_client_id,)))
    return Identity.from_claims(claims)


def parse_event(
    body: Mapping[str, Any], settings: AddonSettings, *, system_token: str, audience: str, trigger: str | None
) -> AddonEvent:
    """The event of a request whose system token was verified: checks the user token, bounds every field."""
    common = _object(body, "commonEventObject")
    auth = _object(body, "authorizationEventObject")
    gmail = _object(body, "gmail")
    copy = auth.get("systemIdToken")
    if copy is not None and (not isinstance(copy, str) or not hmac.compare_digest(copy, system_token)):
        raise Unauthenticated("systemIdToken differs from the Authorization header")
    scopes = _scopes(auth)
    time_zone = _object(common, "timeZone")
    return AddonEvent(
        identity=_identity(auth, settings, scopes),
        audience=audience,
        trigger=trigger,
        host_app=_string(common, "hostApp") or "",
        platform=_string(common, "platform") or "",
        message_id=_gmail_id(gmail, "messageId"),
        thread_id=_gmail_id(gmail, "threadId"),
        gmail_access_token=_string(gmail, "accessToken", 4096),
        user_oauth_token=_string(auth, "userOAuthToken", 4096),
        form_inputs=_form_inputs(common),
        parameters=_parameters(common),
        authorized_scopes=scopes,
        locale=_string(common, "userLocale", 64),
        time_zone=_string(time_zone, "id", 64),
    )


def verify_addon_request(
    request: flask.Request,
    *,
    audiences: Iterable[str] | None = None,
    settings: AddonSettings | None = None,
) -> AddonEvent:
    """Verify ``request`` end to end and return its event; raises Unauthenticated, BadRequest, ScopesRequired.

    ``audiences`` narrows the accepted ``aud`` values to one function's URLs (default: every add-on URL).
    """
    token = bearer_token(request.headers.get("Authorization"))
    settings = settings or load(AddonSettings)
    accepted = tuple(audiences) if audiences is not None else default_audiences(settings)
    audience = _verify_system_token(request, settings, accepted)
    body = read_json(request)
    trigger = request.args.get("trigger")
    if trigger is not None and len(trigger) > 64:
        raise BadRequest("trigger is malformed")
    return parse_event(body, settings, system_token=token, audience=audience, trigger=trigger)
