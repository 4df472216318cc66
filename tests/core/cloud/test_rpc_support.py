"""Shared helpers for the socket-client tests (no tests here): arrange the cloud over loopback REST.

Entities are created and observations uploaded through the simulator's documented REST API with
httpx and the simulator's API key, so these tests do not depend on the REST client under test
elsewhere.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from commissioner.core.cloud.profiles import SIM_API_KEY, SIM_PROJECT_ID
from commissioner.core.cloud.rpc import IotSocketClient, SocketState, static_code

HEADERS = {"Authorization": f"ApiKey {SIM_API_KEY}"}


@dataclass(frozen=True)
class Registered:
    node_id: str
    device_id: str
    sensor_id: str


def fast_client(sim: Any, code: str = SIM_API_KEY, **options: Any) -> IotSocketClient:
    """A client for ``sim`` with short backoff so reconnect tests stay quick."""
    defaults: dict[str, Any] = {
        "keepalive_s": 30.0,
        "backoff_initial_s": 0.05,
        "backoff_max_s": 0.2,
        "open_timeout_s": 5.0,
        "request_timeout_s": 5.0,
    }
    defaults.update(options)
    return IotSocketClient(sim.ws_url, static_code(code), **defaults)


async def register_sensor(sim: Any, integration_id: str = "TEMPERATURE_SDE") -> Registered:
    """Create a node, one device and one sensor through POST /api/integrations/integrate."""
    body = {
        "integration": {
            "changeState": "new",
            "devices": [
                {
                    "changeState": "new",
                    "refId": "thread-TEST01-port1",
                    "props": {"INTEGRATION_ID": "IMPORT_DEVICE_SDE", "NAME": "Port 1"},
                    "sensors": [
                        {
                            "changeState": "new",
                            "refId": "thread-TEST01-port1-sensor1",
                            "props": {"INTEGRATION_ID": integration_id, "NAME": "Probe"},
                        }
                    ],
                }
            ],
        }
    }
    async with httpx.AsyncClient(base_url=sim.url, trust_env=False) as http:
        response = await http.post(
            "/api/integrations/integrate",
            params={"projectIds": SIM_PROJECT_ID},
            json=body,
            headers=HEADERS,
        )
    assert response.status_code == 200, response.text
    integration = response.json()["integration"]
    device = integration["devices"][0]
    return Registered(integration["node"]["id"], device["device"]["id"], device["sensors"][0]["id"])


def stamp(seconds: float) -> str:
    """A fixed, distinct observation time (ISO with ms and Z)."""
    moment = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


async def upload_rest(sim: Any, observations: list[dict[str, Any]]) -> None:
    """POST /api/data/upload; the simulator answers 202 when it stored them."""
    async with httpx.AsyncClient(base_url=sim.url, trust_env=False) as http:
        response = await http.post(
            "/api/data/upload", json={"observations": observations}, headers=HEADERS
        )
    assert response.status_code == 202, response.text


def observation(sensor_id: str, seconds: float, value: float, metric: str = "T") -> dict[str, Any]:
    return {"sensorId": sensor_id, "timestamp": stamp(seconds), "values": {metric: value}}


class Pushes:
    """Collects subscription callbacks and wakes the test when one arrives."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self.arrived = asyncio.Event()

    def __call__(self, item: Any) -> None:
        self.items.append(item)
        self.arrived.set()

    async def wait_count(self, count: int) -> None:
        await wait_until(lambda: len(self.items) >= count, self.arrived)


class StateLog:
    """Records a client's state changes and lets a test wait for one without timing it."""

    def __init__(self, client: IotSocketClient) -> None:
        self.states: list[SocketState] = []
        self._changed = asyncio.Event()
        client.add_state_listener(self.on_state)

    def on_state(self, state: SocketState, detail: str) -> None:
        self.states.append(state)
        self._changed.set()

    async def wait_for(self, state: SocketState, count: int = 1, timeout_s: float = 10.0) -> None:
        await wait_until(lambda: self.states.count(state) >= count, self._changed, timeout_s)


async def wait_until(
    condition: Callable[[], bool], event: asyncio.Event, timeout_s: float = 10.0
) -> None:
    """Wait until ``condition()`` holds, re-checking whenever ``event`` fires."""
    async with asyncio.timeout(timeout_s):
        while not condition():
            event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), 0.5)
