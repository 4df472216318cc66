"""Port WebSocket streams against the simulator: data, garbling, sending, reconnects and gaps."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator

import httpx
import pytest

from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.port_stream import EdgePortStream, port_stream_url
from commissioner.core.edge.rules import PortMode, PortVoltage
from commissioner.core.streams.base import Gap, StreamListener, StreamNotConnected, StreamState
from commissioner.sim.server import ThreadServer

CSV_LINE = re.compile(rb"-?\d+\.\d+,-?\d+\.\d+,-?\d+\.\d+\r\n")


class Recorder(StreamListener):
    def __init__(self) -> None:
        self.data = bytearray()
        self.gaps: list[Gap] = []
        self.states: list[StreamState] = []
        self.sent = bytearray()
        self.arrived = asyncio.Event()

    def on_bytes(self, data: bytes, timestamp: float) -> None:
        self.data += data
        self.arrived.set()

    def on_sent(self, data: bytes, timestamp: float) -> None:
        self.sent += data

    def on_gap(self, gap: Gap) -> None:
        self.gaps.append(gap)

    def on_state(self, state: StreamState, detail: str) -> None:
        self.states.append(state)

    async def wait_for(self, pattern: re.Pattern[bytes], timeout_s: float = 3.0) -> re.Match[bytes]:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            match = pattern.search(bytes(self.data))
            if match:
                return match
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"{pattern.pattern!r} not seen in {bytes(self.data)[-200:]!r}")
            self.arrived.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.arrived.wait(), remaining)


async def _power_up(client: EdgeClient, port: int, mode: PortMode) -> None:
    await client.set_port_mode(port, mode)
    await client.set_port_voltage(port, PortVoltage.V12)
    await client.set_device_connection(port, True)


@pytest.fixture
async def stream1(thread: ThreadServer) -> AsyncIterator[tuple[EdgePortStream, Recorder]]:
    stream = EdgePortStream(thread.url, 1, backoff_initial_s=0.05, backoff_max_s=0.2)
    recorder = Recorder()
    stream.add_listener(recorder)
    stream.start()
    assert await stream.wait_connected(3.0)
    yield stream, recorder
    await stream.aclose()


def test_stream_url() -> None:
    """The WebSocket URI is ws://<thread>/ws/port/N, wss for https."""
    assert port_stream_url("http://127.0.0.1:8080", 2) == "ws://127.0.0.1:8080/ws/port/2"
    assert port_stream_url("https://127.0.0.1", 3) == "wss://127.0.0.1/ws/port/3"


async def test_configured_port_streams_csv_lines(
    client: EdgeClient, stream1: tuple[EdgePortStream, Recorder]
) -> None:
    """RS-232 mode, 12 V and device connection on: the weather probe's CSV lines arrive intact."""
    stream, recorder = stream1
    await _power_up(client, 1, PortMode.RS232)
    await recorder.wait_for(re.compile(rb"(" + CSV_LINE.pattern + rb"){3}"))
    assert stream.counters.bytes_in == len(recorder.data)
    assert stream.counters.messages_in >= 3


@pytest.mark.parametrize("missing", ["mode", "voltage", "device_connection", "comm_type"])
async def test_no_data_unless_port_configured_right(
    client: EdgeClient, stream1: tuple[EdgePortStream, Recorder], missing: str
) -> None:
    """Without the right mode, supply, device connection or COMM_TYPE the sensor stays silent."""
    _, recorder = stream1
    await client.set_port_mode(1, PortMode.RS485 if missing == "mode" else PortMode.RS232)
    if missing != "voltage":
        await client.set_port_voltage(1, PortVoltage.V12)
    if missing != "device_connection":
        await client.set_device_connection(1, True)
    if missing == "comm_type":
        await client.set_port_properties(1, {"COMM_TYPE": "RS485"})
    await asyncio.sleep(0.4)
    assert bytes(recorder.data) == b""


async def test_wrong_baud_rate_garbles_bytes(
    client: EdgeClient, stream1: tuple[EdgePortStream, Recorder]
) -> None:
    """At 19200 baud a 9600-baud sensor's bytes arrive, but garbled, as from a real UART."""
    _, recorder = stream1
    await client.set_port_properties(1, {"BAUD_RATE": 19200})
    await _power_up(client, 1, PortMode.RS232)
    await asyncio.sleep(0.5)
    assert len(recorder.data) > 0
    assert not CSV_LINE.search(bytes(recorder.data))
    recorder.data.clear()
    await client.set_port_properties(1, {"BAUD_RATE": 9600})
    await recorder.wait_for(re.compile(rb"\n" + CSV_LINE.pattern))


async def test_rs485_request_response_over_websocket_and_message(
    thread: ThreadServer, client: EdgeClient
) -> None:
    """The RS-485 transducer answers a request sent on the port stream and via POST message."""
    await client.set_port_properties(2, {"BAUD_RATE": 19200})
    await _power_up(client, 2, PortMode.RS485)
    stream = EdgePortStream(thread.url, 2)
    recorder = Recorder()
    stream.add_listener(recorder)
    stream.start()
    try:
        assert await stream.wait_connected(3.0)
        await stream.send(b"01R\r\n")
        await recorder.wait_for(re.compile(rb"01,[+-]\d+\.\d+,mm\r\n"))
        assert bytes(recorder.sent) == b"01R\r\n"
        assert stream.counters.bytes_out == 5
        recorder.data.clear()
        await client.send_message(2, "01R\r\n")
        await recorder.wait_for(re.compile(rb"01,[+-]\d+\.\d+,mm\r\n"))
    finally:
        await stream.aclose()


async def test_reconnect_marks_gap_and_data_resumes(
    client: EdgeClient, control: httpx.AsyncClient, stream1: tuple[EdgePortStream, Recorder]
) -> None:
    """When the THREAD drops the socket the stream reconnects, records the gap and data resumes."""
    stream, recorder = stream1
    await _power_up(client, 1, PortMode.RS232)
    await recorder.wait_for(CSV_LINE)
    (await control.post("/_sim/drop-websockets")).raise_for_status()
    for _ in range(60):
        if recorder.gaps:
            break
        await asyncio.sleep(0.05)
    assert len(recorder.gaps) == 1
    gap = recorder.gaps[0]
    assert gap.end >= gap.start and gap.duration_s < 2.0
    assert stream.counters.reconnects == 1 and stream.counters.gaps == 1
    assert StreamState.RECONNECTING in recorder.states
    recorder.data.clear()
    await recorder.wait_for(CSV_LINE)


async def test_unreachable_period_is_one_gap(
    client: EdgeClient, control: httpx.AsyncClient, stream1: tuple[EdgePortStream, Recorder]
) -> None:
    """While the THREAD is unreachable the stream keeps retrying; coming back closes one gap."""
    stream, recorder = stream1
    (await control.post("/_sim/unreachable", json={"seconds": 0.5})).raise_for_status()
    for _ in range(80):
        if recorder.gaps:
            break
        await asyncio.sleep(0.05)
    assert len(recorder.gaps) == 1
    assert recorder.gaps[0].duration_s >= 0.3
    assert stream.connected


async def test_send_while_down_is_refused(thread: ThreadServer) -> None:
    """Sending before the link is up raises StreamNotConnected rather than losing the bytes."""
    stream = EdgePortStream(thread.url, 1)
    with pytest.raises(StreamNotConnected):
        await stream.send(b"x")
    await stream.aclose()
    assert stream.state is StreamState.CLOSED
