"""Fault knobs: latency, HTTP 500s, malformed JSON, dropped streams and unreachable periods."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from commissioner.sim.faults import Faults
from commissioner.sim.server import ThreadServer
from tests.sim.helpers import fast_server, wait_reachable


async def test_latency_is_added(client: httpx.AsyncClient) -> None:
    """latency_ms delays every API answer by at least that much."""
    await client.put("/_sim/faults", json={"latency_ms": 150})
    started = time.monotonic()
    assert (await client.get("/api/serialNumber")).status_code == 200
    assert time.monotonic() - started >= 0.15


async def test_error_rate_one_gives_500(client: httpx.AsyncClient) -> None:
    """error_rate 1.0 answers every API call with HTTP 500 and a JSON error."""
    answer = await client.put("/_sim/faults", json={"error_rate": 1.0})
    assert answer.json()["error_rate"] == 1.0
    response = await client.get("/api/serialNumber")
    assert response.status_code == 500 and "error" in response.json()
    assert (await client.get("/_sim/state")).status_code == 200  # control is never faulted


async def test_malformed_rate_one_gives_unparsable_json(client: httpx.AsyncClient) -> None:
    """malformed_rate 1.0 answers 200 with a body that is not valid JSON."""
    await client.put("/_sim/faults", json={"malformed_rate": 1.0})
    response = await client.get("/api/batterySaver")
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)


async def test_rates_are_seeded_and_partial() -> None:
    """A 0.5 error rate with a seed fails some calls and not others, the same way every run."""

    async def statuses() -> list[int]:
        async with (
            fast_server(faults=Faults(error_rate=0.5, seed=7)) as server,
            httpx.AsyncClient(base_url=server.url, trust_env=False) as http,
        ):
            return [(await http.get("/api/version")).status_code for _ in range(20)]

    first, second = await statuses(), await statuses()
    assert first == second
    assert 200 in first and 500 in first


async def test_faults_from_the_constructor() -> None:
    """Faults given to ThreadServer apply from the start."""
    async with (
        fast_server(faults=Faults(error_rate=1.0)) as server,
        httpx.AsyncClient(base_url=server.url, trust_env=False) as http,
    ):
        assert (await http.get("/api/version")).status_code == 500
        assert (await http.get("/_sim/faults")).json()["error_rate"] == 1.0


async def test_bad_faults_are_400(client: httpx.AsyncClient) -> None:
    """Unknown knobs and out-of-range values are refused with 400."""
    for body in ({"error_rate": 2}, {"loudness": 1}, {"latency_ms": -1}, {"seed": "x"}):
        response = await client.put("/_sim/faults", json=body)
        assert response.status_code == 400, body
        assert response.json()["error"]


async def test_drop_websockets_now(client: httpx.AsyncClient, thread: ThreadServer) -> None:
    """POST /_sim/drop-websockets cuts every open port stream."""
    async with (
        connect(thread.ws_url + "/ws/port/1") as ws1,
        connect(thread.ws_url + "/ws/port/2") as ws2,
    ):
        await asyncio.sleep(0.05)
        assert (await client.post("/_sim/drop-websockets")).json() == {"dropped": 2}
        for ws in (ws1, ws2):
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 1.0)


async def test_periodic_websocket_drops(client: httpx.AsyncClient, thread: ThreadServer) -> None:
    """drop_ws_every_s drops the streams periodically; reconnecting works between drops."""
    await client.put("/_sim/faults", json={"drop_ws_every_s": 0.15})
    for _ in range(2):
        async with connect(thread.ws_url + "/ws/port/1") as ws:
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 1.0)
    assert thread.device.sockets.drops >= 2


async def test_unreachable_period(client: httpx.AsyncClient) -> None:
    """POST /_sim/unreachable makes the API reset connections for that long, then come back."""
    started = time.monotonic()
    assert (await client.post("/_sim/unreachable", json={"seconds": 0.3})).status_code == 200
    with pytest.raises(httpx.TransportError):
        await client.get("/api/serialNumber")
    state = (await client.get("/_sim/state")).json()
    assert state["reachable"] is False and state["down_reason"] == "made unreachable"
    assert (await wait_reachable(client)).status_code == 200
    assert time.monotonic() - started >= 0.3


async def test_unreachable_needs_seconds(client: httpx.AsyncClient) -> None:
    """/_sim/unreachable without a sensible seconds value is a 400."""
    for body in (b"", b'{"seconds": -1}', b'{"seconds": "soon"}', b"nope"):
        response = await client.post("/_sim/unreachable", content=body)
        assert response.status_code == 400
