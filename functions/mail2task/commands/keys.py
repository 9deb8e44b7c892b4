"""`mail2task keys rotate`: re-seal stored grants under the newest token-encryption key.

The target key is TOKEN_ENCRYPTION_KEY / TOKEN_ENCRYPTION_KEY_VERSION when set (what the functions now
mount), otherwise the newest enabled version of TOKEN_ENCRYPTION_KEY_SECRET in Secret Manager. Older
versions are read from Secret Manager as records need them. Prints a JSON report; exit status 0 when
every record is under the target key (or holds no secrets), 1 otherwise — run it again to resume.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING

from mail2task.errors import Mail2TaskError

if TYPE_CHECKING:
    from mail2task.oauth.vault import TokenVault


def _vault() -> TokenVault:
    from mail2task import secrets
    from mail2task.config import CoreSettings, SecretManagerSettings, load
    from mail2task.oauth.vault import KeyRing, TokenVault, decode_key, default_vault

    if os.environ.get("TOKEN_ENCRYPTION_KEY"):
        return default_vault()
    core, manager = load(CoreSettings), load(SecretManagerSettings)
    client = secrets.secret_manager_client(manager.host)
    versions = secrets.VersionCache(lambda name: secrets.access_secret_version(name, client=client)[1])
    name, payload = secrets.access_secret_version(
        secrets.version_name(core.project, manager.key_secret, "latest"), client=client
    )
    version = name.rsplit("/", 1)[-1]
    key = decode_key(payload, f"token key version {version}")
    return TokenVault(
        KeyRing(
            version, key, lambda v: versions.get(secrets.version_name(core.project, manager.key_secret, v))
        )
    )


def run(args: argparse.Namespace) -> int:
    from mail2task import store
    from mail2task.oauth.rotation import rotate

    try:
        report = rotate(store.firestore_client(), _vault())
    except Mail2TaskError as error:
        print(f"mail2task keys rotate: {error.public_message} ({error})", file=sys.stderr)
        return 2
    print(json.dumps(report.to_dict(), indent=2, sort_keys=True))
    return 0 if report.failed == 0 else 1
