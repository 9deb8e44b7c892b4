"""Google's OAuth server for one client, without HTTP: consent codes, grants, token answers, revocation.

:class:`OAuthGrants` holds what Google would remember (users, refresh grants, access tokens, one-time
codes) and answers each endpoint as ``(status, JSON body)``;
:class:`~mail2task.local.oauth_standin.OAuthStandIn` serves it on loopback. :class:`Faults` says what goes
wrong, for tests.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TypedDict, Unpack

from mail2task.local.devkey import DevSigner

ACCESS_LIFETIME = 3599
RISC_ISSUER = "https://accounts.google.com/"
ID_ISSUER = "https://accounts.google.com"


@dataclass(frozen=True)
class User:
    sub: str
    email: str
    hd: str | None = None

    @classmethod
    def for_email(cls, email: str) -> User:
        domain = email.rsplit("@", 1)[-1].lower()
        sub = str(int.from_bytes(hashlib.sha256(email.lower().encode()).digest()[:8], "big"))
        return cls(sub=sub, email=email.lower(), hd=None if domain == "gmail.com" else domain)


@dataclass
class Faults:
    """What goes wrong, for tests. Lists are consumed front first, one entry per token request."""

    latency: float = 0.0  # seconds added to every /token and /revoke answer
    fail_next: list[tuple[int, str]] = field(default_factory=list)  # (HTTP status, OAuth error code)
    hang_next: int = 0  # answer the next N token requests only after ``hang_seconds`` (a 503)
    hang_seconds: float = 5.0
    invalid_grant: set[str] = field(default_factory=set)  # refresh tokens Google no longer honours
    deny_consent: bool = False
    omit_refresh_token: bool = False  # a code exchange answers without a refresh token
    granted_scopes: set[str] | None = None  # the user unticks everything else (granular consent)
    act_as: User | None = None  # who actually signs in on Google's page, whatever the login_hint
    rotate_refresh_tokens: bool = False  # a refresh answer carries a new refresh token (the old one dies)


@dataclass
class _Grant:
    sub: str
    scopes: set[str]
    revoked: bool = False


class Client(TypedDict, total=False):
    """The OAuth client the server knows; every key is optional."""

    signer: DevSigner | None  # signs ID tokens and security events (default: a fresh development key)
    client_id: str  # default: standin-client.apps.googleusercontent.com
    client_secret: str | None  # default: a fresh random secret
    redirect_uris: tuple[str, ...]  # registered redirect URIs; empty: any is accepted
    accept_unknown_refresh_tokens: bool  # honour any "1//" token never issued here (benchmarks)


class OAuthGrants:
    """What Google's OAuth server knows about one client's users and tokens, and how it answers."""

    def __init__(self, **client: Unpack[Client]) -> None:
        self.signer = client.get("signer") or DevSigner(kid="oauth-standin")
        self.client_id = client.get("client_id", "standin-client.apps.googleusercontent.com")
        self.client_secret = client.get("client_secret") or "standin-secret-" + secrets.token_urlsafe(16)
        self.redirect_uris = client.get("redirect_uris", ())
        self.accept_unknown = client.get("accept_unknown_refresh_tokens", False)
        self.faults = Faults()
        self.users: dict[str, User] = {}
        self.refreshes: Counter[str] = Counter()  # refresh token -> successful refresh grants
        self.access_tokens: dict[str, list[str]] = {}  # refresh token -> access tokens issued, in order
        self.issued: list[str] = [self.client_secret]  # every secret value handed out (log scans)
        self._grants: dict[str, _Grant] = {}
        self._access: dict[str, str] = {}  # access token -> refresh token (or "")
        self._codes: dict[str, dict[str, Any]] = {}
        self._lock = threading.Condition()

    # -- test helpers ------------------------------------------------------------------------------
    def _new(self, prefix: str, size: int = 32) -> str:
        value = prefix + secrets.token_urlsafe(size)
        self.issued.append(value)
        return value

    def add_grant(self, sub: str, scopes: set[str]) -> str:
        """A live refresh token for ``sub``, as if the user had consented earlier."""
        with self._lock:
            token = self._new("1//0", 48)
            self._grants[token] = _Grant(sub, set(scopes))
            return token

    def set_scopes(self, refresh_token: str, scopes: set[str]) -> None:
        """Change what a grant covers (the user removed access to part of it)."""
        with self._lock:
            self._grants[refresh_token].scopes = set(scopes)

    def token_info(self, access_token: str) -> tuple[str, set[str]] | None:
        """Whose live access token this is and its scopes (what Google's tokeninfo endpoint tells)."""
        with self._lock:
            grant = self._grants.get(self._access.get(access_token) or "")
            return (grant.sub, set(grant.scopes)) if grant is not None and not grant.revoked else None

    def is_revoked(self, refresh_token: str) -> bool:
        with self._lock:
            grant = self._grants.get(refresh_token)
            return grant is None or grant.revoked

    def wait_for_refreshes(self, count: int, timeout: float = 30.0) -> bool:
        """Block until ``count`` refresh grants have been answered in total."""
        with self._lock:
            return self._lock.wait_for(lambda: sum(self.refreshes.values()) >= count, timeout)

    def security_event(self, events: dict[str, Any], *, audience: str | None = None, **claims: Any) -> str:
        """A security event token (RISC) signed like Google's."""
        body: dict[str, Any] = {"iss": RISC_ISSUER, "aud": audience or self.client_id}
        body.update({"jti": secrets.token_hex(16), "iat": int(time.time()), "events": events, **claims})
        return self.signer.mint(body, header={"typ": "secevent+jwt"})

    # -- protocol ----------------------------------------------------------------------------------
    def _id_token(self, user: User, nonce: str | None) -> str:
        claims: dict[str, Any] = {"iss": ID_ISSUER, "aud": self.client_id, "azp": self.client_id}
        claims.update(sub=user.sub, email=user.email, email_verified=True)
        if user.hd:
            claims["hd"] = user.hd
        if nonce:
            claims["nonce"] = nonce
        token = self.signer.mint(claims)
        self.issued.append(token)
        return token

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        redirect = query.get("redirect_uri", "")
        if query.get("client_id") != self.client_id or (
            self.redirect_uris and redirect not in self.redirect_uris
        ):
            return 400, {"Content-Type": "text/plain"}, b"Error 400: redirect_uri_mismatch"
        if query.get("code_challenge") and query.get("code_challenge_method") != "S256":
            return 400, {"Content-Type": "text/plain"}, b"Error 400: invalid_request"
        back: dict[str, str] = {"state": query.get("state", "")}
        if self.faults.deny_consent:
            back["error"] = "access_denied"
        else:
            hint = query.get("login_hint", "")
            user = self.faults.act_as or self.users.get(hint) or User.for_email(hint or "user@example.com")
            scopes = set(query.get("scope", "").split())
            if self.faults.granted_scopes is not None:
                scopes &= self.faults.granted_scopes | {"openid"}
            with self._lock:
                code = self._new("4/0", 24)
                self._codes[code] = {
                    "user": user, "scopes": scopes, "redirect_uri": redirect, "nonce": query.get("nonce"),
                    "challenge": query.get("code_challenge"), "expires": time.time() + 600,
                    "offline": query.get("access_type") == "offline",
                    "consent": "consent" in query.get("prompt", "").split(),
                }  # fmt: skip
            back.update(code=code, scope=" ".join(sorted(scopes)), authuser="0", prompt="consent")
        location = redirect + ("&" if "?" in redirect else "?") + urllib.parse.urlencode(back)
        return 302, {"Location": location}, b""

    def token(self, form: dict[str, str], basic: tuple[str, str] | None) -> tuple[int, dict[str, Any]]:
        client = basic or (form.get("client_id", ""), form.get("client_secret", ""))
        if client != (self.client_id, self.client_secret):
            return 401, {"error": "invalid_client", "error_description": "Unauthorized"}
        grant_type = form.get("grant_type")
        with self._lock:
            if grant_type == "authorization_code":
                return self._exchange(form)
            if grant_type == "refresh_token":
                return self._refresh(form)
        return 400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type: "}

    def _exchange(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        record = self._codes.get(form.get("code", ""))
        bad = {"error": "invalid_grant", "error_description": "Bad Request"}
        if record is None or record.get("used") or record["expires"] < time.time():
            return 400, bad
        record["used"] = True
        if form.get("redirect_uri") != record["redirect_uri"]:
            return 400, {"error": "redirect_uri_mismatch", "error_description": "Bad Request"}
        if record["challenge"]:
            verifier = form.get("code_verifier", "")
            digest = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            )
            if digest != record["challenge"]:
                return 400, {"error": "invalid_grant", "error_description": "Invalid code verifier."}
        user: User = record["user"]
        live = [t for t, g in self._grants.items() if g.sub == user.sub and not g.revoked]
        scopes = set(record["scopes"]).union(*(self._grants[t].scopes for t in live))
        answer: dict[str, Any] = {
            "expires_in": ACCESS_LIFETIME,
            "token_type": "Bearer",
            "scope": " ".join(sorted(scopes)),
        }
        refresh = ""
        if record["offline"] and (record["consent"] or not live) and not self.faults.omit_refresh_token:
            refresh = self._new("1//0", 48)
            self._grants[refresh] = _Grant(user.sub, scopes)
            answer["refresh_token"] = refresh
        elif live:
            self._grants[live[0]].scopes = scopes
        answer["access_token"] = self._new("ya29.a0", 48)
        self._access[answer["access_token"]] = refresh or (live[0] if live else "")
        if "openid" in scopes:
            answer["id_token"] = self._id_token(user, record["nonce"])
        return 200, answer

    def _refresh(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        token = form.get("refresh_token", "")
        grant = self._grants.get(token)
        if grant is None and self.accept_unknown and token.startswith("1//"):
            grant = self._grants[token] = _Grant("unknown", {"openid"})
        if grant is None or grant.revoked or token in self.faults.invalid_grant:
            return 400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
        access = self._new("ya29.a0", 48)
        self._access[access] = token
        self.refreshes[token] += 1
        self.access_tokens.setdefault(token, []).append(access)
        self._lock.notify_all()
        answer: dict[str, Any] = {
            "access_token": access,
            "expires_in": ACCESS_LIFETIME,
            "token_type": "Bearer",
        }
        answer["scope"] = " ".join(sorted(grant.scopes))
        if self.faults.rotate_refresh_tokens:
            grant.revoked = True
            answer["refresh_token"] = self._new("1//0", 48)
            self._grants[answer["refresh_token"]] = _Grant(grant.sub, set(grant.scopes))
        return 200, answer

    def revoke(self, token: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            refresh = token if token in self._grants else self._access.pop(token, None)
            if refresh is None or (refresh and self._grants[refresh].revoked):
                return 400, {"error": "invalid_token", "error_description": "Token expired or revoked"}
            if refresh:
                self._grants[refresh].revoked = True
            return 200, {}

    def injected_failure(self) -> tuple[int, dict[str, Any]] | None:
        """The answer ``faults`` make the next token or revoke request get instead of its own, if any."""
        with self._lock:
            if self.faults.hang_next > 0:
                self.faults.hang_next -= 1
                hang = True
            else:
                hang = False
                failure = self.faults.fail_next.pop(0) if self.faults.fail_next else None
        if hang:
            time.sleep(self.faults.hang_seconds)
            return 503, {"error": "temporarily_unavailable", "error_description": "Backend did not answer"}
        if failure is not None:
            return failure[0], {"error": failure[1], "error_description": "Injected failure"}
        return None
