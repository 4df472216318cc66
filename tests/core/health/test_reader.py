"""Reading every health value from a simulated THREAD: concurrently, per value, in the right units."""

from __future__ import annotations

import httpx
import pytest

from commissioner.core.edge.client import EdgeClient
from commissioner.core.health import SPECS, read_snapshot
from commissioner.core.health import readings as R
from commissioner.core.health.readings import Reading, merge
from commissioner.sim.server import ThreadServer
from tests.core.edge.conftest import fast_scenario
from tests.core.health.conftest import CountingTransport


async def test_snapshot_reads_every_value_concurrently(
    client: EdgeClient, control: httpx.AsyncClient, transport: CountingTransport
) -> None:
    """All 17 values arrive in one round; with 150 ms latency they are all in flight together."""
    await control.put("/_sim/faults", json={"latency_ms": 150})
    snapshot = await read_snapshot(client)
    state = (await control.get("/_sim/state")).json()

    assert set(snapshot.readings) == set(SPECS)
    assert snapshot.failed == ()
    assert transport.max_in_flight >= 15
    soc = snapshot[R.BATTERY_SOC]
    assert soc.unit == "%" and soc.number == pytest.approx(state["power"]["state_of_charge"], abs=1)
    temperature = state["environment"]["temperature_c"]
    assert snapshot[R.TEMPERATURE].number == pytest.approx(temperature, abs=1)
    pressure = snapshot[R.PRESSURE]
    assert pressure.unit == "hPa" and pressure.number == pytest.approx(1013.25, abs=5)
    assert "daPa" in pressure.detail and "V12" in pressure.detail
    clock = snapshot[R.CLOCK]
    assert clock.number == pytest.approx(-95, abs=3) and clock.text.endswith("behind")
    assert snapshot[R.TIME_ACCURATE].value is True
    route = state["persistent"]["interface_priority"]
    assert snapshot[R.INTERFACE_PRIORITY].detail == f"default route {route}"
    assert snapshot[R.CLOUD_CONNECTION].value is state["persistent"]["cloud_connection"]
    assert snapshot[R.BATTERY_SAVER].value is state["persistent"]["battery_saver"]["value"]
    for port in R.PORTS:
        assert snapshot[R.port_voltage_key(port)].unit == "V"
        assert snapshot[R.port_current_key(port)].number is not None
    assert all(r.read_at == snapshot.finished_at for r in snapshot.readings.values())


async def test_one_failing_read_marks_only_that_value(thread: ThreadServer) -> None:
    """A temperature sensor fault fails the temperature, and nothing else."""
    transport = CountingTransport(fail={"/api/tempRead"})
    async with EdgeClient(thread.url, retry_backoff_s=0.01, http_transport=transport) as client:
        snapshot = await read_snapshot(client)
    failed = snapshot.failed
    assert [r.key for r in failed] == [R.TEMPERATURE]
    temperature = snapshot[R.TEMPERATURE]
    assert temperature.value is None and temperature.error_short == "HTTP 500"
    assert "simulated sensor fault" in (temperature.error or "")
    assert len(snapshot.errors) == 1
    assert snapshot[R.BATTERY_V].has_value and snapshot[R.PRESSURE].has_value


async def test_unreachable_thread_fails_every_value_without_raising(
    client: EdgeClient, control: httpx.AsyncClient
) -> None:
    """A THREAD that is away gives a snapshot of failures, each saying it is unreachable."""
    await control.post("/_sim/unreachable", json={"seconds": 5})
    snapshot = await read_snapshot(client)
    assert snapshot.all_failed
    assert {r.error_short for r in snapshot.readings.values()} == {"THREAD unreachable"}


async def test_v11_pressure_shown_in_hpa_with_raw_unit_noted() -> None:
    """V11 hardware reports hPa; the reading is still hPa, and says what the device sent."""
    async with ThreadServer(fast_scenario("v11")) as server, EdgeClient(server.url) as client:
        snapshot = await read_snapshot(client)
    pressure = snapshot[R.PRESSURE]
    assert pressure.number == pytest.approx(1004.8, abs=5)
    assert pressure.detail.endswith("hPa") and "V11" in pressure.detail


def test_failed_read_keeps_last_good_value() -> None:
    """Merging a failure over a good value keeps the value and its read time, adds the error."""
    good = Reading("battery_v", "Battery voltage", "V", 12.9, "12.90", read_at=10.0)
    failure = Reading(
        "battery_v", "Battery voltage", "V", attempted_at=20.0, error="x", error_short="HTTP 500"
    )
    merged = merge(good, failure)
    assert merged.value == 12.9 and merged.read_at == 10.0
    assert merged.failed and merged.attempted_at == 20.0 and merged.error_short == "HTTP 500"
    assert merge(None, failure) is failure
    assert merge(merged, good) is good
    assert merged.age(25.0) == 15.0 and merged.display() == "12.90 V"
