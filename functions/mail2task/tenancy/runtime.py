"""What tenancy code talks to: settings, clock, Google APIs and the oauth part, injected as one object.

Production uses ``default_runtime()``: the real Licensing/Directory/Gmail clients and the oauth part's
``credentials_for`` / ``disconnect``. Consent is started by the `oauth` function itself when someone
clicks a connect button, so tenancy only needs that function's URL. Tests build a ``TenancyRuntime``
whose Google clients point at loopback stand-ins; nothing here is patched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from mail2task.config import AddonSettings, TenancySettings, load

if TYPE_CHECKING:
    from google.auth.credentials import Credentials

    from mail2task.google.directory import DirectoryClient
    from mail2task.google.licensing import LicenseClient


class Grants(Protocol):
    """The per-user offline consent the oauth part keeps."""

    def credentials_for(self, sub: str, scopes: Sequence[str]) -> Credentials: ...

    def disconnect(self, sub: str, *, reason: str) -> None: ...


class Mailer(Protocol):
    """Sends one RFC 5322 message as the user the credentials belong to; returns the sent message id."""

    def send(self, credentials: Credentials, raw: bytes) -> str: ...


class OAuthGrants:
    """``Grants`` backed by the oauth part (imported on first use)."""

    def credentials_for(self, sub: str, scopes: Sequence[str]) -> Credentials:
        from mail2task.oauth.access import credentials_for

        credentials: Credentials = credentials_for(sub, list(scopes))
        return credentials

    def disconnect(self, sub: str, *, reason: str) -> None:
        from mail2task.oauth.disconnect import disconnect

        disconnect(sub, reason=reason)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class TenancyRuntime:
    settings: TenancySettings
    grants: Grants = field(default_factory=OAuthGrants)
    now: Callable[[], dt.datetime] = utc_now
    licenses: LicenseClient | None = None  # None: built from settings when first needed
    directory: Callable[[Credentials], DirectoryClient] | None = None
    mailer: Mailer | None = None
    oauth_url: str = ""  # the `oauth` function's public URL (connect buttons); "": AddonSettings' OAUTH_URL

    def license_client(self) -> LicenseClient:
        if self.licenses is None:
            from mail2task.google.licensing import LicenseClient

            self.licenses = LicenseClient.from_settings(self.settings)
        return self.licenses

    def directory_client(self, credentials: Credentials) -> DirectoryClient:
        if self.directory is not None:
            return self.directory(credentials)
        from mail2task.google.directory import DirectoryClient

        return DirectoryClient(credentials, endpoint=self.settings.directory_api_endpoint)

    def oauth_function_url(self) -> str:
        """Where connect buttons post: read from the environment once, only when a card needs it."""
        if not self.oauth_url:
            self.oauth_url = load(AddonSettings).oauth_url
        return self.oauth_url

    def mail_sender(self) -> Mailer:
        if self.mailer is None:
            from mail2task.google.gmail_send import GmailSender

            self.mailer = GmailSender.from_settings()
        return self.mailer


def default_runtime() -> TenancyRuntime:
    """The environment's runtime (cheap: settings are read, clients are built only when used)."""
    return TenancyRuntime(settings=load(TenancySettings))
