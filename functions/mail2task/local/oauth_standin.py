"""A loopback stand-in for Google's OAuth endpoints, speaking their wire formats (tests and `make run`).

    GET  /o/oauth2/v2/auth               consent: redirects straight back with a code (or ``error``)
    POST /token                          ``authorization_code`` (PKCE S256 checked) and ``refresh_token``
    POST /revoke                         revokes a refresh or access token (and what hangs off it)
    GET  /oauth2/v1/certs, /oauth2/v3/certs   the signing key as {kid: x509 PEM} and as JWKS
    GET  /.well-known/risc-configuration     issuer and jwks_uri, as Google's RISC configuration
    GET  /tokeninfo?access_token=...     who a live access token belongs to and its scopes

Errors use Google's JSON shape (``{"error": "invalid_grant", "error_description": ...}``). ID tokens and
security event tokens are signed by a ``DevSigner``. ``faults`` injects latency, failing or hanging
answers and ``invalid_grant`` for chosen refresh tokens. Binds 127.0.0.1 only. What the server remembers
and how each endpoint decides lives in :mod:`mail2task.local.oauth_grants`; this module is its HTTP face.
"""

from __future__ import annotations

import argparse
import base64
import json
import time
import urllib.parse
from typing import Any, Unpack

from mail2task.local.oauth_grants import (
    ACCESS_LIFETIME,
    ID_ISSUER,
    RISC_ISSUER,
    Client,
    Faults,
    OAuthGrants,
    User,
)
from mail2task.local.servers import HttpStandIn, QuietHandler, StandInServer

__all__ = ["ACCESS_LIFETIME", "ID_ISSUER", "RISC_ISSUER", "Faults", "OAuthStandIn", "User", "main"]


class OAuthStandIn(OAuthGrants, HttpStandIn):
    """Google's OAuth endpoints for one client, on a free loopback port."""

    def __init__(self, *, port: int = 0, **client: Unpack[Client]) -> None:
        OAuthGrants.__init__(self, **client)
        HttpStandIn.__init__(self, "oauth-standin", _Handler, port, _Server)

    @property
    def base_url(self) -> str:
        return self.endpoint

    auth_url = property(lambda self: self.base_url + "/o/oauth2/v2/auth")
    token_url = property(lambda self: self.base_url + "/token")
    revoke_url = property(lambda self: self.base_url + "/revoke")
    certs_url = property(lambda self: self.base_url + "/oauth2/v1/certs")
    jwks_url = property(lambda self: self.base_url + "/oauth2/v3/certs")
    risc_config_url = property(lambda self: self.base_url + "/.well-known/risc-configuration")

    def document(self, path: str) -> dict[str, Any] | None:
        if path == "/oauth2/v1/certs":
            return self.signer.certs()
        if path == "/oauth2/v3/certs":
            return self.signer.jwks()
        if path == "/.well-known/risc-configuration":
            push = "https://schemas.openid.net/secevent/risc/delivery-method/push"
            return {"issuer": RISC_ISSUER, "jwks_uri": self.jwks_url, "delivery_methods_supported": [push]}
        return None


class _Server(StandInServer[OAuthStandIn]):
    request_queue_size = 256  # the benchmark opens many keep-alive connections at once

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (or was killed) mid-request is normal here: say nothing."""


class _Handler(QuietHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once (no 40 ms delayed-ACK stall)
    wbufsize = -1  # buffered: one write per answer, flushed after each request

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
        standin, url = self.server.standin, urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/o/oauth2/v2/auth":
            status, headers, body = standin.authorize(query)
            self._send(status, body, headers)
            return
        if url.path == "/tokeninfo":
            info = standin.token_info(query.get("access_token", ""))
            if info is None:
                self._json(400, {"error": "invalid_token", "error_description": "Invalid Value"})
            else:
                self._json(
                    200, {"sub": info[0], "scope": " ".join(sorted(info[1])), "expires_in": ACCESS_LIFETIME}
                )
            return
        document = standin.document(url.path)
        if document is None:
            self._json(404, {"error": "not_found"})
        else:
            self._json(200, document, cache="public, max-age=3600, must-revalidate")

    def do_POST(self) -> None:
        standin, url = self.server.standin, urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(
            urllib.parse.parse_qsl(self.rfile.read(min(length, 64 * 1024)).decode("utf-8", "replace"))
        )
        if url.path not in ("/token", "/revoke"):
            self._json(404, {"error": "not_found"})
            return
        if standin.faults.latency:
            time.sleep(standin.faults.latency)
        answer = standin.injected_failure()
        if answer is None and url.path == "/token":
            answer = standin.token(form, self._basic())
        elif answer is None:
            token = form.get("token") or dict(urllib.parse.parse_qsl(url.query)).get("token", "")
            answer = standin.revoke(token)
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
    standin.serve_forever()


if __name__ == "__main__":
    main()
