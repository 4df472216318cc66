"""Port physics over real WebSockets: gates, garbling, RS-485 polling, analog and ADC readings."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from commissioner.sim.scenario import load_scenario
from commissioner.sim.server import ThreadServer
from tests.sim.helpers import fast_server, nothing_within, recv, setup_port

CSV_LINE = re.compile(rb"^\d+\.\d\d,\d+\.\d\d,\d+\.\d\r\n$")
READING = re.compile(rb"^01,[+-]\d+\.\d{3},mm\r\n$")


async def test_clean_framing_gives_exact_csv_lines(
    client: httpx.AsyncClient, thread: ThreadServer
) -> None:
    """At 9600 8N1 with mode, 12 V and device connection on, each message is one exact line."""
    await setup_port(client, 1, "RS232")
    async with connect(thread.ws_url + "/ws/port/1") as ws:
        for _ in range(3):
            assert CSV_LINE.match(await recv(ws))


@pytest.mark.parametrize(
    ("mode", "voltage", "connect_device", "properties"),
    [
        ("OFF", 1, True, {}),
        ("RS485", 1, True, {}),
        ("RS232", 0, True, {}),
        ("RS232", 1, False, {}),
        ("RS232", 1, True, {"COMM_TYPE": "RS485"}),
    ],
    ids=["mode-off", "wrong-mode", "no-power", "no-device-connection", "wrong-comm-type"],
)
async def test_no_data_unless_every_gate_is_open(
    client: httpx.AsyncClient,
    thread: ThreadServer,
    mode: str,
    voltage: int,
    connect_device: bool,
    properties: dict[str, Any],
) -> None:
    """Mode, supply, device connection and COMM_TYPE must all be right before bytes flow."""
    await setup_port(client, 1, mode, voltage=voltage, connect=connect_device, **properties)
    async with connect(thread.ws_url + "/ws/port/1") as ws:
        assert await nothing_within(ws)
    assert thread.device.links[1].blocked_by() is not None
    state = (await client.get("/_sim/state")).json()
    assert state["ports"]["1"]["data_blocked_by"]


async def test_data_starts_when_the_last_gate_opens(
    client: httpx.AsyncClient, thread: ThreadServer
) -> None:
    """Enabling the device connection last makes the stream start."""
    await setup_port(client, 1, "RS232", connect=False)
    async with connect(thread.ws_url + "/ws/port/1") as ws:
        assert await nothing_within(ws, 0.15)
        await client.put("/api/deviceConnection?port=1", json={"value": True})
        assert CSV_LINE.match(await recv(ws))


async def test_analog_sensor_over_its_maximum_supply_reads_open(client: httpx.AsyncClient) -> None:
    """The 12 V-only loop transmitter at 15 V does not work: the open-loop value is read."""
    await setup_port(client, 3, "ANALOG", voltage=2)
    value = (await client.get("/api/deviceAdcRead420?port=3")).json()["value"]
    assert value < 0.001


async def test_serial_sensor_over_its_maximum_supply_is_silent() -> None:
    """A serial sensor rated 12 V only sends nothing at 15 V, and says why in /_sim/state."""
    scenario = load_scenario("default")
    probe = dataclasses.replace(scenario.sensors[0], max_supply_v=12.0)
    scenario = dataclasses.replace(scenario, sensors=(probe, *scenario.sensors[1:]))
    async with (
        fast_server(scenario=scenario) as server,
        httpx.AsyncClient(base_url=server.url, trust_env=False) as http,
    ):
        await setup_port(http, 1, "RS232", voltage=2)
        async with connect(server.ws_url + "/ws/port/1") as ws:
            assert await nothing_within(ws, 0.15)
        blocked = (await http.get("/_sim/state")).json()["ports"]["1"]["data_blocked_by"]
        assert "maximum" in blocked


@pytest.mark.parametrize(
    "properties",
    [{"BAUD_RATE": 19200}, {"BAUD_RATE": 4800}, {"DATA_BITS": 7}, {"PARITY_BIT": "EVEN"}],
    ids=["baud-19200", "baud-4800", "7-data-bits", "even-parity"],
)
async def test_wrong_framing_garbles(
    client: httpx.AsyncClient, thread: ThreadServer, properties: dict[str, Any]
) -> None:
    """At the wrong baud rate, data bits or parity the bytes arrive, but garbled."""
    await setup_port(client, 1, "RS232", **properties)
    async with connect(thread.ws_url + "/ws/port/1") as ws:
        for _ in range(3):
            chunk = await recv(ws)
            assert chunk and not CSV_LINE.match(chunk)


async def test_fixing_the_baud_rate_cleans_the_stream(
    client: httpx.AsyncClient, thread: ThreadServer
) -> None:
    """Garbage at 115200 turns into clean lines once BAUD_RATE is put back to 9600."""
    await setup_port(client, 1, "RS232", BAUD_RATE=115200)
    async with connect(thread.ws_url + "/ws/port/1") as ws:
        assert not CSV_LINE.match(await recv(ws))
        await client.put("/api/configure?port=1", json={"BAUD_RATE": 9600})
        for _ in range(5):  # a chunk already queued may still be garbled
            if CSV_LINE.match(await recv(ws)):
                break
        else:
            pytest.fail("no clean line after fixing the baud rate")


async def _setup_rs485(client: httpx.AsyncClient, baud: int = 19200) -> None:
    await setup_port(client, 2, "RS485", COMM_TYPE="RS485", BAUD_RATE=baud)


async def test_rs485_request_over_websocket(
    client: httpx.AsyncClient, thread: ThreadServer
) -> None:
    """Text or binary 01R CR LF sent on the stream gets a 01,+12.345,mm reading back."""
    await _setup_rs485(client)
    async with connect(thread.ws_url + "/ws/port/2") as ws:
        assert await nothing_within(ws, 0.1)  # silent until asked
        await ws.send("01R\r\n")
        reply = await recv(ws)
        assert READING.match(reply)
        assert 12.0 < float(reply.split(b",")[1]) < 12.7
        await ws.send(b"01I\r\n")
        assert await recv(ws) == b"01,SIM-DISP-485,1.0\r\n"
        await ws.send("01X\r\n")
        assert await recv(ws) == b"01,ERR\r\n"
        await ws.send("02R\r\n")  # another address on the bus
        assert await nothing_within(ws, 0.1)


async def test_rs485_request_via_post_message(
    client: httpx.AsyncClient, thread: ThreadServer
) -> None:
    """POST message with 01R CR LF makes the reply appear on every client of the port."""
    await _setup_rs485(client)
    async with (
        connect(thread.ws_url + "/ws/port/2") as first,
        connect(thread.ws_url + "/ws/port/2") as second,
    ):
        answer = await client.post("/api/message", json={"portNumber": 2, "message": "01R\r\n"})
        assert answer.status_code == 200
        assert READING.match(await recv(first))
        assert READING.match(await recv(second))


async def test_rs485_at_wrong_baud_gets_no_answer(
    client: httpx.AsyncClient, thread: ThreadServer
) -> None:
    """A request sent at 9600 reaches a 19200 sensor garbled, so it does not answer."""
    await _setup_rs485(client, baud=9600)
    async with connect(thread.ws_url + "/ws/port/2") as ws:
        await ws.send("01R\r\n")
        assert await nothing_within(ws, 0.2)
    assert thread.device.links[2].bytes_to_sensor > 0
    assert thread.device.links[2].sensor.requests_answered == 0  # type: ignore[union-attr]


async def test_multiple_clients_get_every_chunk(
    client: httpx.AsyncClient, thread: ThreadServer
) -> None:
    """Two clients of one port both receive the sensor's lines."""
    await setup_port(client, 1, "RS232")
    async with (
        connect(thread.ws_url + "/ws/port/1") as first,
        connect(thread.ws_url + "/ws/port/1") as second,
    ):
        assert CSV_LINE.match(await recv(first))
        assert CSV_LINE.match(await recv(second))
        assert thread.device.sockets.count(1) == 2


