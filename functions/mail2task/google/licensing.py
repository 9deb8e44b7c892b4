"""Marketplace Licensing API (appsmarket v2): is the app licensed for a customer, or for one user?

Built per call from the discovery document shipped with google-api-python-client (no network fetch of
discovery; the httplib2 layer is not thread-safe, so nothing is shared between requests).

Credential: the API is called by the app's own Google Cloud project, not by a user. In production that is
the function's service account through Application Default Credentials with the
``appsmarketplace.license`` scope (the project must own the Marketplace SDK listing and have the API
enabled). In the ``local`` profile, with the endpoint pointed at the loopback stand-in, a fixed local
access token is sent instead, so no Google credentials are needed on a developer machine.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mail2task.errors import UpstreamError

if TYPE_CHECKING:
    from google.auth.credentials import Credentials

    from mail2task.config import TenancySettings

log = logging.getLogger(__name__)

LICENSE_SCOPE = "https://www.googleapis.com/auth/appsmarketplace.license"
LOCAL_ACCESS_TOKEN = "local-licensing-token"  # noqa: S105 - not a secret: what the loopback stand-in accepts in the local profile
TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class LicenseAnswer:
    """One answer of the API: ``state`` ACTIVE | UNLICENSED | EXPIRED; ``enabled`` for user licenses."""

    state: str
    enabled: bool = False


def _adc_credentials() -> Credentials:
    import google.auth

    credentials, _ = google.auth.default(scopes=[LICENSE_SCOPE])
    return credentials


def _local_credentials() -> Credentials:
    from google.oauth2.credentials import Credentials as UserCredentials

    return UserCredentials(token=LOCAL_ACCESS_TOKEN)


class LicenseClient:
    """``customerLicense.get`` / ``userLicense.get`` for one Marketplace application id."""

    def __init__(self, app_id: str, *, endpoint: str, credentials: Callable[[], Credentials]) -> None:
        self.app_id = app_id
        self.endpoint = endpoint.rstrip("/")
        self._credentials = credentials
        self.calls = 0

    @classmethod
    def from_settings(cls, settings: TenancySettings) -> LicenseClient:
        local = settings.profile == "local" and settings.licensing_api_endpoint.startswith("http://127.0.0.1")
        factory = _local_credentials if local else _adc_credentials
        return cls(settings.marketplace_app_id, endpoint=settings.licensing_api_endpoint, credentials=factory)

    def _service(self) -> Any:
        import google_auth_httplib2
        import httplib2
        from googleapiclient.discovery import build

        http = google_auth_httplib2.AuthorizedHttp(
            self._credentials(), http=httplib2.Http(timeout=TIMEOUT_SECONDS)
        )
        return build(
            "appsmarket",
            "v2",
            http=http,
            static_discovery=True,
            cache_discovery=False,
            client_options={"api_endpoint": self.endpoint},
        )

    def _execute(self, request: Any, what: str) -> dict[str, Any]:
        import httplib2
        from google.auth.exceptions import GoogleAuthError
        from googleapiclient.errors import HttpError

        self.calls += 1
        try:
            response: dict[str, Any] = request.execute(num_retries=0)
        except HttpError as error:
            status = int(error.resp.status)
            if status == 404:  # never installed: the API may answer 404 instead of UNLICENSED
                return {"state": "UNLICENSED"}
            raise UpstreamError(f"Licensing API {what} answered {status}", retryable=status >= 500) from None
        except GoogleAuthError as error:  # our own credential was refused and cannot be renewed
            kind = type(error).__name__
            raise UpstreamError(f"Licensing API {what}: credentials refused ({kind})") from None
        except (OSError, httplib2.HttpLib2Error) as error:
            raise UpstreamError(f"Licensing API {what} unreachable: {type(error).__name__}") from None
        return response

    def customer_license(self, customer_id: str) -> LicenseAnswer:
        """The domain-wide license of ``customer_id`` (the Workspace domain)."""
        service = self._service()
        request = service.customerLicense().get(applicationId=self.app_id, customerId=customer_id)
        body = self._execute(request, "customerLicense.get")
        return LicenseAnswer(state=str(body.get("state") or "UNLICENSED"))

    def user_license(self, email: str) -> LicenseAnswer:
        """The license of one user (individual installs; ``enabled`` = activated by a domain admin)."""
        service = self._service()
        request = service.userLicense().get(applicationId=self.app_id, userId=email)
        body = self._execute(request, "userLicense.get")
        return LicenseAnswer(
            state=str(body.get("state") or "UNLICENSED"), enabled=body.get("enabled") is True
        )
