"""The Gmail stand-in, driven through the real google-api-python-client: wire format, auth, ids, faults."""

from __future__ import annotations

import base64
import email
import email.policy
import json
import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google.auth.exceptions import RefreshError
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from mail2task.local.gmail_standin import SAMPLES, GmailStandIn

READONLY = "https://www.googleapis.com/auth/gmail.addons.current.message.readonly"
METADATA = "https://www.googleapis.com/auth/gmail.addons.current.message.metadata"
SEND = "https://www.googleapis.com/auth/gmail.send"


USER_TOKEN = "user-token"
ACCESS_TOKEN = "access"


def gmail(standin: GmailStandIn, token: str | None = USER_TOKEN) -> Any:
    from google.oauth2.credentials import Credentials

    credentials = Credentials(token=token) if token else None
    if credentials is None:
        import httplib2

        return build(
            "gmail",
            "v1",
            http=httplib2.Http(),
            static_discovery=True,
            cache_discovery=False,
            client_options={"api_endpoint": standin.endpoint},
        )
    return build(
        "gmail",
        "v1",
        credentials=credentials,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": standin.endpoint},
    )


def get(service: Any, message_id: str, access_token: str | None = ACCESS_TOKEN, **kwargs: Any) -> Any:
    request = service.users().messages().get(userId="me", id=message_id, **kwargs)
    if access_token:
        request.headers["X-Goog-Gmail-Access-Token"] = access_token
    return request.execute()


def reason(error: HttpError) -> tuple[int, str]:
    body = json.loads(error.content)
    assert body["error"]["code"] == error.resp.status
    return error.resp.status, body["error"]["errors"][0]["reason"]


@pytest.fixture(scope="module")
def standin() -> Iterator[GmailStandIn]:
    with GmailStandIn() as server:
        yield server


def by_subject(service: Any, fragment: str) -> dict[str, Any]:
    listing = service.users().messages().list(userId="me").execute()
    for ref in listing["messages"]:
        message = get(service, ref["id"], format="metadata", metadataHeaders=["Subject"])
        if fragment in message["payload"]["headers"][0]["value"]:
            return dict(message)
    raise AssertionError(fragment)


def test_list_pages_through_every_sample_newest_first(standin: GmailStandIn) -> None:
    service = gmail(standin)
    first = service.users().messages().list(userId="me", maxResults=4).execute()
    second = (
        service.users().messages().list(userId="me", maxResults=4, pageToken=first["nextPageToken"]).execute()
    )
    ids = [m["id"] for m in first["messages"] + second["messages"]]
    assert first["resultSizeEstimate"] == len(list(SAMPLES.glob("*.eml"))) == len(ids)
    assert "nextPageToken" not in second
    assert all(len(i) == 16 and int(i, 16) for i in ids)
    assert ids == sorted(ids, reverse=True)


def test_raw_format_returns_the_exact_message_bytes(standin: GmailStandIn) -> None:
    service = gmail(standin)
    message = by_subject(service, "invoice INV-2025-0117")
    raw = get(service, message["id"], format="raw")
    assert base64.urlsafe_b64decode(raw["raw"]) == (SAMPLES / "01-invoice-question.eml").read_bytes()
    assert raw["threadId"] == message["id"]
    assert raw["labelIds"] == ["INBOX"]
    assert int(raw["internalDate"]) == 1740989560000  # Mon, 03 Mar 2025 09:12:40 +0100


def test_full_format_has_a_payload_tree_and_attachments_come_from_attachments_get(
    standin: GmailStandIn,
) -> None:
    service = gmail(standin)
    message = get(service, by_subject(service, "Signed service agreement")["id"], format="full")
    payload = message["payload"]
    assert payload["mimeType"] == "multipart/mixed"
    assert payload["partId"] == ""
    text, pdf, csv = payload["parts"]
    assert [p["partId"] for p in payload["parts"]] == ["0", "1", "2"]
    assert base64.urlsafe_b64decode(text["body"]["data"]).startswith(b"Hello Ada,")
    assert pdf["filename"] == "Service agreement 2025.pdf"
    assert "data" not in pdf["body"]
    request = (
        service.users()
        .messages()
        .attachments()
        .get(userId="me", messageId=message["id"], id=pdf["body"]["attachmentId"])
    )
    request.headers["X-Goog-Gmail-Access-Token"] = "access"
    attachment = request.execute()
    original = email.message_from_bytes(
        (SAMPLES / "03-signed-agreement.eml").read_bytes(), policy=email.policy.default
    )
    expected = next(p for p in original.iter_attachments() if p.get_filename() == pdf["filename"])
    assert base64.urlsafe_b64decode(attachment["data"]) == expected.get_content()
    assert attachment["size"] == pdf["body"]["size"] == len(expected.get_content())
    assert csv["mimeType"] == "text/csv"


