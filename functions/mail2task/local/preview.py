"""The add-on preview: a page that plays Gmail (message list, add-on panel) and the few endpoints behind it.

``/`` and ``/static/*`` serve the page (vanilla JS, no external resources, strict CSP). ``/certs`` serves
the development key's certificates in the format of Google's ``oauth2/v1/certs``. ``/api/config`` names
the users and the deployment's trigger URLs and scopes; ``/api/messages`` lists the Gmail stand-in's
mailbox; ``/api/invoke`` has :class:`~mail2task.local.host.GmailHost` sign an event and post it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from mail2task.local import identities
from mail2task.local.host import GmailHost, InvokeError
from mail2task.local.mailbox import StoredMessage, header_text, text_of

if TYPE_CHECKING:
    import flask

STATIC = Path(__file__).with_name("preview")
MAX_INVOKE_BYTES = 256 * 1024
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def _attachments(stored: StoredMessage) -> list[dict[str, Any]]:
    found = []
    for part in stored.parsed.walk():
        filename = part.get_filename()
        if filename or part.get_content_type() == "message/rfc822":
            found.append({"filename": filename or "forwarded message", "mimeType": part.get_content_type()})
    return found


def summary(stored: StoredMessage) -> dict[str, Any]:
    """A message as the list and reading pane show it."""
    parsed = stored.parsed
    return {
        "id": stored.id,
        "threadId": stored.thread_id,
        "from": header_text(parsed, "From"),
        "to": header_text(parsed, "To"),
        "cc": header_text(parsed, "Cc"),
        "subject": header_text(parsed, "Subject") or "(no subject)",
        "internalDate": stored.internal_date,
        "snippet": stored.snippet,
        "labelIds": stored.label_ids,
        "attachments": _attachments(stored),
    }


def create_app(host: GmailHost, deployment: dict[str, Any]) -> flask.Flask:
    """The preview's Flask app, playing Gmail for the deployment ``deployment``."""
    import flask

    app = flask.Flask("mail2task-preview", static_folder=str(STATIC), static_url_path="/static")
    addons = deployment["addOns"]
    config = {
        "users": [u.public() for u in identities.USERS],
        "homepageUrl": (addons["gmail"].get("homepageTrigger") or addons["common"]["homepageTrigger"])[
            "runFunction"
        ],
        "contextualUrl": addons["gmail"]["contextualTriggers"][0]["onTriggerFunction"],
        "oauthScopes": deployment["oauthScopes"],
        "functionsUrl": host.functions_url,
    }

    @app.after_request
    def _headers(response: flask.Response) -> flask.Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.get("/")
    def index() -> flask.Response:
        return flask.send_from_directory(STATIC, "index.html")

    @app.get("/favicon.ico")
    def favicon() -> flask.Response:
        return flask.Response(status=204)

    certs_document = host.signer.certs_json()  # one certificate per run, as Google's between rotations

    @app.get("/certs")
    def certs() -> flask.Response:
        response = flask.Response(certs_document, mimetype="application/json")
        response.headers["Cache-Control"] = "public, max-age=3600, must-revalidate, no-transform"
        return response

    @app.get("/api/config")
    def api_config() -> flask.Response:
        return flask.jsonify(config)

    @app.get("/api/messages")
    def api_messages() -> flask.Response:
        return flask.jsonify({"messages": [summary(m) for m in host.gmail.mailbox.messages()]})

    @app.get("/api/messages/<message_id>")
    def api_message(message_id: str) -> flask.Response:
        stored = host.gmail.mailbox.get(message_id)
        if stored is None:
            flask.abort(404)
        thread = [summary(m) for m in host.gmail.mailbox.thread(stored.thread_id)]
        return flask.jsonify({**summary(stored), "body": text_of(stored.parsed)[:100_000], "thread": thread})

    @app.post("/api/invoke")
    def api_invoke() -> Any:
        origin = flask.request.headers.get("Origin")
        if origin is not None and origin != flask.request.host_url.rstrip("/"):
            return flask.jsonify({"error": "cross-origin requests are refused"}), 403
        if (flask.request.content_length or 0) > MAX_INVOKE_BYTES or not flask.request.is_json:
            return flask.jsonify({"error": "send a JSON body of at most 256 KiB"}), 400
        payload = flask.request.get_json(silent=True) or {}
        try:
            user = identities.user(str(payload.get("user", "")))
            event = payload.get("event")
            scopes = payload.get("scopes")
            if not isinstance(event, dict) or not isinstance(scopes, list):
                raise InvokeError("event must be an object and scopes a list")
            answer = host.invoke(str(payload.get("url", "")), event, user, [str(s) for s in scopes])
        except (KeyError, InvokeError) as error:
            return flask.jsonify({"error": f"cannot invoke: {error}"}), 400
        return flask.jsonify(answer.public())

    return app
