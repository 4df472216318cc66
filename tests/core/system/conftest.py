"""A fast simulated THREAD, a client that records its requests, and quick wait settings."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from commissioner.core.edge.transport import Exchange
from commissioner.core.system import WaitSettings

QUICK = WaitSettings(poll_s=0.05, probe_timeout_s=0.5, tick_s=0.05)


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
