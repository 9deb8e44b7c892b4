"""A loopback stand-in for Google's OAuth endpoints, speaking their wire formats (tests and `make run`).

    GET  /o/oauth2/v2/auth               consent: redirects straight back with a code (or ``error``)
    POST /token                          ``authorization_code`` (PKCE S256 checked) and ``refresh_token``
    POST /revoke                         revokes a refresh or access token (and what hangs off it)
    GET  /oauth2/v1/certs, /oauth2/v3/certs   the signing key as {kid: x509 PEM} and as JWKS
    GET  /.well-known/risc-configuration     issuer and jwks_uri, as Google's RISC configuration
    GET  /tokeninfo?access_token=...     who a live access token belongs to and its scopes

Errors use Google's JSON shape (``{"error": "invalid_grant", "error_description": ...}``). ID tokens and
security event tokens are signed by a ``DevSigner``. ``faults`` injects latency, failing or hanging
answers and ``invalid_grant`` for chosen refresh tokens. Binds 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

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


class OAuthStandIn:
    """Google's OAuth endpoints for one client, on a free loopback port."""

    def __init__(
        self,
        *,
        signer: DevSigner | None = None,
        client_id: str = "standin-client.apps.googleusercontent.com",
        client_secret: str | None = None,
        redirect_uris: tuple[str, ...] = (),
        accept_unknown_refresh_tokens: bool = False,
        port: int = 0,
    ) -> None:
        self.signer = signer or DevSigner(kid="oauth-standin")
        self.client_id = client_id
        self.client_secret = client_secret or "standin-secret-" + secrets.token_urlsafe(16)
        self.redirect_uris = redirect_uris
        self.accept_unknown = accept_unknown_refresh_tokens
        self.faults = Faults()
        self.users: dict[str, User] = {}
        self.refreshes: Counter[str] = Counter()  # refresh token -> successful refresh grants
        self.access_tokens: dict[str, list[str]] = {}  # refresh token -> access tokens issued, in order
        self.issued: list[str] = [self.client_secret]  # every secret value handed out (log scans)
        self._grants: dict[str, _Grant] = {}
        self._access: dict[str, str] = {}  # access token -> refresh token (or "")
        self._codes: dict[str, dict[str, Any]] = {}
        self._lock = threading.Condition()
        handler = type("Handler", (_Handler,), {"standin": self})
        self._server = _Server(("127.0.0.1", port), handler)
        self._thread: threading.Thread | None = None

    # -- lifecycle and addresses -------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    auth_url = property(lambda self: self.base_url + "/o/oauth2/v2/auth")
    token_url = property(lambda self: self.base_url + "/token")
    revoke_url = property(lambda self: self.base_url + "/revoke")
    certs_url = property(lambda self: self.base_url + "/oauth2/v1/certs")
    jwks_url = property(lambda self: self.base_url + "/oauth2/v3/certs")
    risc_config_url = property(lambda self: self.base_url + "/.well-known/risc-configuration")

    def start(self) -> OAuthStandIn:
        self._thread = threading.Thread(target=self._server.serve_forever, name="oauth-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> OAuthStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

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

    def document(self, path: str) -> dict[str, Any] | None:
        if path == "/oauth2/v1/certs":
            return self.signer.certs()
        if path == "/oauth2/v3/certs":
            return self.signer.jwks()
        if path == "/.well-known/risc-configuration":
            push = "https://schemas.openid.net/secevent/risc/delivery-method/push"
            return {"issuer": RISC_ISSUER, "jwks_uri": self.jwks_url, "delivery_methods_supported": [push]}
        return None

    def _fault(self) -> tuple[int, dict[str, Any]] | None:
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


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the benchmark opens many keep-alive connections at once

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (or was killed) mid-request is normal here: say nothing."""


class _Handler(BaseHTTPRequestHandler):
    standin: OAuthStandIn
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once (no 40 ms delayed-ACK stall)
    wbufsize = -1  # buffered: one write per answer, flushed after each request

    def log_message(self, format: str, *args: Any) -> None:  # URLs carry codes and states: say nothing
        return

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload: dict[str, Any], cache: str = "no-store") -> None:
        headers = {"Content-Type": "application/json; charset=utf-8", "Cache-Control": cache}
        self._send(status, json.dumps(payload).encode() if payload or status != 200 else b"", headers)

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/o/oauth2/v2/auth":
            status, headers, body = self.standin.authorize(dict(urllib.parse.parse_qsl(url.query)))
            self._send(status, body, headers)
            return
        if url.path == "/tokeninfo":
            info = self.standin.token_info(dict(urllib.parse.parse_qsl(url.query)).get("access_token", ""))
            if info is None:
                self._json(400, {"error": "invalid_token", "error_description": "Invalid Value"})
            else:
                self._json(
                    200, {"sub": info[0], "scope": " ".join(sorted(info[1])), "expires_in": ACCESS_LIFETIME}
                )
            return
        document = self.standin.document(url.path)
        if document is None:
            self._json(404, {"error": "not_found"})
        else:
            self._json(200, document, cache="public, max-age=3600, must-revalidate")

    def do_POST(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(
            urllib.parse.parse_qsl(self.rfile.read(min(length, 64 * 1024)).decode("utf-8", "replace"))
        )
        if url.path not in ("/token", "/revoke"):
            self._json(404, {"error": "not_found"})
            return
        if self.standin.faults.latency:
            time.sleep(self.standin.faults.latency)
        answer = self.standin._fault()
        if answer is None and url.path == "/token":
            answer = self.standin.token(form, self._basic())
        elif answer is None:
            answer = self.standin.revoke(
                form.get("token") or dict(urllib.parse.parse_qsl(url.query)).get("token", "")
            )
        self._json(*answer)

    def _basic(self) -> tuple[str, str] | None:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return urllib.parse.unquote(user), urllib.parse.unquote(password)


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve Google's OAuth endpoints on loopback.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each token answer")
    parser.add_argument("--client-id", default="standin-client.apps.googleusercontent.com")
    parser.add_argument("--client-secret", default=None)
    parser.add_argument("--accept-unknown-refresh-tokens", action="store_true")
    args = parser.parse_args()
    standin = OAuthStandIn(
        client_id=args.client_id, client_secret=args.client_secret,
        accept_unknown_refresh_tokens=args.accept_unknown_refresh_tokens, port=args.port,
    )  # fmt: skip
    standin.faults.latency = args.latency
    print(json.dumps({"base_url": standin.base_url}), flush=True)
    standin._server.serve_forever()


if __name__ == "__main__":
    main()
