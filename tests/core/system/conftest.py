"""A fast simulated THREAD, a client that records its requests, and quick wait settings."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.transport import Exchange
from commissioner.core.system import WaitSettings
from commissioner.sim.server import ThreadServer
from tests.core.edge.conftest import fast_scenario

QUICK = WaitSettings(poll_s=0.05, probe_timeout_s=0.5, tick_s=0.05)


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


def sent(exchanges: list[Exchange], method: str, path: str) -> list[Exchange]:
    """The requests of one kind that were sent, to prove validation stopped the others."""
    return [e for e in exchanges if e.method == method and e.path == path]


async def until(predicate: Callable[[], bool], timeout_s: float = 5.0) -> None:
    """Let the loop run until ``predicate`` holds; a bound against hangs, not a timed assertion."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not predicate():
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(0.02)
