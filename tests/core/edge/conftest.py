"""A simulated THREAD on 127.0.0.1 and an Edge client pointed at it, per test."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest

from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.transport import Exchange
from commissioner.sim.scenario import Scenario, load_scenario
from commissioner.sim.server import ThreadServer


def fast_scenario(name: str = "default", **device: object) -> Scenario:
    """A shipped scenario with test-friendly timing: clock synced at once, quick restarts."""
    scenario = load_scenario(name)
    timing: dict[str, object] = {"time_sync_s": 0.0, "update_restart_s": 0.4}
    timing.update(device)
    sensors = tuple(dataclasses.replace(s, interval_s=0.05) for s in scenario.sensors)
    return dataclasses.replace(
        scenario, device=dataclasses.replace(scenario.device, **timing), sensors=sensors
    )


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
