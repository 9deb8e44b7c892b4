"""Secret access: current versions come mounted in the environment; older ones from Secret Manager.

Functions never need Secret Manager on their hot path: the platform mounts the current version of each
secret as an environment variable. Only a record sealed under an older token key (after a rotation)
makes a function fetch that version here, once per process. The client is built lazily (its import costs
~200 ms), with an explicit retry and timeout: without them an unreachable API stalls a call for 60 s.
"""

from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING, Any

from mail2task.errors import ConfigError
from mail2task.errors import SecretUnavailable as SecretUnavailable

if TYPE_CHECKING:
    from google.cloud.secretmanager_v1 import SecretManagerServiceClient

ACCESS_TIMEOUT_SECONDS = 10.0
MAX_PAYLOAD_BYTES = 64 * 1024


def _crc32c_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC32C = _crc32c_table()


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli), the checksum Secret Manager sends with every payload."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _CRC32C[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


@functools.cache
def secret_manager_client(host: str = "") -> SecretManagerServiceClient:
    """The process-wide client; ``host`` (loopback only) selects a plaintext stand-in instead of Google."""
    from google.cloud.secretmanager_v1 import SecretManagerServiceClient

    if not host:
        return SecretManagerServiceClient()
    if not host.startswith(("127.0.0.1:", "localhost:", "[::1]:")):
        raise ConfigError("a plaintext Secret Manager endpoint must be on loopback")
    import grpc
    from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
        SecretManagerServiceGrpcTransport,
    )

    transport = SecretManagerServiceGrpcTransport(channel=grpc.insecure_channel(host))
    return SecretManagerServiceClient(transport=transport)


def version_name(project: str, secret: str, version: str) -> str:
    return f"projects/{project}/secrets/{secret}/versions/{version}"


def access_secret_version(
    name: str, *, client: Any = None, timeout: float = ACCESS_TIMEOUT_SECONDS
) -> tuple[str, bytes]:
    """``(resolved version name, payload)`` of secret version ``name`` (``…/versions/latest`` resolves).

    Retries only UNAVAILABLE/RESOURCE_EXHAUSTED, within ``timeout``; checks the payload's CRC32C.
    """
    from google.api_core import exceptions, retry

    client = client or secret_manager_client()
    policy = retry.Retry(
        initial=0.2,
        maximum=2.0,
        multiplier=2.0,
        timeout=timeout,
        predicate=retry.if_exception_type(exceptions.ServiceUnavailable, exceptions.ResourceExhausted),
    )
    try:
        response = client.access_secret_version(name=name, retry=policy, timeout=timeout)
    except exceptions.NotFound:
        raise SecretUnavailable("secret version not found", retryable=False) from None
    except exceptions.FailedPrecondition:
        raise SecretUnavailable("secret version is disabled or destroyed", retryable=False) from None
    except exceptions.PermissionDenied:
        raise SecretUnavailable("no permission to read the secret version", retryable=False) from None
    except (exceptions.GoogleAPIError, ValueError) as error:
        raise SecretUnavailable(f"secret version unreadable ({type(error).__name__})") from None
    data = bytes(response.payload.data)
    if len(data) > MAX_PAYLOAD_BYTES:
        raise SecretUnavailable("secret payload too large", retryable=False)
    if "data_crc32c" in response.payload and crc32c(data) != response.payload.data_crc32c:
        raise SecretUnavailable("secret payload failed its checksum")
    return str(response.name), data


class VersionCache:
    """Secret versions fetched on demand, kept for the life of the process (versions are immutable)."""

    def __init__(self, fetch: Any = None) -> None:
        self._fetch = fetch or (lambda name: access_secret_version(name)[1])
        self._lock = threading.Lock()
        self._values: dict[str, bytes] = {}

    def get(self, name: str) -> bytes:
        with self._lock:
            cached = self._values.get(name)
        if cached is not None:
            return cached
        value: bytes = self._fetch(name)
        with self._lock:
            self._values.setdefault(name, value)
            return self._values[name]
