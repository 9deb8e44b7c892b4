"""Google's token endpoints through our client, against the loopback stand-in; failure classification."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pytest

from mail2task.local.oauth_standin import OAuthStandIn
from mail2task.oauth.http_transport import HttpResponse, PooledTransport
from mail2task.oauth.token_client import Failure, TokenClient, TokenEndpointError, classify
from tests.support.oauth_env import Clock

SCOPES = {"openid", "https://www.googleapis.com/auth/gmail.send"}


def client_for(standin: OAuthStandIn, *, timeout: float = 2.0, secret: str | None = None) -> TokenClient:
    return TokenClient(
        token_url=standin.token_url,
        revoke_url=standin.revoke_url,
        client_id=standin.client_id,
        client_secret=secret or standin.client_secret,
        transport=PooledTransport(),
        timeout=timeout,
        clock=Clock(),
    )


def test_refresh_returns_a_new_access_token(standin: OAuthStandIn) -> None:
    refresh_token = standin.add_grant("1001", SCOPES)
    client = client_for(standin)
    answer = client.refresh(refresh_token)
    assert answer.access_token == standin.access_tokens[refresh_token][-1]
    assert answer.refresh_token is None  # Google keeps the refresh token: none comes back
    assert answer.scopes == tuple(sorted(SCOPES))
    assert answer.expires_at == client._clock() + dt.timedelta(seconds=3599)
    assert answer.access_token not in repr(answer)


@pytest.mark.parametrize(
    ("status", "error", "failure"),
    [
        (500, "internal_failure", Failure.RETRYABLE),
        (503, "temporarily_unavailable", Failure.RETRYABLE),
        (504, "timeout", Failure.RETRYABLE),
        (429, "rate_limit_exceeded", Failure.RETRYABLE),
        (408, "request_timeout", Failure.RETRYABLE),
        (400, "temporarily_unavailable", Failure.RETRYABLE),
        (400, "invalid_scope", Failure.REJECTED),
        (502, "bad_gateway", Failure.RETRYABLE),
    ],
)
def test_injected_failures_are_classified(
    standin: OAuthStandIn, status: int, error: str, failure: Failure
) -> None:
    refresh_token = standin.add_grant("1001", SCOPES)
    standin.faults.fail_next.append((status, error))
    with pytest.raises(TokenEndpointError) as caught:
        client_for(standin).refresh(refresh_token)
    assert (caught.value.failure, caught.value.error, caught.value.http_status) == (failure, error, status)
    assert caught.value.retryable is (failure is Failure.RETRYABLE)
    assert client_for(standin).refresh(refresh_token).access_token  # the next attempt works


def test_invalid_grant_is_final(standin: OAuthStandIn) -> None:
    refresh_token = standin.add_grant("1001", SCOPES)
    standin.faults.invalid_grant.add(refresh_token)
    with pytest.raises(TokenEndpointError) as caught:
        client_for(standin).refresh(refresh_token)
    assert caught.value.failure is Failure.FINAL
    assert not caught.value.retryable
    assert refresh_token not in str(caught.value)


def test_a_rejected_client_is_a_configuration_problem(standin: OAuthStandIn) -> None:
    refresh_token = standin.add_grant("1001", SCOPES)
    with pytest.raises(TokenEndpointError) as caught:
        client_for(standin, secret="wrong-secret-value").refresh(refresh_token)
    assert caught.value.failure is Failure.CLIENT
    assert caught.value.error == "invalid_client"


def test_a_hanging_endpoint_times_out_as_retryable(standin: OAuthStandIn) -> None:
    refresh_token = standin.add_grant("1001", SCOPES)
    standin.faults.hang_next, standin.faults.hang_seconds = 1, 1.0
    with pytest.raises(TokenEndpointError) as caught:
        client_for(standin, timeout=0.2).refresh(refresh_token)
    assert (caught.value.failure, caught.value.error) == (Failure.RETRYABLE, "timeout")


def test_slow_answers_within_the_timeout_succeed(standin: OAuthStandIn) -> None:
    refresh_token = standin.add_grant("1001", SCOPES)
    standin.faults.latency = 0.3
    assert client_for(standin, timeout=2.0).refresh(refresh_token).access_token


def test_nobody_listening_is_retryable(standin: OAuthStandIn) -> None:
    client = client_for(standin)
    standin.stop()
    with pytest.raises(TokenEndpointError) as caught:
        client.refresh("1//0whatever-refresh-token")
    assert (caught.value.failure, caught.value.error) == (Failure.RETRYABLE, "connection")


class HandlerTransport:
    """A first-class transport answering from a handler function (no network)."""

    def __init__(self, status: int, body: bytes) -> None:
        self.answer = HttpResponse(status, {"Content-Type": "application/json"}, body)

    def __call__(
        self, method: str, url: str, *, body: bytes | None, headers: Mapping[str, str], timeout: float
    ) -> HttpResponse:
        return self.answer


@pytest.mark.parametrize(
    "body",
    [b'{"expires_in": 3599}', b"not json", b'{"access_token": "", "expires_in": 3599}',
     b'{"access_token": "x", "expires_in": -5}', b'{"access_token": "x", "refresh_token": 7}'],
)  # fmt: skip
def test_malformed_success_answers_are_rejected_not_trusted(body: bytes) -> None:
    client = TokenClient(
        token_url="https://t", revoke_url="https://r", client_id="c", client_secret="s",
        transport=HandlerTransport(200, body),
    )  # fmt: skip
    with pytest.raises(TokenEndpointError) as caught:
        client.refresh("1//0refresh")
    assert caught.value.failure is Failure.REJECTED


def test_classification_without_a_json_body() -> None:
    assert classify(503, {}).failure is Failure.RETRYABLE
    assert classify(400, {}).failure is Failure.REJECTED
    assert classify(400, {}).error == "http_400"
    assert classify(401, {"error": "unauthorized_client"}).failure is Failure.CLIENT


def test_revocation(standin: OAuthStandIn) -> None:
    refresh_token = standin.add_grant("1001", SCOPES)
    client = client_for(standin)
    assert client.revoke(refresh_token) is True
    assert standin.is_revoked(refresh_token)
    assert client.revoke(refresh_token) is False  # already gone: not an error
    with pytest.raises(TokenEndpointError) as caught:
        client.refresh(refresh_token)
    assert caught.value.failure is Failure.FINAL