async def test_analog_loop_current(client: httpx.AsyncClient) -> None:
    """deviceAdcRead420 reads 4-20 mA (in A) when powered, the near-zero open value otherwise."""
    unpowered = (await client.get("/api/deviceAdcRead420?port=3")).json()["value"]
    assert -0.006 < unpowered < 0.001
    await setup_port(client, 3, "ANALOG", voltage=1)
    powered = (await client.get("/api/deviceAdcRead420?port=3")).json()["value"]
    assert 0.0038 <= powered <= 0.0205
    empty_port = (await client.get("/api/deviceAdcRead420?port=1")).json()["value"]
    assert empty_port < 0.001


async def test_port_voltage_and_current_follow_the_setting(client: httpx.AsyncClient) -> None:
    """deviceAdcRead: about 0 V off, about 12 V and 15 V on; current is the sensor's load."""

    async def adc(option: int) -> float:
        return float(
            (await client.get(f"/api/deviceAdcRead?port=1&option={option}")).json()["value"]
        )

    assert abs(await adc(0)) < 0.1 and abs(await adc(1)) < 0.002
    await client.post("/api/deviceVoltage", json={"portNumber": 1, "value": 1})
    assert 11.8 < await adc(0) < 12.1
    assert 0.030 < await adc(1) < 0.040  # the weather probe draws 35 mA
    await client.post("/api/deviceVoltage", json={"portNumber": 1, "value": 2})
    assert 14.8 < await adc(0) < 15.1
    await client.post("/api/deviceVoltage", json={"portNumber": 1, "value": 0})
    assert abs(await adc(0)) < 0.1


