"""Waiting in async tests for state that has no event to await (simulators, widgets)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def until(predicate: Callable[[], bool], timeout_s: float = 8.0) -> None:
    """Let the loop run until ``predicate`` holds (a bound, not a timed assertion)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not predicate():
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(0.02)
