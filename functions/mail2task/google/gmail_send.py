"""Gmail ``users.messages.send`` as the user whose credentials are given (tenancy's invitation emails).

One attempt per call, on purpose: the caller keeps a per-message state machine and decides what a failure
means. Errors say whether the message certainly was not sent (``definitely_unsent``: refused before
Gmail accepted it, e.g. 4xx or a refused connection) or may have been (5xx, timeouts, reset connections).
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from mail2task.errors import SendFailed as SendFailed

if TYPE_CHECKING:
    from google.auth.credentials import Credentials

TIMEOUT_SECONDS = 15


class GmailSender:
    """Sends RFC 5322 messages through the Gmail API at ``endpoint``."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint.rstrip("/")

    @classmethod
    def from_settings(cls) -> GmailSender:
        from mail2task.config import AddonSettings, load

        return cls(load(AddonSettings).gmail_api_endpoint)

    def _service(self, credentials: Credentials) -> Any:
        import google_auth_httplib2
        import httplib2
        from googleapiclient.discovery import build

        http = google_auth_httplib2.AuthorizedHttp(credentials, http=httplib2.Http(timeout=TIMEOUT_SECONDS))
        return build(
            "gmail",
            "v1",
            http=http,
            static_discovery=True,
            cache_discovery=False,
            client_options={"api_endpoint": self.endpoint},
        )

    def send(self, credentials: Credentials, raw: bytes) -> str:
        """Send ``raw``; returns Gmail's message id or raises ``SendFailed``."""
        import httplib2
        from google.auth.exceptions import GoogleAuthError
        from googleapiclient.errors import HttpError

        body = {"raw": base64.urlsafe_b64encode(raw).decode()}
        request = self._service(credentials).users().messages().send(userId="me", body=body)
        try:
            result: dict[str, Any] = request.execute(num_retries=0)
        except HttpError as error:
            status = int(error.resp.status)
            unsent = status < 500
            raise SendFailed(f"Gmail answered {status}", definitely_unsent=unsent, status=status) from None
        except GoogleAuthError:  # the sender's grant could not be refreshed: nothing was sent
            raise SendFailed("the sender's Google grant is not usable", definitely_unsent=True) from None
        except ConnectionRefusedError:
            raise SendFailed("Gmail unreachable", definitely_unsent=True) from None
        except (OSError, httplib2.HttpLib2Error) as error:
            reason = type(error).__name__
            raise SendFailed(f"Gmail did not answer: {reason}", definitely_unsent=False) from None
        return str(result.get("id", ""))
