"""ID-token verification: locally minted RS256 tokens, every way a token can be wrong is rejected."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping

import pytest

from mail2task.errors import Unauthenticated
from mail2task.google.id_tokens import Expectation, KeyCache, verify, verify_service_caller
from mail2task.local.devkey import DevSigner, system_claims

AUD = "https://region-project.cloudfunctions.net/addon"
SA = "service-123@gcp-sa-gsuiteaddons.iam.gserviceaccount.com"


class CertServer:
    """A first-class fetch transport serving a signer's certs, counting requests."""

    def __init__(self, *signers: DevSigner, max_age: int = 3600, jwks: bool = False) -> None:
        self.signers = list(signers)
        self.max_age = max_age
        self.jwks = jwks
        self.requests = 0

    def __call__(self, url: str) -> tuple[int, Mapping[str, str], bytes]:
        self.requests += 1
        if self.jwks:
            body = json.dumps({"keys": [k for s in self.signers for k in s.jwks()["keys"]]}).encode()
        else:
            body = json.dumps({k: v for s in self.signers for k, v in s.certs().items()}).encode()
        return 200, {"Cache-Control": f"public, max-age={self.max_age}, must-revalidate"}, body


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def signer() -> DevSigner:
    return DevSigner(kid="k1")


def _cache(server: CertServer, clock: Clock | None = None) -> KeyCache:
    return KeyCache("https://certs.example/v1/certs", fetch=server, clock=clock or Clock())


def test_valid_token_is_accepted(signer: DevSigner) -> None:
    claims = verify(signer.mint(system_claims(AUD, SA)), _cache(CertServer(signer)), Expectation((AUD,)))
    assert claims["email"] == SA


def test_jwks_documents_are_understood(signer: DevSigner) -> None:
    server = CertServer(signer, jwks=True)
    assert verify(signer.mint(system_claims(AUD, SA)), _cache(server), Expectation((AUD,)))["aud"] == AUD


@pytest.mark.parametrize(
    "change",
    [
        {"aud": "https://evil.example/addon"},
        {"iss": "https://accounts.evil.example"},
        {"exp": 1_000_000_000, "iat": 999_999_000},
        {"iat": 4_000_000_000, "exp": 4_000_003_600},
    ],
    ids=["wrong-audience", "wrong-issuer", "expired", "issued-in-future"],
)
def test_wrong_claims_are_rejected(signer: DevSigner, change: dict[str, object]) -> None:
    token = signer.mint({**system_claims(AUD, SA), **change})
    with pytest.raises(Unauthenticated):
        verify(token, _cache(CertServer(signer)), Expectation((AUD,)))


def test_unsigned_alg_none_is_rejected(signer: DevSigner) -> None:
    def b64(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    token = f"{b64({'alg': 'none', 'kid': 'k1'})}.{b64(system_claims(AUD, SA) | {'exp': 4e9, 'iat': 1})}."
    with pytest.raises(Unauthenticated):
        verify(token, _cache(CertServer(signer)), Expectation((AUD,)))


def test_bad_signature_is_rejected(signer: DevSigner) -> None:
    impostor = DevSigner(kid="k1")  # same kid, different key
    with pytest.raises(Unauthenticated):
        verify(impostor.mint(system_claims(AUD, SA)), _cache(CertServer(signer)), Expectation((AUD,)))


def test_tampered_payload_is_rejected(signer: DevSigner) -> None:
    head, _, sig = signer.mint(system_claims(AUD, SA)).split(".")
    forged = base64.urlsafe_b64encode(json.dumps(system_claims(AUD, "me@evil.example")).encode()).decode()
    with pytest.raises(Unauthenticated):
        verify(f"{head}.{forged.rstrip('=')}.{sig}", _cache(CertServer(signer)), Expectation((AUD,)))


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "x" * 20000, "a.b.c.d"])
def test_malformed_tokens_are_rejected(signer: DevSigner, token: str) -> None:
    with pytest.raises(Unauthenticated):
        verify(token, _cache(CertServer(signer)), Expectation((AUD,)))