def test_metadata_and_minimal_formats(standin: GmailStandIn) -> None:
    service = gmail(standin)
    message = by_subject(service, "Wartung")
    meta = get(service, message["id"], format="metadata", metadataHeaders=["subject", "From"])
    assert [h["name"] for h in meta["payload"]["headers"]] == ["From", "Subject"]
    assert (
        meta["payload"]["headers"][1]["value"]
        == "Angebot für die Wartung der Kälteanlage \u2013 Rückfrage zum Termin"
    )
    assert meta["payload"]["headers"][0]["value"].startswith("Jürgen Brandt <")
    minimal = get(service, message["id"], format="minimal")
    assert "payload" not in minimal
    assert "raw" not in minimal
    assert minimal["snippet"].startswith("Sehr geehrte")


def test_replies_share_the_thread_of_the_message_they_answer(standin: GmailStandIn) -> None:
    service = gmail(standin)
    reply = by_subject(service, "Re: Office move")
    request = service.users().threads().get(userId="me", id=reply["threadId"], format="metadata")
    thread = request.execute()
    subjects = [
        next(h["value"] for h in m["payload"]["headers"] if h["name"] == "Subject")
        for m in thread["messages"]
    ]
    assert subjects == [
        "Office move: network cabling for the 3rd floor",
        "Re: Office move: network cabling for the 3rd floor",
    ]
    assert thread["id"] == thread["messages"][0]["id"] != reply["id"]


def test_event_style_msg_f_ids_are_refused_and_their_hex_form_works(standin: GmailStandIn) -> None:
    service = gmail(standin)
    message = by_subject(service, "invoice")
    with pytest.raises(HttpError) as refused:
        get(service, f"msg-f:{int(message['id'], 16)}", format="raw")
    assert reason(refused.value) == (400, "invalidArgument")
    assert get(service, format(int(message["id"], 16), "x"), format="minimal")["id"] == message["id"]
    with pytest.raises(HttpError) as missing:
        get(service, "0000000000000001", format="minimal")
    assert reason(missing.value) == (404, "notFound")


def test_requests_without_credentials_or_access_token_are_refused(standin: GmailStandIn) -> None:
    message_id = by_subject(gmail(standin), "invoice")["id"]
    with pytest.raises(HttpError) as anonymous:
        get(gmail(standin, token=None), message_id, format="raw")
    assert reason(anonymous.value) == (401, "required")
    with pytest.raises(HttpError) as no_access_token:
        get(gmail(standin), message_id, access_token=None, format="raw")
    assert reason(no_access_token.value) == (403, "forbidden")
    with pytest.raises(HttpError) as other_user:
        gmail(standin).users().messages().list(userId="someone@example.org").execute()
    assert reason(other_user.value) == (403, "forbidden")


def test_known_token_mode_enforces_scopes_and_per_thread_access_tokens() -> None:
    with GmailStandIn(require_known_tokens=True) as standin:
        ids = {m.id: m for m in standin.mailbox.messages()}
        reply = next(m for m in ids.values() if m.parsed["Subject"].startswith("Re: Office move"))
        first = next(m for m in ids.values() if m.id == reply.thread_id)
        other = next(m for m in ids.values() if m.thread_id != reply.thread_id)
        readonly = gmail(standin, standin.grant_user_token([READONLY]))
        metadata = gmail(standin, standin.grant_user_token([METADATA]))
        access = standin.issue_access_token(reply.id)

        assert get(readonly, first.id, access, format="raw")["id"] == first.id  # same thread: allowed
        assert get(metadata, reply.id, access, format="metadata")["id"] == reply.id
        for service, message_id, token, fmt, expected in [
            (metadata, reply.id, access, "full", (403, "forbidden")),  # metadata scope cannot read bodies
            (readonly, other.id, access, "raw", (403, "forbidden")),  # access token opens one thread only
            (readonly, reply.id, "forged", "raw", (403, "forbidden")),
        ]:
            with pytest.raises(HttpError) as refused:
                get(service, message_id, token, format=fmt)
            assert reason(refused.value) == expected
        with pytest.raises(HttpError) as no_scope:
            readonly.users().messages().list(userId="me").execute()
        assert reason(no_scope.value) == (403, "insufficientPermissions")
        # An unknown bearer token is a 401; google-auth then tries to refresh it, which an access token
        # without a refresh token cannot do.
        with pytest.raises(RefreshError):
            get(gmail(standin, "unknown-token"), reply.id, access, format="raw")
        assert standin.requests[-1].status == 401


