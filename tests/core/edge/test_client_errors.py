"""Typed errors, read-only retries and validate-before-send, against the simulator's fault knobs."""

from __future__ import annotations

import socket
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.errors import (
    EdgeMalformedResponse,
    EdgeRejected,
    EdgeTimeout,
    EdgeUnreachable,
    EdgeValidationError,
)
from commissioner.core.edge.transport import Exchange


def _closed_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _set_faults(control: httpx.AsyncClient, **faults: Any) -> None:
    response = await control.put("/_sim/faults", json=faults)
    response.raise_for_status()


async def test_unreachable_is_typed_and_reads_are_retried() -> None:
    """Nothing listening: EdgeUnreachable after the read was tried 1 + retries times."""
    seen: list[Exchange] = []
    url = f"http://127.0.0.1:{_closed_port()}"
    async with EdgeClient(
        url, read_retries=2, retry_backoff_s=0.01, on_exchange=seen.append
    ) as edge:
        with pytest.raises(EdgeUnreachable) as info:
            await edge.serial_number()
    assert "unreachable" in str(info.value)
    assert [e.attempt for e in seen] == [1, 2, 3]


async def test_writes_are_never_retried() -> None:
    """A failed write is reported at once, never repeated: repeating could change the THREAD twice."""
    seen: list[Exchange] = []
    url = f"http://127.0.0.1:{_closed_port()}"
    async with EdgeClient(
        url, read_retries=2, retry_backoff_s=0.01, on_exchange=seen.append
    ) as edge:
        with pytest.raises(EdgeUnreachable):
            await edge.set_port_voltage(1, 1)
    assert len(seen) == 1


async def test_timeout(client: EdgeClient, control: httpx.AsyncClient) -> None:
    """Added latency beyond the call's timeout gives EdgeTimeout."""
    await _set_faults(control, latency_ms=800)
    client.transport.read_retries = 0
    async with EdgeClient(client.base_url, timeout_s=0.2, read_retries=0) as fast:
        with pytest.raises(EdgeTimeout) as info:
            await fast.serial_number()
    assert "0.2 s" in str(info.value)


async def test_http_500_rejected_after_read_retries(
    client: EdgeClient, control: httpx.AsyncClient, exchanges: list[Exchange]
) -> None:
    """HTTP 500 on every answer: reads retried then EdgeRejected with status; writes tried once."""
    await _set_faults(control, error_rate=1.0)
    with pytest.raises(EdgeRejected) as info:
        await client.temperature()
    assert info.value.status == 500
    assert len(exchanges) == 3
    exchanges.clear()
    with pytest.raises(EdgeRejected):
        await client.set_cloud_connection(False)
    assert len(exchanges) == 1


async def test_malformed_json(client: EdgeClient, control: httpx.AsyncClient) -> None:
    """A 200 answer whose body is not JSON gives EdgeMalformedResponse, never a crash."""
    await _set_faults(control, malformed_rate=1.0)
    with pytest.raises(EdgeMalformedResponse) as info:
        await client.battery_voltage()
    assert "not JSON" in str(info.value)


async def test_device_rejection_carries_status_and_body(client: EdgeClient) -> None:
    """The THREAD's own 400 for bad input reaches the caller with its status and reason."""
    with pytest.raises(EdgeRejected) as info:
        await client.transport.request("POST", "deviceVoltage", body={"portNumber": 1, "value": 7})
    assert info.value.status == 400
    assert "value" in info.value.detail or "voltage" in info.value.detail


async def test_wrong_shape_is_malformed(client: EdgeClient, control: httpx.AsyncClient) -> None:
    """A known path answering something that is not the documented shape is reported as malformed."""
    from commissioner.core.edge import decode

    with pytest.raises(EdgeMalformedResponse):
        decode.number("u", {"value": "abc"})
    with pytest.raises(EdgeMalformedResponse):
        decode.boolean("u", {"value": 5})
    with pytest.raises(EdgeMalformedResponse):
        decode.mapping("u", [1, 2])
    assert decode.number("u", 3.5) == 3.5
    assert decode.boolean("u", {"value": "true"}) is True


Call = Callable[[EdgeClient], Awaitable[object]]

INVALID_CALLS: list[tuple[str, Call]] = [
    ("port 4", lambda c: c.port_adc(4, 0)),
    ("option 2", lambda c: c.port_adc(1, 2)),
    ("voltage 3", lambda c: c.set_port_voltage(1, 3)),
    ("port 0 voltage", lambda c: c.set_port_voltage(0, 1)),
    ("USB on port 2", lambda c: c.set_port_mode(2, "USB")),
    ("unknown mode", lambda c: c.set_port_mode(1, "SPI")),
    ("saver low 41", lambda c: c.set_battery_saver(True, 41, 80)),
    ("saver high 59", lambda c: c.set_battery_saver(True, 20, 59)),
    ("saver low only", lambda c: c.set_battery_saver(True, 20, None)),
    ("baud 9601", lambda c: c.set_port_properties(1, {"BAUD_RATE": 9601})),
    ("data bits 9", lambda c: c.set_port_properties(1, {"DATA_BITS": 9})),
    ("parity", lambda c: c.set_port_properties(1, {"PARITY_BIT": "HIGH"})),
    ("delimiter", lambda c: c.set_port_properties(1, {"DELIMITERS_HEX": ["XYZ"]})),
    ("COMM_TYPE USB port 3", lambda c: c.set_port_properties(3, {"COMM_TYPE": "USB"})),
    ("HOST port 2", lambda c: c.set_port_properties(2, {"HOST": "127.0.0.1"})),
    ("PORT range", lambda c: c.set_port_properties(1, {"PORT": 0})),
    ("unknown property", lambda c: c.set_port_properties(1, {"SPEED": 1})),
    ("delete unknown", lambda c: c.delete_port_properties(1, ["SPEED"])),
    ("sleep 0", lambda c: c.sleep(0)),
    ("empty message", lambda c: c.send_message(1, "")),
    ("message port 5", lambda c: c.send_message(5, "hi")),
    ("420 port 9", lambda c: c.loop_current_420(9)),
    ("config port 4", lambda c: c.get_port_properties(4)),
    ("device connection port 0", lambda c: c.set_device_connection(0, True)),
    ("update bad version", lambda c: c.update(version="latest")),
    ("update relative file", lambda c: c.update(file="snoopy.jar")),
    ("update both", lambda c: c.update(version="7.1.0", file="/tmp/a-7.1.0.jar")),
    ("interface", lambda c: c.prioritise_interface("wifi")),
]


@pytest.mark.parametrize(
    ("label", "call"), INVALID_CALLS, ids=[label for label, _ in INVALID_CALLS]
)
async def test_invalid_input_raises_and_sends_nothing(
    client: EdgeClient, exchanges: list[Exchange], label: str, call: Call
) -> None:
    """Every documented rule is checked before sending: a typed error, and no request at all."""
    with pytest.raises(EdgeValidationError) as info:
        await call(client)
    assert info.value.field and info.value.message
    assert exchanges == []
