"""A development signing key that mints Google-shaped ID tokens for the local stack and tests.

The key's certificates are served in the format of Google's ``oauth2/v1/certs`` (``{kid: x509 PEM}``).
Only the ``local`` profile may point the verifier at them; production always verifies against Google.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def _certificate(key: rsa.RSAPrivateKey, name: str) -> str:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


@dataclass
class DevSigner:
    """An RSA key with a key id; mints RS256 JWTs and publishes its certificate."""

    kid: str = "mail2task-dev-key"
    key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))

    @functools.cached_property
    def _signer(self) -> Any:
        """google-auth's signer for this key, parsed once (parsing costs tens of milliseconds)."""
        from google.auth import crypt

        pem = self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return crypt.RSASigner.from_string(pem, key_id=self.kid)

    def certs(self) -> dict[str, str]:
        """``{kid: x509 PEM}``, the shape of Google's oauth2/v1/certs."""
        return {self.kid: _certificate(self.key, self.kid)}

    def certs_json(self) -> bytes:
        return json.dumps(self.certs()).encode()

    def jwks(self) -> dict[str, Any]:
        """The same public key as a JWKS document (oauth2/v3/certs, RISC)."""
        import base64

        numbers = self.key.public_key().public_numbers()

        def b64(value: int) -> str:
            raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        return {"keys": [{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": self.kid,
                          "n": b64(numbers.n), "e": b64(numbers.e)}]}  # fmt: skip

    def mint(
        self, claims: dict[str, Any], *, lifetime: int = 3600, header: dict[str, Any] | None = None
    ) -> str:
        """An RS256 JWT over ``claims`` (iat/exp filled in unless given); ``header`` entries are added to
        the header (``typ`` included: google-auth's encoder would always write ``JWT``)."""
        import base64

        from google.auth import jwt

        now = int(time.time())
        payload = {"iat": now, "exp": now + lifetime, **claims}
        signer = self._signer
        if not header:
            token: bytes = jwt.encode(signer, payload)
            return token.decode()

        def segment(value: dict[str, Any]) -> bytes:
            return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=")

        signed = segment({"typ": "JWT", "alg": "RS256", "kid": self.kid, **header}) + b"." + segment(payload)
        signature = base64.urlsafe_b64encode(signer.sign(signed)).rstrip(b"=")
        return (signed + b"." + signature).decode()


def system_claims(audience: str, service_account: str) -> dict[str, Any]:
    """Claims of the add-on's system ID token (what Google sends in the Authorization header)."""
    return {
        "iss": "https://accounts.google.com",
        "aud": audience,
        "azp": "100000000000000000000",
        "sub": "100000000000000000000",
        "email": service_account,
        "email_verified": True,
    }


def user_claims(client_id: str, sub: str, email: str, hd: str | None) -> dict[str, Any]:
    """Claims of a user's ID token as the add-on receives it (``userIdToken``)."""
    claims: dict[str, Any] = {
        "iss": "https://accounts.google.com",
        "aud": client_id,
        "azp": client_id,
        "sub": sub,
        "email": email,
        "email_verified": True,
    }
    if hd:
        claims["hd"] = hd
    return claims
