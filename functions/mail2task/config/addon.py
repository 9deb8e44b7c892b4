"""The add-on's settings: public URLs, the identities Google signs requests with, Google endpoints used."""

from __future__ import annotations

from dataclasses import dataclass

from mail2task.config.base import GOOGLE_CERTS_DEFAULT, Profiled, env, googleapis_url
from mail2task.errors import ConfigError

GMAIL_API_DEFAULT = "https://gmail.googleapis.com"


# An attachment copy is one Firestore document: its bytes (stored raw, not base64) plus its record
# (name, type, size, hash) and the document's name must stay under Firestore's 1 MiB document limit.
MAX_ATTACHMENT_BYTES_CAP = 900_000


@dataclass(frozen=True)
class AddonSettings(Profiled):
    """The add-on's public URLs, the identities Google signs requests with, and the Google endpoints used.

    Only the ``local`` profile may point ``GOOGLE_CERTS_URL`` elsewhere (the development key) or send
    user tokens to a Gmail endpoint outside ``googleapis.com``; production configuration refuses both.
    """

    addon_url: str = env("ADDON_URL", "Public URL of the `addon` function (system ID token audience).")
    convert_url: str = env("CONVERT_URL", "Public URL of the `convert` function.")
    install_url: str = env("INSTALL_URL", "Public URL of the `install` function.")
    oauth_url: str = env("OAUTH_URL", "Public URL of the `oauth` function.")
    service_account: str = env(
        "ADDON_SERVICE_ACCOUNT",
        "Add-on service account that signs requests (`gcloud workspace-add-ons get-authorization`).",
    )
    oauth_client_id: str = env(
        "ADDON_OAUTH_CLIENT_ID", "The add-on's OAuth client id: audience of the user's `userIdToken`."
    )
    google_certs_url: str = env(
        "GOOGLE_CERTS_URL",
        "Google's ID-token certificates; overriding it is refused outside the `local` profile.",
        default=GOOGLE_CERTS_DEFAULT,
    )
    gmail_api_endpoint: str = env(
        "GMAIL_API_ENDPOINT",
        "Gmail API root; outside the `local` profile it must be an https `googleapis.com` host.",
        default=GMAIL_API_DEFAULT,
    )
    max_attachment_bytes: int = env(
        "ADDON_MAX_ATTACHMENT_BYTES",
        f"Largest attachment copied into a task, in bytes (at most {MAX_ATTACHMENT_BYTES_CAP}: one "
        "Firestore document holds the copy and its details, and documents hold at most 1 MiB).",
        default=768 * 1024,
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0 < self.max_attachment_bytes <= MAX_ATTACHMENT_BYTES_CAP:
            raise ConfigError(
                f"environment variable ADDON_MAX_ATTACHMENT_BYTES must be 1..{MAX_ATTACHMENT_BYTES_CAP} "
                "(an attachment copy and its details share one Firestore document of at most 1 MiB)"
            )
        if self.is_local:
            return
        if self.google_certs_url != GOOGLE_CERTS_DEFAULT:
            raise ConfigError("environment variable GOOGLE_CERTS_URL may be set only in the local profile")
        googleapis_url("GMAIL_API_ENDPOINT", self.gmail_api_endpoint)
        for name, url in (("ADDON_URL", self.addon_url), ("CONVERT_URL", self.convert_url)):
            if not url.startswith("https://"):
                raise ConfigError(f"environment variable {name} must be an https URL")
