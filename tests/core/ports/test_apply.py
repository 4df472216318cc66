"""Apply and verify against a simulated THREAD over loopback: what lands, what fails, what is kept."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.errors import EdgeRejected, EdgeUnreachable
from commissioner.core.edge.rules import PortMode, PortVoltage
from commissioner.core.ports.apply import StepEvent, StepStatus, Verdict
from commissioner.core.ports.device_state import AppliedMemory, Source
from commissioner.core.ports.fields import PortField
from commissioner.core.ports.workspace import PortsWorkspace
from commissioner.sim.faults import Faults
from commissioner.sim.server import ThreadServer

F = PortField


async def sim_port(control: httpx.AsyncClient, port: int) -> dict[str, Any]:
    state = (await control.get("/_sim/state")).json()
    ports: dict[str, Any] = state["persistent"]["ports"]
    return dict(ports[str(port)])


async def workspace_for(client: EdgeClient, thread: ThreadServer) -> PortsWorkspace:
    ws = PortsWorkspace()
    ws.set_serial(thread.serial_number)
    await ws.refresh(client)
    return ws


async def test_apply_sets_and_verifies_every_field(
    client: EdgeClient, thread: ThreadServer, control: httpx.AsyncClient
) -> None:
    """Port 1 RS232 / 12 V / 9600 / delimiters / connection on, port 3 ANALOG: all land, verified."""
    ws = await workspace_for(client, thread)
    for field, value in {
        F.MODE: "RS232",
        F.VOLTAGE: PortVoltage.V12,
        F.BAUD_RATE: 19200,
        F.DELIMITERS_HEX: "0D0A, 0D",
        F.DEVICE_CONNECTION: True,
    }.items():
        ws.stage(1, field, value)
    ws.stage(3, F.MODE, PortMode.ANALOG)
    assert ws.blocked_reason(usable=True) is None
    events: list[StepEvent] = []
    report = await ws.apply(client, settle_s=0, on_progress=events.append)
    assert report.failure is None and report.ok, report.summary()
    v1 = report.verdicts[1]
    assert {f: v.verdict for f, v in v1.items()} == {
        F.MODE: Verdict.VERIFIED,
        F.VOLTAGE: Verdict.VERIFIED,
        F.BAUD_RATE: Verdict.VERIFIED,
        F.DELIMITERS_HEX: Verdict.VERIFIED,
        F.DEVICE_CONNECTION: Verdict.VERIFIED,
    }
    assert "measured 1" in v1[F.VOLTAGE].message
    assert report.verdicts[3][F.MODE].verdict is Verdict.ACCEPTED
    assert [e.status for e in events].count(StepStatus.DONE) == len(report.plan)
    port1 = await sim_port(control, 1)
    assert port1["mode"] == "RS232" and port1["voltage"] == 1 and port1["device_connection"]
    assert port1["properties"]["BAUD_RATE"] == 19200
    assert port1["properties"]["DELIMITERS_HEX"] == ["0D0A", "0D"]
    assert (await sim_port(control, 3))["mode"] == "ANALOG"
    assert not ws.has_edits
    device1 = ws.devices[1]
    assert device1 is not None
    assert device1.mode.source is Source.LAST_APPLIED
    assert device1.voltage.source is Source.INFERRED


async def test_removal_is_verified_gone(
    client: EdgeClient, thread: ThreadServer, control: httpx.AsyncClient
) -> None:
    """A removed property is deleted on the THREAD and verified absent."""
    ws = await workspace_for(client, thread)
    ws.remove(2, F.DELIMITERS_HEX)
    report = await ws.apply(client, settle_s=0, on_progress=None)
    assert report.verdicts[2][F.DELIMITERS_HEX].verdict is Verdict.VERIFIED
    assert "DELIMITERS_HEX" not in (await sim_port(control, 2))["properties"]


async def test_failure_stops_with_the_threads_answer(
    client: EdgeClient, thread: ThreadServer, control: httpx.AsyncClient
) -> None:
    """The THREAD failing midway stops the plan; its answer is on the field; edits are kept."""
    await client.set_device_connection(1, True)
    ws = await workspace_for(client, thread)
    ws.stage(1, F.BAUD_RATE, 19200)
    ws.stage(1, F.VOLTAGE, PortVoltage.V12)

    def break_at_put(event: StepEvent) -> None:
        if event.index == 1 and event.status is StepStatus.RUNNING:
            thread.device.set_faults(Faults(error_rate=1.0))

    report = await ws.apply(client, settle_s=0, on_progress=break_at_put)
    thread.device.set_faults(Faults())
    assert isinstance(report.failure, EdgeRejected)
    assert report.statuses == [
        StepStatus.DONE,
        StepStatus.FAILED,
        StepStatus.PENDING,
        StepStatus.PENDING,
    ]
    assert [s.description for s in report.steps_run] == [
        "Port 1: turn the device connection off for the change"
    ]
    baud = report.verdicts[1][F.BAUD_RATE]
    assert baud.verdict is Verdict.FAILED and "simulated internal fault" in baud.message
    assert report.verdicts[1][F.VOLTAGE].verdict is Verdict.NOT_SENT
    assert "Stopped at" in report.summary()
    # What did not land stays staged, and the connection turned off for the change is staged on.
    edits = ws.stagings[1].edits
    assert edits[F.BAUD_RATE] == 19200 and edits[F.VOLTAGE] is PortVoltage.V12
    assert edits[F.DEVICE_CONNECTION] is True
    port1 = await sim_port(control, 1)
    assert port1["device_connection"] is False and port1["properties"]["BAUD_RATE"] == 9600


async def test_unreachable_midway_keeps_edits(
    client: EdgeClient, thread: ThreadServer, control: httpx.AsyncClient
) -> None:
    """The THREAD vanishing after the first step: unreachable reported, nothing read, edits kept."""
    ws = await workspace_for(client, thread)
    ws.stage(2, F.MODE, "RS485")
    ws.stage(2, F.VOLTAGE, 1)

    def vanish(event: StepEvent) -> None:
        if event.index == 1 and event.status is StepStatus.RUNNING:
            thread.device.go_down(0.3, "test")

    report = await ws.apply(client, settle_s=0, on_progress=vanish)
    assert isinstance(report.failure, EdgeUnreachable)
    assert report.devices == {}
    assert report.verdicts[2][F.COMM_TYPE].verdict is Verdict.UNVERIFIED
    assert report.verdicts[2][F.MODE].verdict is Verdict.FAILED
    assert "Apply again" in report.verdicts[2][F.MODE].message
    assert set(ws.stagings[2].edits) == {F.MODE, F.VOLTAGE}


async def test_voltage_outside_tolerance_fails(client: EdgeClient, thread: ThreadServer) -> None:
    """A port that does not reach its nominal voltage is reported failed with the measurement."""
    from commissioner.core.ports.apply import PortApplier

    ws = await workspace_for(client, thread)
    ws.stage(1, F.VOLTAGE, PortVoltage.V15)
    applier = PortApplier(client, memory=ws.memory, serial=ws.serial, settle_s=0, tolerance_v=1e-6)
    report = await applier.apply(ws.plan(), ws.reviews())
    verdict = report.verdicts[1][F.VOLTAGE]
    assert verdict.verdict is Verdict.FAILED
    assert "expected 15 V" in verdict.message


async def test_memory_is_per_thread_serial(client: EdgeClient, thread: ThreadServer) -> None:
    """The mode this app applied is remembered for this THREAD only."""
    memory = AppliedMemory()
    ws = PortsWorkspace(memory)
    ws.set_serial(thread.serial_number)
    await ws.refresh(client)
    ws.stage(2, F.MODE, "RS485")
    await ws.apply(client, settle_s=0, on_progress=None)
    again = PortsWorkspace(AppliedMemory.from_json(memory.as_json()))
    again.set_serial(thread.serial_number)
    await again.refresh(client, [2])
    state = again.devices[2]
    assert state is not None and state.mode.value is PortMode.RS485
    other = PortsWorkspace(memory)
    other.set_serial("ABCDEF")
    await other.refresh(client, [2])
    assert other.devices[2] is not None and other.devices[2].mode.source is Source.UNKNOWN


async def test_cancel_keeps_edits_and_restores_connection(
    client: EdgeClient, thread: ThreadServer, control: httpx.AsyncClient
) -> None:
    """Cancelling after the connection went off: edits stay, and turning it back on is staged."""
    await client.set_device_connection(3, True)
    ws = await workspace_for(client, thread)
    ws.stage(3, F.VOLTAGE, 1)
    started = asyncio.Event()

    def on_step(event: StepEvent) -> None:
        if event.index == 1 and event.status is StepStatus.RUNNING:
            thread.device.set_faults(Faults(latency_ms=400))
            started.set()

    task = asyncio.ensure_future(ws.apply(client, settle_s=0, on_progress=on_step))
    await asyncio.wait_for(started.wait(), 2)
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    thread.device.set_faults(Faults())
    assert ws.stagings[3].edits == {F.VOLTAGE: 1, F.DEVICE_CONNECTION: True}
    assert (await sim_port(control, 3))["device_connection"] is False
