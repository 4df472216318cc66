"""Helpers shared by the simulator tests: fast servers, port setup, stream reads, waiting."""

from __future__ import annotations

import asyncio

import httpx
from websockets.asyncio.client import ClientConnection

from commissioner.sim.server import ThreadServer


def fast_server(**overrides: object) -> ThreadServer:
    """A ThreadServer with short intervals and restart times so tests stay well under a second."""
    options: dict[str, object] = {
        "sensor_interval_s": 0.03,
        "update_restart_s": 0.3,
        "time_sync_s": 0.2,
        "seed": 1234,
    }
    options.update(overrides)
    return ThreadServer(**options)  # type: ignore[arg-type]


async def recv(ws: ClientConnection, timeout: float = 1.0) -> bytes:
    """The next message of a port stream, as bytes."""
    message = await asyncio.wait_for(ws.recv(), timeout)
    return message if isinstance(message, bytes) else message.encode()


async def nothing_within(ws: ClientConnection, seconds: float = 0.25) -> bool:
    """True when the stream stays silent for ``seconds`` (many sensor intervals here)."""
    try:
        await asyncio.wait_for(ws.recv(), seconds)
    except TimeoutError:
        return True
    return False


async def setup_port(
    client: httpx.AsyncClient,
    port: int,
    mode: str,
    voltage: int = 1,
    connect: bool = True,
    **properties: object,
) -> None:
    """Configure a port as an installer would: mode, properties, voltage, device connection."""
    responses = [
        await client.post("/api/deviceRsSel", json={"portNumber": port, "content": mode}),
        await client.post("/api/deviceVoltage", json={"portNumber": port, "value": voltage}),
        await client.put(f"/api/deviceConnection?port={port}", json={"value": connect}),
    ]
    if properties:
        responses.append(await client.put(f"/api/configure?port={port}", json=properties))
    for response in responses:
        assert response.status_code == 200, response.text


async def wait_reachable(client: httpx.AsyncClient, path: str = "/api/version") -> httpx.Response:
    """Poll until the API answers again (bounded, so a broken simulator fails, not hangs)."""
    for _ in range(100):
        try:
            return await client.get(path)
        except httpx.TransportError:
            await asyncio.sleep(0.05)
    raise AssertionError("the THREAD never came back")
