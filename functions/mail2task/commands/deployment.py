"""`mail2task deployment --base-url URL | --addon-url URL`: print the add-on deployment descriptor (JSON).

The descriptor names one URL, the `addon` function's (both triggers call it). ``--base-url`` is for
functions served at ``BASE/<name>`` (the local stack); ``--addon-url`` takes the function's own URL, as
Terraform deploys it (one run.app URL per function: ``terraform output -json function_urls``). It must be
the function's ADDON_URL setting, or Google's tokens fail the audience check. Feed the output to
``gcloud workspace-add-ons deployments create NAME --deployment-file=-`` (or save it first).
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.parse

from mail2task.addon.deployment import FunctionUrls, addon_descriptor


def _problem(url: str) -> str | None:
    """Why ``url`` cannot be a function URL in the descriptor (None when it can)."""
    parts = urllib.parse.urlsplit(url)
    local = parts.hostname in ("127.0.0.1", "localhost")
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        return "must be an https URL"
    if parts.query or parts.fragment or not parts.netloc:
        return "takes scheme, host and path only"
    return None


def run(args: argparse.Namespace) -> int:
    addon_url: str | None = getattr(args, "addon_url", None)
    flag, url = ("--addon-url", addon_url) if addon_url else ("--base-url", str(args.base_url))
    problem = _problem(url)
    if problem:
        print(f"mail2task deployment: {flag} {problem}", file=sys.stderr)
        return 2
    addon = addon_url or FunctionUrls.from_base(url).addon
    json.dump(addon_descriptor(addon), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0
