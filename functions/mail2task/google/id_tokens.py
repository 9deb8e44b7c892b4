"""Verify Google-signed JWTs (ID tokens, OIDC tokens, security event tokens) against cached public keys.

google-auth fetches Google's certificates on every verification; ``KeyCache`` keeps them for the
``Cache-Control: max-age`` the endpoint sends and re-fetches once when a token names an unknown ``kid``
(Google rotates keys). Both key formats are understood: the x509 PEM map of ``oauth2/v1/certs`` and a
JWKS document (``oauth2/v3/certs``, RISC). Signatures are checked by google-auth's RSA verifier; claims
are checked here, in full: ``alg`` RS256 only, ``kid`` required, issuer, audience, expiry and issue time.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mail2task.errors import Unauthenticated

GOOGLE_CERTS_URL = "https://www.googleapis.com/oauth2/v1/certs"
GOOGLE_ISSUERS = ("accounts.google.com", "https://accounts.google.com")
MAX_TOKEN_BYTES = 16 * 1024
DEFAULT_MAX_AGE = 300.0
MIN_REFETCH_INTERVAL = 30.0
CLOCK_SKEW_SECONDS = 30

# (url) -> (status, headers, body). The default uses google-auth's requests transport.
Fetch = Callable[[str], tuple[int, Mapping[str, str], bytes]]


def _default_fetch(url: str) -> tuple[int, Mapping[str, str], bytes]:
    import google.auth.transport.requests

    response = google.auth.transport.requests.Request()(url, method="GET", timeout=10)
    return response.status, response.headers, response.data


def _max_age(headers: Mapping[str, str]) -> float:
    lowered = {k.lower(): v for k, v in headers.items()}
    match = re.search(r"max-age=(\d+)", lowered.get("cache-control", ""))
    return float(match.group(1)) if match else DEFAULT_MAX_AGE


def _b64url(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def _jwk_to_pem(jwk: Mapping[str, Any]) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicNumbers

    numbers = RSAPublicNumbers(
        e=int.from_bytes(_b64url(jwk["e"]), "big"), n=int.from_bytes(_b64url(jwk["n"]), "big")
    )
    key = numbers.public_key()
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def parse_keys(body: bytes) -> dict[str, str]:
    """``{kid: PEM}`` from either an x509 PEM map or a JWKS document."""
    data = json.loads(body)
    if isinstance(data, dict) and isinstance(data.get("keys"), list):
        return {k["kid"]: _jwk_to_pem(k) for k in data["keys"] if k.get("kty") == "RSA" and "kid" in k}
    if isinstance(data, dict):
        return {str(kid): str(pem) for kid, pem in data.items()}
    raise ValueError("unrecognised key document")


class KeyCache:
    """Public keys from one URL, kept for the server's max-age; one forced re-fetch on an unknown kid."""

    def __init__(
        self, url: str, fetch: Fetch | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.url = url
        self._fetch = fetch or _default_fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str, str] = {}
        self._expires_at = 0.0
        self._fetched_at = float("-inf")
        self.fetches = 0

    def _refresh(self) -> None:
        status, headers, body = self._fetch(self.url)
        self.fetches += 1
        if status != 200:
            raise Unauthenticated(f"key endpoint answered {status}", retryable=True)
        try:
            keys = parse_keys(body)
        except (ValueError, KeyError, TypeError):
            raise Unauthenticated("key endpoint answered an unreadable document", retryable=True) from None
        now = self._clock()
        self._keys, self._fetched_at, self._expires_at = keys, now, now + _max_age(headers)

    def key(self, kid: str) -> str:
        """The PEM for ``kid``; raises Unauthenticated when no such key exists after one re-fetch."""
        with self._lock:
            now = self._clock()
            stale = now >= self._expires_at
            unknown = kid not in self._keys and now - self._fetched_at >= MIN_REFETCH_INTERVAL
            if stale or unknown:
                self._refresh()
            pem = self._keys.get(kid)
        if pem is None:
            raise Unauthenticated("token signed with an unknown key")
        return pem


@dataclass(frozen=True)
class Expectation:
    """What a verified token must say."""

    audiences: tuple[str, ...]
    issuers: tuple[str, ...] = GOOGLE_ISSUERS
    check_times: bool = True  # security event tokens describe past events: no exp check


def _segments(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    if not isinstance(token, str) or len(token) > MAX_TOKEN_BYTES or token.count(".") != 2:
        raise Unauthenticated("malformed token")
    head, body, signature = token.split(".")
    try:
        header = json.loads(_b64url(head))
        claims = json.loads(_b64url(body))
        raw_signature = _b64url(signature)
    except (ValueError, UnicodeDecodeError):
        raise Unauthenticated("malformed token") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise Unauthenticated("malformed token")
    return header, claims, f"{head}.{body}".encode(), raw_signature


def _check_times(claims: Mapping[str, Any], now: float) -> None:
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or not isinstance(iat, int | float):
        raise Unauthenticated("token lacks exp or iat")
    if now > exp + CLOCK_SKEW_SECONDS:
        raise Unauthenticated("token expired")
    if iat > now + CLOCK_SKEW_SECONDS:
        raise Unauthenticated("token issued in the future")


def _audience_ok(aud: Any, expected: Iterable[str]) -> bool:
    wanted = set(expected)
    if isinstance(aud, str):
        return aud in wanted
    return isinstance(aud, list) and any(isinstance(a, str) and a in wanted for a in aud)


def verify(
    token: str, keys: KeyCache, expect: Expectation, now: Callable[[], float] = time.time
) -> dict[str, Any]:
    """Verify signature and claims of ``token``; return its claims or raise Unauthenticated."""
    from google.auth import crypt

    header, claims, signed, signature = _segments(token)
    if header.get("alg") != "RS256":
        raise Unauthenticated("unsupported token algorithm")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise Unauthenticated("token has no key id")
    verifier = crypt.RSAVerifier.from_string(keys.key(kid))
    if not verifier.verify(signed, signature):
        raise Unauthenticated("bad token signature")
    if claims.get("iss") not in expect.issuers:
        raise Unauthenticated("wrong token issuer")
    if not expect.audiences or not _audience_ok(claims.get("aud"), expect.audiences):
        raise Unauthenticated("wrong token audience")
    if expect.check_times:
        _check_times(claims, now())
    return claims


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header; raises Unauthenticated without one."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("missing bearer token")
    return token.strip()


def verify_service_caller(
    authorization: str | None,
    keys: KeyCache,
    audiences: tuple[str, ...],
    service_account: str,
    now: Callable[[], float] = time.time,
) -> dict[str, Any]:
    """Verify an ``Authorization: Bearer`` Google ID token sent by ``service_account`` for one of
    ``audiences`` (its ``email``, verified); return the claims or raise Unauthenticated."""
    token = bearer_token(authorization)
    if not service_account:
        raise Unauthenticated("no service account is configured for this caller")
    claims = verify(token, keys, Expectation(audiences), now=now)
    if claims.get("email") != service_account or claims.get("email_verified") is not True:
        raise Unauthenticated("token not issued to the expected service account")
    return claims
