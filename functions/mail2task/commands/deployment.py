"""`mail2task deployment --base-url URL`: print the add-on deployment descriptor (JSON) to standard output.

Feed it to ``gcloud workspace-add-ons deployments create NAME --deployment-file=-`` (or save it first).
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.parse

from mail2task.addon.deployment import FunctionUrls, descriptor


def run(args: argparse.Namespace) -> int:
    base_url: str = args.base_url
    parts = urllib.parse.urlsplit(base_url)
    local = parts.hostname in ("127.0.0.1", "localhost")
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        print("mail2task deployment: --base-url must be an https URL", file=sys.stderr)
        return 2
    if parts.query or parts.fragment or not parts.netloc:
        print("mail2task deployment: --base-url takes scheme, host and path only", file=sys.stderr)
        return 2
    json.dump(descriptor(FunctionUrls.from_base(base_url)), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0
