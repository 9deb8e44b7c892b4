"""Entry point of the `refresh` function: Cloud Scheduler's call (POST, OIDC) -> JSON run summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mail2task.http import Response, guarded, json_response

if TYPE_CHECKING:
    import flask


def refresh(request: flask.Request) -> Response:
    if request.method != "POST":
        return json_response({"error": {"code": "method", "message": "POST only"}}, 405, {"Allow": "POST"})

    def handle() -> Response:
        from mail2task.oauth.scheduler import JOB_HEADER, TIME_HEADER, run_scheduled

        headers = request.headers
        return json_response(
            run_scheduled(headers.get("Authorization"), headers.get(JOB_HEADER), headers.get(TIME_HEADER))
        )

    return guarded(handle)
