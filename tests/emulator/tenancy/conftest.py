"""Fixtures of the tenancy emulator tests: the stand-in stack around every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.emulator.tenancy.harness import Stack, stack


@pytest.fixture
def env() -> Iterator[Stack]:
    with stack() as running:
        yield running
