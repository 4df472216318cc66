"""Fixtures every core test package shares: a fast simulated THREAD on 127.0.0.1, an Edge client
that records its requests, and raw HTTP to the simulator's control endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.transport import Exchange
from commissioner.sim.server import ThreadServer
from tests.core.edge.conftest import fast_scenario


@pytest.fixture
async def thread() -> AsyncIterator[ThreadServer]:
    async with ThreadServer(fast_scenario()) as server:
        yield server


@pytest.fixture
def exchanges() -> list[Exchange]:
    return []


@pytest.fixture
async def client(thread: ThreadServer, exchanges: list[Exchange]) -> AsyncIterator[EdgeClient]:
    async with EdgeClient(
        thread.url, timeout_s=2.0, retry_backoff_s=0.01, on_exchange=exchanges.append
    ) as edge:
        yield edge


@pytest.fixture
async def control(thread: ThreadServer) -> AsyncIterator[httpx.AsyncClient]:
    """Raw HTTP to the simulator, for its /_sim/ control endpoints and hand-made requests."""
    async with httpx.AsyncClient(base_url=thread.url, trust_env=False, timeout=5) as http:
        yield http
