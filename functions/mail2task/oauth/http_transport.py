"""The HTTP transport for Google's OAuth endpoints: an injectable callable, requests-based by default.

Not google-auth's ``transport.requests.Request``: at DEBUG level it logs request bodies, hashing only
``client_id``/``client_secret``/``*_token`` fields, so an authorization ``code``, a PKCE
``code_verifier`` and a revoked ``token`` would reach the logs in clear. This transport logs nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import requests

MAX_RESPONSE_BYTES = 256 * 1024


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes = field(repr=False)


class TransportFailure(Exception):
    """No HTTP response: timeout, refused or reset connection. Always worth retrying later."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind  # "timeout" | "connection"


class Transport(Protocol):
    def __call__(
        self, method: str, url: str, *, body: bytes | None, headers: Mapping[str, str], timeout: float
    ) -> HttpResponse: ...


class RequestsTransport:
    """One pooled ``requests.Session`` per thread (sessions are not meant to be shared across threads)."""

    def __init__(self, pool_size: int = 4) -> None:
        self._pool_size = pool_size
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            import requests
            from requests.adapters import HTTPAdapter

            session = requests.Session()
            adapter = HTTPAdapter(pool_connections=1, pool_maxsize=self._pool_size, max_retries=0)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            self._local.session = session
        return session

    def __call__(
        self, method: str, url: str, *, body: bytes | None, headers: Mapping[str, str], timeout: float
    ) -> HttpResponse:
        import requests

        try:
            response = self._session().request(
                method, url, data=body, headers=dict(headers), timeout=timeout, stream=True,
                allow_redirects=False,
            )  # fmt: skip
            try:
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_content(16 * 1024):
                    size += len(chunk)
                    if size > MAX_RESPONSE_BYTES:
                        break
                    chunks.append(chunk)
            finally:
                response.close()
        except requests.exceptions.Timeout:
            raise TransportFailure("timeout") from None
        except requests.exceptions.RequestException:
            raise TransportFailure("connection") from None
        return HttpResponse(
            status=response.status_code, headers=dict(response.headers), body=b"".join(chunks)
        )
