"""The small self-contained page the consent callback answers with (or a redirect to an allowed target).

No script, no external resource, nothing from the request echoed: the only style is inline and allowed
by its hash in the Content-Security-Policy. The page is never cached, never framed, never sends a
Referer (the callback URL carried a code and a state).
"""

from __future__ import annotations

import base64
import hashlib
import html

from mail2task.http import Response
from mail2task.oauth.consent import Outcome

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#202124}"
    "h1{font-size:1.4rem}p{line-height:1.5}"
)
STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'none'"
    ),
}
MESSAGES = {
    "connected": ("mail2task is connected", "You can close this window and return to Gmail."),
    "denied": ("Access was not granted", "Nothing was changed. You can close this window."),
    "invalid": (
        "This sign-in link is no longer valid",
        "It was already used or has expired. Start again from the mail2task panel in Gmail.",
    ),
    "wrong_account": (
        "Signed in with a different account",
        "Use the same Google account you use in Gmail. Start again from the mail2task panel.",
    ),
    "not_allowed": (
        "You don't have access to mail2task",
        "Your organization's app admin has not given you access, so nothing was connected.",
    ),
    "failed": ("Something went wrong", "Google could not complete the request. Please try again later."),
}


def render(outcome: Outcome) -> Response:
    """The response for ``outcome``: a 303 to its allow-listed return target on success, else a page."""
    if outcome.kind in ("connected", "denied") and outcome.return_to:
        return "", 303, {**SECURITY_HEADERS, "Location": outcome.return_to}
    title, text = MESSAGES.get(outcome.kind, MESSAGES["failed"])
    body = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>"
    )
    return body, outcome.status, {**SECURITY_HEADERS, "Content-Type": "text/html; charset=utf-8"}