def test_certs_are_cached_for_max_age(signer: DevSigner) -> None:
    server, clock = CertServer(signer, max_age=600), Clock()
    cache = _cache(server, clock)
    for _ in range(5):
        verify(signer.mint(system_claims(AUD, SA)), cache, Expectation((AUD,)))
    assert server.requests == 1
    clock.now += 601
    verify(signer.mint(system_claims(AUD, SA)), cache, Expectation((AUD,)))
    assert server.requests == 2


def test_unknown_kid_forces_one_refetch(signer: DevSigner) -> None:
    rotated = DevSigner(kid="k2")
    server, clock = CertServer(signer), Clock()
    cache = _cache(server, clock)
    verify(signer.mint(system_claims(AUD, SA)), cache, Expectation((AUD,)))
    clock.now += 60
    server.signers.append(rotated)  # Google rotated keys
    verify(rotated.mint(system_claims(AUD, SA)), cache, Expectation((AUD,)))
    assert server.requests == 2
    stranger = DevSigner(kid="k3")
    with pytest.raises(Unauthenticated):
        verify(stranger.mint(system_claims(AUD, SA)), cache, Expectation((AUD,)))
    with pytest.raises(Unauthenticated):  # a flood of unknown kids cannot force a fetch per request
        verify(stranger.mint(system_claims(AUD, SA)), cache, Expectation((AUD,)))
    assert server.requests == 2


def test_security_event_tokens_skip_time_checks(signer: DevSigner) -> None:
    claims = {"iss": "https://accounts.google.com/", "aud": "client-1", "jti": "j", "iat": 1_000_000_000}
    token = signer.mint(claims | {"exp": 1_000_000_100})
    expect = Expectation(("client-1",), issuers=("https://accounts.google.com/",), check_times=False)
    assert verify(token, _cache(CertServer(signer)), expect)["jti"] == "j"


def test_service_caller_with_a_verified_email_is_accepted(signer: DevSigner) -> None:
    header = "Bearer " + signer.mint(system_claims(AUD, SA))
    claims = verify_service_caller(header, _cache(CertServer(signer)), (AUD,), SA)
    assert claims["email"] == SA
    assert claims["aud"] == AUD


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer   ", "Basic dXNlcjpwdw==", "Token abc"])
def test_service_caller_without_a_bearer_token_is_rejected(signer: DevSigner, header: str | None) -> None:
    server = CertServer(signer)
    with pytest.raises(Unauthenticated):
        verify_service_caller(header, _cache(server), (AUD,), SA)
    assert server.requests == 0  # refused before any key is fetched


def test_service_caller_with_the_wrong_scheme_is_rejected(signer: DevSigner) -> None:
    token = signer.mint(system_claims(AUD, SA))
    with pytest.raises(Unauthenticated):
        verify_service_caller("Basic " + token, _cache(CertServer(signer)), (AUD,), SA)


@pytest.mark.parametrize(
    "change",
    [{"email": "someone-else@example.iam.gserviceaccount.com"}, {"email": None}],
)
def test_service_caller_with_another_email_is_rejected(signer: DevSigner, change: dict[str, object]) -> None:
    header = "Bearer " + signer.mint({**system_claims(AUD, SA), **change})
    with pytest.raises(Unauthenticated):
        verify_service_caller(header, _cache(CertServer(signer)), (AUD,), SA)


@pytest.mark.parametrize("verified", [False, "true", None])
def test_service_caller_with_an_unverified_email_is_rejected(signer: DevSigner, verified: object) -> None:
    header = "Bearer " + signer.mint({**system_claims(AUD, SA), "email_verified": verified})
    with pytest.raises(Unauthenticated):
        verify_service_caller(header, _cache(CertServer(signer)), (AUD,), SA)


def test_service_caller_needs_a_configured_account(signer: DevSigner) -> None:
    header = "Bearer " + signer.mint({**system_claims(AUD, SA), "email": ""})
    with pytest.raises(Unauthenticated):
        verify_service_caller(header, _cache(CertServer(signer)), (AUD,), "")


def test_service_caller_token_for_another_audience_is_rejected(signer: DevSigner) -> None:
    header = "Bearer " + signer.mint(system_claims("https://elsewhere.example/x", SA))
    with pytest.raises(Unauthenticated):
        verify_service_caller(header, _cache(CertServer(signer)), (AUD,), SA)
