"""Google's token and revoke endpoints: code exchange (PKCE), refresh, revocation; failures classified.

Classification follows google-auth's ``_client._can_retry``: HTTP 500/503/504/408/429, the error codes
``internal_failure``/``server_error``/``temporarily_unavailable``, timeouts and connection failures are
RETRYABLE; ``invalid_grant`` means the grant is gone (FINAL); ``invalid_client``/``unauthorized_client``
mean our own client configuration is wrong (CLIENT: every user would fail alike); anything else is
REJECTED (not retried blindly, never taken as proof the grant is dead). Messages carry only error codes.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mail2task.errors import TokenEndpointError as TokenEndpointError
from mail2task.errors import TokenFailure
from mail2task.oauth.http_transport import HttpResponse, Transport, TransportFailure
from mail2task.oauth.model import Clock, utcnow

RETRYABLE_STATUS = frozenset({500, 503, 504, 408, 429})
RETRYABLE_ERRORS = frozenset({"internal_failure", "server_error", "temporarily_unavailable"})
CLIENT_ERRORS = frozenset({"invalid_client", "unauthorized_client"})
MAX_EXPIRES_IN = 24 * 3600
FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}

Failure = TokenFailure  # the name this module's callers use


@dataclass(frozen=True, repr=False)
class TokenResponse:
    """A successful token response. ``refresh_token`` is None when Google kept the existing one."""

    access_token: str
    expires_at: dt.datetime | None
    refresh_token: str | None
    scopes: tuple[str, ...] | None
    id_token: str | None

    def __repr__(self) -> str:
        return f"TokenResponse(<redacted>, expires_at={self.expires_at!r}, scopes={self.scopes!r})"


def _json(response: HttpResponse) -> dict[str, Any]:
    try:
        data = json.loads(response.body)
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def classify(status: int, data: Mapping[str, Any]) -> TokenEndpointError:
    error = data.get("error")
    code = error if isinstance(error, str) and len(error) <= 64 else f"http_{status}"
    if status in RETRYABLE_STATUS or code in RETRYABLE_ERRORS:
        return TokenEndpointError(Failure.RETRYABLE, code, status)
    if code == "invalid_grant":
        return TokenEndpointError(Failure.FINAL, code, status)
    if code in CLIENT_ERRORS:
        return TokenEndpointError(Failure.CLIENT, code, status)
    if status >= 500:
        return TokenEndpointError(Failure.RETRYABLE, code, status)
    return TokenEndpointError(Failure.REJECTED, code, status)


class TokenClient:
    """One OAuth client's view of Google's token and revoke endpoints."""

    def __init__(
        self,
        *,
        token_url: str,
        revoke_url: str,
        client_id: str,
        client_secret: str,
        transport: Transport,
        timeout: float = 10.0,
        clock: Clock = utcnow,
    ) -> None:
        self.token_url, self.revoke_url = token_url, revoke_url
        self.client_id = client_id
        self._client_secret = client_secret
        self._transport = transport
        self._timeout = timeout
        self._clock = clock

    def __repr__(self) -> str:
        return f"TokenClient(token_url={self.token_url!r}, client_id={self.client_id!r})"

    def _post(self, url: str, form: dict[str, str]) -> HttpResponse:
        body = urllib.parse.urlencode(form).encode()
        try:
            return self._transport("POST", url, body=body, headers=FORM, timeout=self._timeout)
        except TransportFailure as failure:
            raise TokenEndpointError(Failure.RETRYABLE, failure.kind) from None

    def _token_request(self, form: dict[str, str]) -> TokenResponse:
        started = self._clock()
        response = self._post(
            self.token_url, {**form, "client_id": self.client_id, "client_secret": self._client_secret}
        )
        data = _json(response)
        if response.status != 200 or "error" in data:
            raise classify(response.status, data)
        access, refresh = data.get("access_token"), data.get("refresh_token")
        expires_in, scope, id_token = data.get("expires_in"), data.get("scope"), data.get("id_token")
        if isinstance(expires_in, str) and expires_in.isdigit():
            expires_in = int(expires_in)
        if (
            not isinstance(access, str)
            or not access
            or not (refresh is None or isinstance(refresh, str))
            or not (expires_in is None or (isinstance(expires_in, int) and 0 < expires_in <= MAX_EXPIRES_IN))
        ):
            raise TokenEndpointError(Failure.REJECTED, "malformed_response", response.status)
        return TokenResponse(
            access_token=access,
            # measured from when the request was sent, so a slow answer never overstates the lifetime
            expires_at=started + dt.timedelta(seconds=expires_in) if isinstance(expires_in, int) else None,
            refresh_token=refresh or None,
            scopes=tuple(sorted(set(scope.split()))) if isinstance(scope, str) else None,
            id_token=id_token if isinstance(id_token, str) else None,
        )

    def exchange_code(self, code: str, *, code_verifier: str, redirect_uri: str) -> TokenResponse:
        """Trade an authorization code for tokens, proving possession of the PKCE verifier."""
        return self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "code_verifier": code_verifier,
                "redirect_uri": redirect_uri,
            }
        )

    def refresh(self, refresh_token: str) -> TokenResponse:
        """A new access token for ``refresh_token`` (one attempt; the caller decides about retrying)."""
        return self._token_request({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def revoke(self, token: str) -> bool:
        """Revoke a refresh (or access) token. True if revoked now, False if Google no longer knew it."""
        response = self._post(self.revoke_url, {"token": token})
        if response.status == 200:
            return True
        data = _json(response)
        if response.status == 400 and data.get("error") in ("invalid_token", "invalid_request"):
            return False
        raise classify(response.status, data)
