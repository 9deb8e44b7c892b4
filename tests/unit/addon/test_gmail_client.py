"""The per-request Gmail client against the loopback Gmail stand-in, through google-api-python-client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mail2task.errors import BadRequest, Forbidden, NotFound, UpstreamError
from mail2task.google.gmail import GmailClient, gmail_api_id
from mail2task.local.gmail_standin import GmailStandIn

AGREEMENT = "19571447e0870926"
READONLY = "https://www.googleapis.com/auth/gmail.addons.current.message.readonly"


@pytest.fixture(scope="module")
def standin() -> Iterator[GmailStandIn]:
    with GmailStandIn(require_known_tokens=True) as server:
        yield server


@pytest.fixture
def gmail(standin: GmailStandIn) -> GmailClient:
    token = standin.grant_user_token([READONLY])
    return GmailClient(
        token, standin.issue_access_token(AGREEMENT), endpoint=standin.endpoint, sleep=lambda _: None
    )


def test_raw_message_with_both_tokens(gmail: GmailClient, standin: GmailStandIn) -> None:
    raw = gmail.get_raw(AGREEMENT)
    assert (raw.id, raw.thread_id) == (AGREEMENT, AGREEMENT)
    assert raw.raw.startswith(b"Message-ID: <0a9d3f72-contract@fjordcleaning.example>")
    sent = standin.requests[-1]
    assert sent.query["format"] == ["raw"]
    assert sent.headers["x-goog-gmail-access-token"].startswith("gmail-access-")
    assert sent.headers["authorization"].startswith("Bearer ya29.local-")


def test_event_ids_fall_back_to_the_hex_api_id(gmail: GmailClient, standin: GmailStandIn) -> None:
    event_id = f"msg-f:{int(AGREEMENT, 16)}"
    assert gmail_api_id(event_id) == AGREEMENT
    assert gmail_api_id(AGREEMENT) == AGREEMENT
    before = len(standin.requests)
    assert gmail.get_raw(event_id).id == AGREEMENT
    statuses = [r.status for r in standin.requests[before:]]
    assert statuses == [400, 200]  # tried as given, then as hex


def test_attachments_by_reference_then_bytes(gmail: GmailClient) -> None:
    full = gmail.get_full(AGREEMENT)
    part = full["payload"]["parts"][2]
    assert part["filename"] == "price-list-2025.csv"
    assert "data" not in part["body"]
    data = gmail.get_attachment(AGREEMENT, part["body"]["attachmentId"])
    assert len(data) == part["body"]["size"]
    assert data.startswith(b"")


def test_server_errors_are_retried_a_bounded_number_of_times(
    gmail: GmailClient, standin: GmailStandIn
) -> None:
    standin.fail_next(2, 503)
    assert gmail.get_raw(AGREEMENT).id == AGREEMENT
    standin.fail_next(1, 429, retry_after=1)
    assert gmail.get_raw(AGREEMENT).id == AGREEMENT
    standin.fail_next(4, 500)  # as many as the client's attempts: nothing left over for other tests
    calls = gmail.calls
    with pytest.raises(UpstreamError) as raised:
        gmail.get_raw(AGREEMENT)
    assert raised.value.retryable
    assert gmail.calls - calls == 4


def test_backoff_grows_and_honours_retry_after(standin: GmailStandIn) -> None:
    slept: list[float] = []
    client = GmailClient(
        standin.grant_user_token([READONLY]),
        standin.issue_access_token(AGREEMENT),
        endpoint=standin.endpoint,
        sleep=slept.append,
    )
    standin.fail_next(1, 429, retry_after=2)
    standin.fail_next(2, 503)
    client.get_raw(AGREEMENT)
    assert slept[0] == 2.0
    assert 0.5 <= slept[1] <= 0.75
    assert 1.0 <= slept[2] <= 1.25


def test_errors_that_retrying_cannot_fix(standin: GmailStandIn) -> None:
    client = GmailClient("ya29.unknown", "x", endpoint=standin.endpoint, sleep=lambda _: None)
    with pytest.raises(Forbidden):  # 401: the token is not accepted
        client.get_raw(AGREEMENT)
    assert client.calls == 1
    good = GmailClient(
        standin.grant_user_token([READONLY]),
        standin.issue_access_token(AGREEMENT),
        endpoint=standin.endpoint,
        sleep=lambda _: None,
    )
    with pytest.raises(NotFound):
        good.get_raw("0123456789abcdef")
    with pytest.raises(BadRequest):
        good.get_raw("msg-a:r-12")


def test_a_refused_token_names_the_configured_app(standin: GmailStandIn) -> None:
    client = GmailClient(
        "ya29.unknown", "x", endpoint=standin.endpoint, sleep=lambda _: None, app_name="Fjord Tasks"
    )
    with pytest.raises(Forbidden, match=r"^Gmail did not let Fjord Tasks read this message\."):
        client.get_full(AGREEMENT)


def test_unreachable_gmail_is_an_upstream_error() -> None:
    from mail2task.local.emulator import free_port

    client = GmailClient(
        "t", "a", endpoint=f"http://127.0.0.1:{free_port()}", attempts=2, sleep=lambda _: None
    )
    with pytest.raises(UpstreamError):
        client.get_raw(AGREEMENT)


def test_retries_stop_at_the_deadline(standin: GmailStandIn) -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    client = GmailClient(
        standin.grant_user_token([READONLY]),
        standin.issue_access_token(AGREEMENT),
        endpoint=standin.endpoint,
        deadline=2.5,
        sleep=sleep,
        clock=lambda: now[0],
    )
    standin.fail_next(2, 429, retry_after=2)  # exactly the calls made: nothing left for other tests
    with pytest.raises(UpstreamError):
        client.get_raw(AGREEMENT)
    assert client.calls == 2  # waited 2 s once; a second 2 s wait would pass the deadline
    assert now[0] == 2.0
