"""A simulated THREAD per test, and an httpx transport that can fail chosen paths and count
how many requests are in flight at once (to prove reads are concurrent)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable

import httpx
import pytest

from commissioner.core.edge.client import EdgeClient
from commissioner.sim.server import ThreadServer


async def until(predicate: Callable[[], bool], timeout_s: float = 2.5) -> None:
    """Let the loop run until ``predicate()`` holds; a bound against hangs, not a timed assertion."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not predicate():
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(0.02)


class CountingTransport(httpx.AsyncBaseTransport):
    """Real HTTP over loopback, except requests named in ``fail`` (a path such as
    ``/api/tempRead``, or a method and path such as ``POST /api/time``) answer 500 without
    reaching the THREAD."""

    def __init__(self, fail: Iterable[str] = ()) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.fail = set(fail)
        self.in_flight = 0
        self.max_in_flight = 0
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        path = request.url.path
        if path in self.fail or f"{request.method} {path}" in self.fail:
            return httpx.Response(500, json={"error": "simulated sensor fault"})
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self.inner.handle_async_request(request)
        finally:
            self.in_flight -= 1

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
def transport() -> CountingTransport:
    return CountingTransport()


@pytest.fixture
async def client(thread: ThreadServer, transport: CountingTransport) -> AsyncIterator[EdgeClient]:
    async with EdgeClient(
        thread.url, timeout_s=2.0, retry_backoff_s=0.01, http_transport=transport
    ) as edge:
        yield edge