async def test_unplugged_sensor_is_silent(client: httpx.AsyncClient, thread: ThreadServer) -> None:
    """POST /_sim/sensor attached=false unplugs the sensor: no data, no load."""
    await setup_port(client, 1, "RS232")
    answer = await client.post("/_sim/sensor", json={"port": 1, "attached": False})
    assert answer.status_code == 200 and answer.json()["attached"] is False
    async with connect(thread.ws_url + "/ws/port/1") as ws:
        assert await nothing_within(ws, 0.15)
    current = (await client.get("/api/deviceAdcRead?port=1&option=1")).json()["value"]
    assert current < 0.002


async def test_sensor_interval_control(client: httpx.AsyncClient, thread: ThreadServer) -> None:
    """POST /_sim/sensor interval_s changes how often the sensor prints."""
    await setup_port(client, 1, "RS232")
    answer = await client.post("/_sim/sensor", json={"port": 1, "interval_s": 5})
    assert answer.json()["sensor"]["interval_s"] == 5
    async with connect(thread.ws_url + "/ws/port/1") as ws:
        assert await nothing_within(ws, 0.2)
        await client.post("/_sim/sensor", json={"port": 1, "interval_s": 0.02})
        assert CSV_LINE.match(await recv(ws))
    bad = await client.post("/_sim/sensor", json={"port": 1, "interval_s": 0})
    assert bad.status_code == 400


async def test_sent_bytes_count_even_without_sensor(
    client: httpx.AsyncClient, thread: ThreadServer
) -> None:
    """Bytes sent to a port with nothing listening are accepted and dropped, not an error."""
    async with connect(thread.ws_url + "/ws/port/3") as ws:
        await ws.send(b"hello")
        await asyncio.sleep(0.05)
    assert thread.device.links[3].bytes_from_clients == 5
    assert thread.device.links[3].bytes_to_sensor == 0


async def test_port_mode_sets_comm_type(client: httpx.AsyncClient, thread: ThreadServer) -> None:
    """deviceRsSel RS485 stores COMM_TYPE RS485; a different COMM_TYPE afterwards blocks data."""
    await client.put("/api/configure?port=2", json={"BAUD_RATE": 19200})
    await setup_port(client, 2, "RS485")
    assert (await client.get("/api/configure?port=2")).json()["COMM_TYPE"] == "RS485"
    assert thread.device.links[2].blocked_by() is None
    await client.put("/api/configure?port=2", json={"COMM_TYPE": "RS232"})
    assert "COMM_TYPE" in (thread.device.links[2].blocked_by() or "")
