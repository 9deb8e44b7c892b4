"""An in-test Secret Manager: a gRPC server on loopback speaking the real service with the library's own
message types, driven by the real ``SecretManagerServiceClient`` over an insecure channel.

Implements CreateSecret, AddSecretVersion, GetSecretVersion, AccessSecretVersion (numbers and ``latest``
= newest enabled version, with the payload's CRC32C), Disable/Enable/DestroySecretVersion, with real
status codes (ALREADY_EXISTS, NOT_FOUND, FAILED_PRECONDITION). No IAM, replication or etags.
``unavailable_next`` makes the next calls fail with UNAVAILABLE, ``corrupt_next`` sends wrong checksums;
``accesses`` counts AccessSecretVersion per version.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.cloud.secretmanager_v1.types import resources, service
from google.protobuf import timestamp_pb2

from mail2task.secrets import crc32c

SERVICE = "google.cloud.secretmanager.v1.SecretManagerService"
State = resources.SecretVersion.State


@dataclass
class _Secret:
    versions: list[tuple[bytes, Any]] = field(default_factory=list)  # (payload, State), version n at n-1


class SecretManagerStandIn:
    def __init__(self) -> None:
        self._secrets: dict[str, _Secret] = {}
        self._lock = threading.Lock()
        self.accesses: Counter[str] = Counter()
        self.unavailable_next = 0
        self.corrupt_next = 0  # answers whose payload does not match its checksum
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        methods: dict[str, tuple[Callable[..., Any], Any, Any]] = {
            "CreateSecret": (self._create_secret, service.CreateSecretRequest, resources.Secret),
            "AddSecretVersion": (self._add_version, service.AddSecretVersionRequest, resources.SecretVersion),
            "GetSecretVersion": (self._get_version, service.GetSecretVersionRequest, resources.SecretVersion),
            "AccessSecretVersion": (
                self._access, service.AccessSecretVersionRequest, service.AccessSecretVersionResponse
            ),
            "DisableSecretVersion": (
                self._state(State.DISABLED), service.DisableSecretVersionRequest, resources.SecretVersion
            ),
            "EnableSecretVersion": (
                self._state(State.ENABLED), service.EnableSecretVersionRequest, resources.SecretVersion
            ),
            "DestroySecretVersion": (
                self._state(State.DESTROYED), service.DestroySecretVersionRequest, resources.SecretVersion
            ),
        }  # fmt: skip
        handlers = {
            name: grpc.unary_unary_rpc_method_handler(
                self._guarded(function),
                request_deserializer=request_type.deserialize,
                response_serializer=response_type.serialize,
            )
            for name, (function, request_type, response_type) in methods.items()
        }
        self._server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
        self.port = self._server.add_insecure_port("127.0.0.1:0")

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> SecretManagerStandIn:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop(grace=None)

    def client(self) -> Any:
        from mail2task.secrets import secret_manager_client

        return secret_manager_client(self.host)

    def _guarded(self, function: Callable[[Any, grpc.ServicerContext], Any]) -> Callable[..., Any]:
        def handler(request: Any, context: grpc.ServicerContext) -> Any:
            with self._lock:
                if self.unavailable_next > 0:
                    self.unavailable_next -= 1
                    context.abort(grpc.StatusCode.UNAVAILABLE, "injected outage")
                return function(request, context)

        return handler

    def _secret(self, name: str, context: grpc.ServicerContext) -> _Secret:
        secret = self._secrets.get(name)
        if secret is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"Secret [{name}] not found.")
            raise AssertionError("abort raises")
        return secret

    def _version(self, name: str, context: grpc.ServicerContext) -> tuple[_Secret, int]:
        parent, _, version = name.rpartition("/versions/")
        secret = self._secret(parent, context)
        if version == "latest":
            enabled = [n for n, (_, state) in enumerate(secret.versions, 1) if state == State.ENABLED]
            if not enabled:
                context.abort(grpc.StatusCode.NOT_FOUND, f"No enabled version of [{parent}].")
            return secret, enabled[-1]
        if not version.isdigit() or not 0 < int(version) <= len(secret.versions):
            context.abort(grpc.StatusCode.NOT_FOUND, f"Secret Version [{name}] not found.")
        return secret, int(version)

    def _resource(self, parent: str, number: int, state: Any) -> resources.SecretVersion:
        now = timestamp_pb2.Timestamp()
        now.GetCurrentTime()
        return resources.SecretVersion(name=f"{parent}/versions/{number}", state=state, create_time=now)

    def _create_secret(self, request: Any, context: grpc.ServicerContext) -> resources.Secret:
        name = f"{request.parent}/secrets/{request.secret_id}"
        if name in self._secrets:
            context.abort(grpc.StatusCode.ALREADY_EXISTS, f"Secret [{name}] already exists.")
        self._secrets[name] = _Secret()
        return resources.Secret(name=name)

    def _add_version(self, request: Any, context: grpc.ServicerContext) -> resources.SecretVersion:
        secret = self._secret(request.parent, context)
        secret.versions.append((bytes(request.payload.data), State.ENABLED))
        return self._resource(request.parent, len(secret.versions), State.ENABLED)

    def _get_version(self, request: Any, context: grpc.ServicerContext) -> resources.SecretVersion:
        secret, number = self._version(request.name, context)
        return self._resource(
            request.name.rpartition("/versions/")[0], number, secret.versions[number - 1][1]
        )

    def _access(self, request: Any, context: grpc.ServicerContext) -> service.AccessSecretVersionResponse:
        secret, number = self._version(request.name, context)
        payload, state = secret.versions[number - 1]
        parent = request.name.rpartition("/versions/")[0]
        if state != State.ENABLED:
            context.abort(
                grpc.StatusCode.FAILED_PRECONDITION,
                f"Secret Version [{parent}/versions/{number}] is {state.name}.",
            )
        self.accesses[f"{parent}/versions/{number}"] += 1
        checksum = crc32c(payload)
        if self.corrupt_next > 0:
            self.corrupt_next -= 1
            checksum ^= 1
        return service.AccessSecretVersionResponse(
            name=f"{parent}/versions/{number}",
            payload=resources.SecretPayload(data=payload, data_crc32c=checksum),
        )

    def _state(self, state: Any) -> Callable[[Any, grpc.ServicerContext], resources.SecretVersion]:
        def change(request: Any, context: grpc.ServicerContext) -> resources.SecretVersion:
            secret, number = self._version(request.name, context)
            payload, current = secret.versions[number - 1]
            if current == State.DESTROYED:
                context.abort(grpc.StatusCode.FAILED_PRECONDITION, "version is destroyed")
            secret.versions[number - 1] = (b"" if state == State.DESTROYED else payload, state)
            return self._resource(request.name.rpartition("/versions/")[0], number, state)

        return change
