"""A Firestore client whose gRPC channel counts what the server bills: documents read and written.

Reads: documents returned by RunQuery, and document lookups (found or missing); a query answering
nothing still costs one read (counted as ``empty_queries``). Writes: every write of a Commit or
BatchWrite request, also per document path. Counted at the wire, below every project and library layer.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import grpc
from google.cloud import firestore


class _Streaming:
    """Wraps a streaming call, counting documents as they arrive; delegates everything else."""

    def __init__(self, call: Any, counter: FirestoreCounter, method: str) -> None:
        self._call, self._counter, self._method = call, counter, method
        self._documents = 0

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        try:
            response = next(self._call)
        except StopIteration:
            if self._method == "RunQuery" and self._documents == 0:
                self._counter.add(empty_queries=1)
            raise
        pb = response._pb
        # a lookup of a missing document is billed like a read; a query's progress messages are not
        if pb.HasField("document") if self._method == "RunQuery" else pb.WhichOneof("result"):
            self._documents += 1
            self._counter.add(reads=1)
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self._call, name)


class FirestoreCounter(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):  # type: ignore[misc]
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.writes_per_document: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, **amounts: int) -> None:
        with self._lock:
            self.counts.update(amounts)

    def reset(self) -> None:
        with self._lock:
            self.counts.clear()
            self.writes_per_document.clear()

    def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        method = details.method.rsplit("/", 1)[-1]
        if method in ("Commit", "BatchWrite"):
            with self._lock:
                for write in request.writes:
                    name = write.update.name or write.delete
                    self.counts["writes"] += 1
                    self.writes_per_document[name.rsplit("/documents/", 1)[-1]] += 1
        return continuation(details, request)

    def intercept_unary_stream(self, continuation: Any, details: Any, request: Any) -> Any:
        method = details.method.rsplit("/", 1)[-1]
        call = continuation(details, request)
        if method in ("RunQuery", "BatchGetDocuments"):
            return _Streaming(call, self, method)
        return call


class CountingClient(firestore.Client):
    """``firestore.Client`` against the emulator whose channel goes through a ``FirestoreCounter``."""

    def __init__(self, counter: FirestoreCounter, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.counter = counter

    def _emulator_channel(self, transport: Any) -> Any:
        return grpc.intercept_channel(super()._emulator_channel(transport), self.counter)
