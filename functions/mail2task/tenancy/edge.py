"""The `install` function's HTTP edge: admin card actions (and their JSON form) and the scheduled sweep.

add-on action, app admin            the admin card (``?format=json``: the action's result as JSON)
add-on action, anyone else          refused and audited; their admission card (JSON: 403)
admin lacks directory/Gmail consent the connect card for the admin scopes
bad input                           a notification (JSON: 400)
Firestore or a Google API down      the outage card (JSON: 503)
``?job=sweep`` from Cloud Scheduler the sweep, answered with its JSON summary
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from mail2task.cards import admin as admin_cards
from mail2task.config import AddonSettings, load
from mail2task.errors import (
    BadRequest,
    Conflict,
    ConsentRequired,
    Forbidden,
    NotFound,
    ScopesRequired,
    StoreUnavailable,
    UpstreamError,
)
from mail2task.http import Response, guarded, json_response

if TYPE_CHECKING:
    import flask

    from mail2task.addon.request import AddonEvent
    from mail2task.tenancy.runtime import TenancyRuntime

log = logging.getLogger(__name__)


def _verify_sweep_caller(request: flask.Request, settings: AddonSettings, runtime: TenancyRuntime) -> None:
    from mail2task.addon.request import key_cache
    from mail2task.google.id_tokens import verify_service_caller

    verify_service_caller(
        request.headers.get("Authorization"),
        key_cache(settings.google_certs_url),
        (settings.install_url, settings.install_url + "?job=sweep"),
        runtime.settings.sweep_service_account,
    )


def _sweep(request: flask.Request, settings: AddonSettings, runtime: TenancyRuntime) -> Response:
    from mail2task.tenancy.sweep import run_sweep

    _verify_sweep_caller(request, settings, runtime)
    return json_response(run_sweep(runtime).to_dict())


def _admin(event: AddonEvent, settings: AddonSettings, runtime: TenancyRuntime, as_json: bool) -> Response:
    from mail2task.cards import responses
    from mail2task.tenancy import authz, console
    from mail2task.tenancy.admission import admit

    action = event.action or admin_cards.HOME
    if action not in admin_cards.ACTIONS:
        raise BadRequest("unknown action")
    admission = admit(event.identity, runtime=runtime)
    now = runtime.now()
    if not admission.allowed and not as_json and admission.card is not None:
        if admission.tenant is not None and not admission.member_is_admin:
            authz.reject(event.identity, admission.tenant.id, action, now, authz.NotAppAdmin())
        return json_response(responses.push(admission.card))  # an admin who must (re)connect sees how
    ctx = authz.require_admin(event.identity, admission, action, now)
    outcome = console.handle(console.Request(ctx, event, settings.install_url, runtime))
    if as_json:
        return json_response(
            {"action": action, "notification": outcome.notification, "result": outcome.result}
        )
    if event.parameters.get("open") == "1":
        return json_response(responses.push(outcome.card))
    return json_response(responses.update(outcome.card, outcome.notification))


def _card_failure(error: Exception, runtime: TenancyRuntime) -> dict[str, Any]:
    from mail2task.cards import responses
    from mail2task.cards.access import Connect, connect_card
    from mail2task.cards.errors import error_card, outage_card
    from mail2task.tenancy.scopes import ADMIN_SCOPES

    if isinstance(error, ConsentRequired):
        connect = Connect(runtime.oauth_function_url(), ADMIN_SCOPES)
        return responses.push(connect_card(runtime.settings.app_name, connect, admin=True))
    if isinstance(error, BadRequest | Conflict | NotFound):
        return responses.notify(error.public_message)
    if isinstance(error, Forbidden):
        return responses.push(error_card(error.public_message, title="Not allowed"))
    return responses.push(outage_card(runtime.settings.app_name))


def _handle(request: flask.Request, runtime: TenancyRuntime | None) -> Response:
    from mail2task.addon.request import verify_addon_request
    from mail2task.cards import responses
    from mail2task.tenancy.runtime import default_runtime

    settings = load(AddonSettings)
    runtime = runtime or default_runtime()
    if request.args.get("job") == "sweep":
        return _sweep(request, settings, runtime)
    try:
        event = verify_addon_request(request, audiences=(settings.install_url,), settings=settings)
    except ScopesRequired as error:
        return json_response(responses.request_scopes(error.scopes))
    as_json = request.args.get("format") == "json"
    try:
        return _admin(event, settings, runtime, as_json)
    except (
        ConsentRequired,
        BadRequest,
        Conflict,
        NotFound,
        Forbidden,
        StoreUnavailable,
        UpstreamError,
    ) as error:
        if as_json:
            raise
        if isinstance(error, StoreUnavailable | UpstreamError):
            log.warning("install action failed: %s", error.code)
        return json_response(_card_failure(error, runtime))


def serve(request: flask.Request, *, runtime: TenancyRuntime | None = None) -> Response:
    """Answer one request to the `install` function (``runtime``: the environment's by default)."""
    return guarded(lambda: _handle(request, runtime))