def _raw(subject: str, to: str | None = "ben@example.com") -> bytes:
    recipient = f"To: {to}\r\n" if to else ""
    return f"From: ada@example.com\r\n{recipient}Subject: {subject}\r\n\r\nThanks, on it.\r\n".encode()


def _send(service: Any, raw: bytes, thread_id: str | None = None) -> Any:
    body = {"raw": base64.urlsafe_b64encode(raw).decode(), "threadId": thread_id}
    return service.users().messages().send(userId="me", body=body).execute()


def test_send_records_the_message_and_keeps_it_in_the_thread_when_the_subject_matches() -> None:
    with GmailStandIn() as standin:
        service = gmail(standin)
        thread = by_subject(service, "Office move: network")["threadId"]
        sent = _send(service, _raw("Re: Office move: network cabling for the 3rd floor"), thread)
        assert sent["threadId"] == thread
        assert sent["labelIds"] == ["SENT"]
        assert _send(service, _raw("Unrelated"), thread)["threadId"] != thread  # subjects must match
        assert next(m.id for m in standin.sent) == sent["id"]
        assert standin.sent[0].requested_thread_id == thread
        assert standin.sent[1].raw == _raw("Unrelated")
        assert get(service, sent["id"], format="minimal")["labelIds"] == ["SENT"]
        with pytest.raises(HttpError) as no_recipient:
            _send(service, _raw("x", to=None))
        assert reason(no_recipient.value) == (400, "invalidArgument")
        with pytest.raises(HttpError) as unknown_thread:
            _send(service, _raw("x"), "00000000000000ff")
        assert reason(unknown_thread.value) == (404, "notFound")


def test_send_accepts_media_and_multipart_uploads() -> None:
    # The client library sends uploads to the discovery rootUrl whatever api_endpoint says, so post directly.
    with GmailStandIn() as standin:
        url = f"{standin.endpoint}/upload/gmail/v1/users/me/messages/send"
        auth = {"Authorization": f"Bearer {USER_TOKEN}"}
        media = urllib.request.Request(
            url + "?uploadType=media",
            data=_raw("Media"),
            method="POST",
            headers={**auth, "Content-Type": "message/rfc822"},
        )
        with urllib.request.urlopen(media) as response:
            assert json.load(response)["labelIds"] == ["SENT"]
        boundary = "==b=="
        body = (
            (
                f"--{boundary}\r\nContent-Type: application/json\r\n\r\n{{}}\r\n"
                f"--{boundary}\r\nContent-Type: message/rfc822\r\n\r\n"
            ).encode()
            + _raw("Multi")
            + (f"\r\n--{boundary}--\r\n").encode()
        )
        multipart = urllib.request.Request(
            url + "?uploadType=multipart",
            data=body,
            method="POST",
            headers={**auth, "Content-Type": f'multipart/related; boundary="{boundary}"'},
        )
        with urllib.request.urlopen(multipart) as response:
            assert json.load(response)["id"] == standin.sent[1].id
        sent = [email.message_from_bytes(m.raw)["Subject"] for m in standin.sent]
        assert sent == ["Media", "Multi"]


def test_injected_faults_answer_in_google_error_format_then_clear() -> None:
    with GmailStandIn() as standin:
        service = gmail(standin)
        standin.fail_next(2, 500, match="/messages")
        for _ in range(2):
            with pytest.raises(HttpError) as failed:
                service.users().messages().list(userId="me").execute()
            assert reason(failed.value) == (500, "backendError")
        assert service.users().messages().list(userId="me").execute()["messages"]
        standin.fail_next(1, 429, retry_after=7)
        with pytest.raises(HttpError) as limited:
            service.users().messages().list(userId="me").execute()
        assert reason(limited.value) == (429, "rateLimitExceeded")
        assert limited.value.resp["retry-after"] == "7"
        assert [r.status for r in standin.requests] == [500, 500, 200, 429]
        assert standin.requests[0].headers["authorization"] == "Bearer user-token"


def test_stop_releases_the_port(tmp_path: Path) -> None:
    (tmp_path / "one.eml").write_bytes(_raw("Only one"))
    standin = GmailStandIn(folder=tmp_path).start()
    port = standin.port
    assert len(list(standin.mailbox.messages())) == 1
    standin.stop()
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0
