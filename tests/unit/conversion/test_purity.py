"""Conversion is pure: converting a message loads no Google Cloud or HTTP client library."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.unit.conversion.golden import SAMPLES

# Modules present before (the interpreter's start-up may import namespace packages such as ``google``)
# and after converting a message, in a fresh interpreter.
SCRIPT = """
import json, sys
before = set(sys.modules)
from mail2task.conversion import convert
convert(open(sys.argv[1], "rb").read())
print(json.dumps(sorted(set(sys.modules) - before)))
"""
FORBIDDEN = ("google", "grpc", "googleapiclient", "google_auth_oauthlib", "requests", "urllib3", "httplib2")


def test_converting_imports_no_cloud_or_http_clients() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(SAMPLES / "html_only.eml")],
        capture_output=True,
        check=True,
        timeout=60,
    )
    loaded = json.loads(result.stdout)
    assert "mail2task.conversion.html_text" in loaded
    assert [name for name in loaded if name.split(".")[0] in FORBIDDEN] == []
