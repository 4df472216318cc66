"""Fixtures for the THREAD simulator tests: a fast ThreadServer on loopback and a client for it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from commissioner.sim.server import ThreadServer
from tests.sim.helpers import fast_server


@pytest.fixture
async def thread() -> AsyncIterator[ThreadServer]:
    async with fast_server() as server:
        yield server


@pytest.fixture
async def client(thread: ThreadServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=thread.url, trust_env=False, timeout=2.0) as http:
        yield http
