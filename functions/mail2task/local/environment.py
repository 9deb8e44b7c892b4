"""The local profile's settings: every variable the functions require, with development-only values.

The stack starts from :func:`base_environment`, then each service adds the URLs it serves at. A unit test
loads every settings class of ``config.FUNCTION_SETTINGS`` from the result, so a new required variable
fails there first instead of as a 500 in the preview.
"""

from __future__ import annotations

import base64
import os

from mail2task.local import identities

PROJECT = "demo-mail2task"
LOCAL_WEB_CLIENT_ID = "000000000000-web-local.apps.googleusercontent.com"
LOCAL_SCHEDULER_SERVICE_ACCOUNT = "scheduler@demo-mail2task.iam.gserviceaccount.com"


def base_environment() -> dict[str, str]:
    """Variables that do not depend on where the services listen; a fresh encryption key per run."""
    return {
        "MAIL2TASK_PROFILE": "local",
        "GOOGLE_CLOUD_PROJECT": PROJECT,
        "ADDON_SERVICE_ACCOUNT": identities.LOCAL_SERVICE_ACCOUNT,
        "ADDON_OAUTH_CLIENT_ID": identities.LOCAL_OAUTH_CLIENT_ID,
        "OAUTH_CLIENT_ID": LOCAL_WEB_CLIENT_ID,
        "OAUTH_CLIENT_SECRET": "local-development-secret",  # the local stand-in client's
        "RISC_EXTRA_CLIENT_IDS": identities.LOCAL_OAUTH_CLIENT_ID,
        "TOKEN_ENCRYPTION_KEY": base64.b64encode(os.urandom(32)).decode(),
        "TOKEN_ENCRYPTION_KEY_VERSION": "1",
        "SCHEDULER_SERVICE_ACCOUNT": LOCAL_SCHEDULER_SERVICE_ACCOUNT,
    }


def function_environment(urls: dict[str, str], preview_url: str | None = None) -> dict[str, str]:
    """Variables naming the functions' own URLs: ``ADDON_URL``... and the consent redirect."""
    env = {f"{name.upper()}_URL": url for name, url in urls.items()}
    if "oauth" in urls:
        env["OAUTH_REDIRECT_URL"] = urls["oauth"]
    if preview_url:
        env["OAUTH_RETURN_TARGETS"] = f"{preview_url}/"
    return env
