"""Reboot, factory reset, update and sleep: what survives, what is lost, when the API is away."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from commissioner.sim.server import ThreadServer
from tests.sim.helpers import fast_server, setup_port, wait_reachable

pytestmark = pytest.mark.timeout(10)


async def _configure_everything(client: httpx.AsyncClient) -> None:
    await setup_port(client, 2, "RS485", voltage=2, COMM_TYPE="RS485", BAUD_RATE=19200)
    for response in [
        await client.put("/api/cloudConnection", json={"value": "false"}),
        await client.post("/api/accessible", json={"value": "true"}),
        await client.put("/api/batterySaver", json={"value": True, "low": 20, "high": 80}),
        await client.put("/api/interfacePriority/cellular"),
        await client.post("/api/observation"),
    ]:
        assert response.status_code == 200


async def test_reboot_keeps_persistent_and_clears_ephemeral(
    client: httpx.AsyncClient, thread: ThreadServer
) -> None:
    """After a reboot the cloud connection and stored config remain; the LED is red again."""
    await _configure_everything(client)
    boots = thread.state.boots
    assert (await client.post("/_sim/reboot")).status_code == 200
    assert thread.state.boots == boots + 1
    assert (await client.get("/api/cloudConnection")).json() == {"value": False}
    assert thread.state.ephemeral.accessible is False
    assert thread.state.ephemeral.led_flashes == 0
    assert thread.state.led_color == "red"
    assert (await client.get("/api/batterySaver")).json() == {"value": True, "low": 20, "high": 80}
    assert (await client.get("/api/interfacePriority")).json() == {"content": "ppp0"}
    assert (await client.get("/api/configure?port=2")).json()["BAUD_RATE"] == 19200
    assert (await client.get("/api/deviceConnection?port=2")).json() == {"value": True}
    port = thread.state.port(2)
    assert port.mode.value == "RS485" and int(port.voltage) == 2
    assert (await client.get("/api/timeAccurate")).json() == {"value": False}


async def test_reboot_keeps_the_clock(client: httpx.AsyncClient) -> None:
    """The RTC survives a reboot: a time set before is still (about) the time after."""
    await client.post("/api/time", json={"time": "2030-01-02T03:04:05.000Z"})
    await client.post("/_sim/reboot")
    assert (await client.get("/api/time")).json()["time"].startswith("2030-01-02T03:04:0")


async def test_factory_reset_restores_defaults(
    client: httpx.AsyncClient, thread: ThreadServer
) -> None:
    """A factory reset clears persistent settings too: cloud connection back to true, ports off."""
    await _configure_everything(client)
    assert (await client.post("/_sim/factory-reset")).status_code == 200
    assert (await client.get("/api/cloudConnection")).json() == {"value": True}
    assert (await client.get("/api/batterySaver")).json() == {"value": False, "low": 0, "high": 100}
    assert (await client.get("/api/interfacePriority")).json() == {"content": "eth0"}
    assert (await client.get("/api/configure?port=2")).json()["BAUD_RATE"] == 9600
    assert (await client.get("/api/deviceConnection?port=2")).json() == {"value": False}
    assert thread.state.port(2).mode.value == "OFF"
    assert thread.state.ephemeral.accessible is False


async def test_reboot_with_down_time_is_unreachable(client: httpx.AsyncClient) -> None:
    """A reboot that takes time resets API connections until it is over."""
    await client.post("/_sim/reboot", json={"seconds": 0.3})
    with pytest.raises(httpx.TransportError):
        await client.get("/api/version")
    assert (await wait_reachable(client)).status_code == 200


async def test_update_takes_the_api_away_then_reports_latest(client: httpx.AsyncClient) -> None:
    """POST update answers, the API is away for the restart time, then the latest version shows."""
    started = time.monotonic()
    answer = await client.post("/api/update")
    assert answer.status_code == 200
    assert answer.json() == {"value": "updating", "version": "7.19.0"}
    with pytest.raises(httpx.TransportError):
        await client.get("/api/version")
    state = (await client.get("/_sim/state")).json()  # control stays reachable
    assert state["reachable"] is False and state["down_reason"] == "updating"
    back = await wait_reachable(client)
    assert time.monotonic() - started >= 0.3
    assert back.json() == {"value": "7.19.0"}


async def test_update_to_a_given_version(client: httpx.AsyncClient) -> None:
    """?version=V installs V."""
    assert (await client.post("/api/update?version=7.20.1")).json()["version"] == "7.20.1"
    assert (await wait_reachable(client)).json() == {"value": "7.20.1"}


async def test_update_from_a_local_file(client: httpx.AsyncClient, thread: ThreadServer) -> None:
    """?file=/abs/name-1.2.3.jar installs 1.2.3 and records where it came from."""
    answer = await client.post("/api/update", params={"file": "/tmp/snoopy-1.2.3.jar"})
    assert answer.json()["version"] == "1.2.3"
    assert (await wait_reachable(client)).json() == {"value": "1.2.3"}
    assert thread.device.updates[-1]["source"] == "/tmp/snoopy-1.2.3.jar"
    assert thread.device.updates[-1]["done"] is True


async def test_update_drops_port_streams(client: httpx.AsyncClient, thread: ThreadServer) -> None:
    """An update drops the port WebSockets, and new ones are refused until it is over."""
    async with connect(thread.ws_url + "/ws/port/1") as ws:
        await client.post("/api/update")
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 1.0)
    with pytest.raises(Exception):  # noqa: B017 - any handshake failure will do
        async with connect(thread.ws_url + "/ws/port/1", open_timeout=1.0):
            pass
    await wait_reachable(client)
    async with connect(thread.ws_url + "/ws/port/1") as ws:
        assert ws.state.name == "OPEN"


async def test_sleep_is_unreachable_then_back(client: httpx.AsyncClient) -> None:
    """POST sleep answers, the device is away for the duration, then answers again unchanged."""
    await client.put("/api/cloudConnection", json={"value": False})
    started = time.monotonic()
    assert (await client.post("/api/sleep", json={"duration": 300})).json() == {"duration": 300}
    with pytest.raises(httpx.TransportError):
        await client.get("/api/serialNumber")
    assert (await wait_reachable(client, "/api/cloudConnection")).json() == {"value": False}
    assert time.monotonic() - started >= 0.3


async def test_update_restart_time_from_scenario() -> None:
    """Without a constructor override the scenario's update_restart_s applies."""
    async with fast_server(update_restart_s=None) as server:
        assert server.device.update_restart_s == 5.0
