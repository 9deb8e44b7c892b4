"""The add-on deployment descriptor and the endpoint URLs it names (pure; reused by the CLI and verification).

Triggers are told apart by a ``trigger`` query parameter on the `addon` URL; card actions post to the bare
function URLs and carry their action in ``parameters``. Google signs each request for the URL it calls,
so these exact URLs (with and without their query strings) are the accepted token audiences.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any

HOMEPAGE = "homepage"
CONTEXTUAL = "contextual"
TRIGGERS = (HOMEPAGE, CONTEXTUAL)

GMAIL_EXECUTE = "https://www.googleapis.com/auth/gmail.addons.execute"
GMAIL_CURRENT_MESSAGE = "https://www.googleapis.com/auth/gmail.addons.current.message.readonly"
USERINFO_EMAIL = "https://www.googleapis.com/auth/userinfo.email"
# The minimum: run as a Gmail add-on, read the open message (and its attachments), know who the user is.
OAUTH_SCOPES = (GMAIL_EXECUTE, GMAIL_CURRENT_MESSAGE, USERINFO_EMAIL)

ADDON_NAME = "mail2task"
LOGO_URL = "https://www.gstatic.com/images/branding/product/2x/tasks_48dp.png"


@dataclass(frozen=True)
class FunctionUrls:
    """Public URLs of the functions Gmail calls."""

    addon: str
    convert: str
    install: str
    oauth: str

    @classmethod
    def from_base(cls, base_url: str) -> FunctionUrls:
        """Each function served under ``base_url`` at ``/<name>`` (Cloud Functions and the local stack)."""
        base = base_url.rstrip("/")
        return cls(f"{base}/addon", f"{base}/convert", f"{base}/install", f"{base}/oauth")


def with_query(url: str, **params: str) -> str:
    """``url`` with ``params`` appended to its query string."""
    separator = "&" if urllib.parse.urlsplit(url).query else "?"
    return url + separator + urllib.parse.urlencode(params)


def trigger_url(addon_url: str, trigger: str) -> str:
    """The `addon` URL a trigger is deployed at, e.g. ``…/addon?trigger=homepage``."""
    return with_query(addon_url, trigger=trigger)


def addon_audiences(addon_url: str) -> tuple[str, ...]:
    """Token audiences the `addon` function accepts: its URL, bare and as each trigger's URL."""
    return (addon_url, *(trigger_url(addon_url, t) for t in TRIGGERS))


def descriptor(urls: FunctionUrls, *, name: str = ADDON_NAME, logo_url: str = LOGO_URL) -> dict[str, Any]:
    """The deployment resource for ``gcloud workspace-add-ons deployments create --deployment-file``."""
    return addon_descriptor(urls.addon, name=name, logo_url=logo_url)


def addon_descriptor(addon_url: str, *, name: str = ADDON_NAME, logo_url: str = LOGO_URL) -> dict[str, Any]:
    """The deployment resource for an `addon` function at ``addon_url``, the only URL it names.

    The other functions are reached from card actions, which carry their own URLs (``AddonSettings``).
    """
    return {
        "oauthScopes": list(OAUTH_SCOPES),
        "addOns": {
            "common": {
                "name": name,
                "logoUrl": logo_url,
                "homepageTrigger": {"runFunction": trigger_url(addon_url, HOMEPAGE), "enabled": True},
                # openLink targets: the message link on tasks and Google's consent page
                "openLinkUrlPrefixes": ["https://mail.google.com/mail/", "https://accounts.google.com/"],
            },
            "gmail": {
                "contextualTriggers": [
                    {"unconditional": {}, "onTriggerFunction": trigger_url(addon_url, CONTEXTUAL)}
                ],
            },
            "httpOptions": {
                "authorizationHeader": "SYSTEM_ID_TOKEN",
                "granularOauthPermissionSupport": "OPT_IN",
            },
        },
    }
