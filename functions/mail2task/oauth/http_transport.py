"""The HTTP transport for Google's OAuth endpoints: an injectable callable, urllib3-based by default.

Not google-auth's ``transport.requests.Request``: at DEBUG level it logs request bodies, hashing only
``client_id``/``client_secret``/``*_token`` fields, so an authorization ``code``, a PKCE
``code_verifier`` and a revoked ``token`` would reach the logs in clear. urllib3 logs only the method,
path and status. One thread-safe pool shared by every thread: a quarter of the CPU per call of a
``requests.Session``, which matters when a refresh run makes thousands of calls.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import urllib3

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


class PooledTransport:
    """Keep-alive connections from a urllib3 pool; no retries, no redirects, bounded response size."""

    def __init__(self, pool_size: int = 128) -> None:
        self._pool_size = pool_size

    @functools.cached_property
    def _pool(self) -> urllib3.PoolManager:
        import urllib3

        return urllib3.PoolManager(maxsize=self._pool_size, retries=False)

    def __call__(
        self, method: str, url: str, *, body: bytes | None, headers: Mapping[str, str], timeout: float
    ) -> HttpResponse:
        import urllib3

        try:
            response = self._pool.request(
                method, url, body=body, headers=dict(headers), timeout=urllib3.Timeout(total=timeout),
                redirect=False, preload_content=False,
            )  # fmt: skip
            try:
                data = response.read(MAX_RESPONSE_BYTES)
            finally:
                response.release_conn()
        except urllib3.exceptions.NewConnectionError:  # (a subclass of ConnectTimeoutError)
            raise TransportFailure("connection") from None
        except urllib3.exceptions.TimeoutError:
            raise TransportFailure("timeout") from None
        except urllib3.exceptions.HTTPError:
            raise TransportFailure("connection") from None
        return HttpResponse(status=response.status, headers=dict(response.headers), body=data)
