"""Telemetry poller against a simulated THREAD: every numeric health value becomes a sample on
the wall clock, failed reads give no sample, the interval and pausing take effect."""

from __future__ import annotations

import asyncio
import time

import pytest

from commissioner.core.edge.client import EdgeClient
from commissioner.core.health import readings as R
from commissioner.core.health.readings import HealthSnapshot, Reading
from commissioner.core.streams.parsers import Sample
from commissioner.core.telemetry import (
    TELEMETRY_CHANNELS,
    TelemetryPoller,
    samples_from_snapshot,
    telemetry_channels,
)
from commissioner.sim.server import ThreadServer
from tests.core.health.conftest import CountingTransport, until


def _reading(key: str, value: float | bool | str | None, error: str | None = None) -> Reading:
    spec = R.SPECS[key]
    return Reading(key, spec.label, spec.unit, value=value, error=error)


def test_channels_cover_power_environment_and_each_port() -> None:
    """Twelve channels with units: six general values, then voltage and current per port."""
    names = [c.name for c in TELEMETRY_CHANNELS]
    assert names[:6] == [
        "Input voltage",
        "Input current",
        "Battery voltage",
        "State of charge",
        "Temperature",
        "Pressure",
    ]
    assert "Port 3 current" in names and len(names) == 12
    assert {c.unit for c in TELEMETRY_CHANNELS} == {"V", "A", "%", "°C", "hPa"}
    assert [c.name for c in telemetry_channels([2])][-2:] == ["Port 2 voltage", "Port 2 current"]
    assert TELEMETRY_CHANNELS[0].channel.unit == "V"


def test_snapshot_to_samples_skips_failures_and_non_numbers() -> None:
    """A failed read gives no sample (not the old value); booleans and text are not plotted."""
    readings = {
        R.BATTERY_V: _reading(R.BATTERY_V, 12.8),
        R.TEMPERATURE: _reading(R.TEMPERATURE, 21.0, error="HTTP 500"),
        R.BATTERY_SAVER: _reading(R.BATTERY_SAVER, True),
        R.PRESSURE: _reading(R.PRESSURE, 1013.2),
    }
    snapshot = HealthSnapshot(readings, 1.0, 2.0)
    samples = samples_from_snapshot(snapshot, TELEMETRY_CHANNELS, 1000.0)
    assert samples == [Sample("Battery voltage", 1000.0, 12.8), Sample("Pressure", 1000.0, 1013.2)]


async def test_polls_the_simulator_into_samples(client: EdgeClient) -> None:
    """Each round hands every channel's value on, stamped with the wall-clock end of the round."""
    poller = TelemetryPoller(lambda: client, interval_s=0.1)
    batches: list[list[Sample]] = []
    poller.add_sample_listener(batches.append)
    before = time.time()
    poller.resume()
    try:
        await until(lambda: len(batches) >= 2)
    finally:
        await poller.aclose()
    first = batches[0]
    assert [s.channel for s in first] == [c.name for c in TELEMETRY_CHANNELS]
    assert len({s.t for s in first}) == 1
    assert before - 0.5 < first[0].t <= time.time()
    assert batches[1][0].t > first[0].t
    values = {s.channel: s.value for s in first}
    assert 900 < values["Pressure"] < 1100
    assert 0 <= values["State of charge"] <= 100
    assert poller.samples >= 24 and poller.rounds >= 2


async def test_a_failed_read_drops_only_that_channel(thread: ThreadServer) -> None:
    """The temperature sensor failing leaves a gap in temperature only."""
    transport = CountingTransport(fail={"/api/tempRead"})
    async with EdgeClient(
        thread.url, timeout_s=2.0, retry_backoff_s=0.01, http_transport=transport
    ) as edge:
        poller = TelemetryPoller(lambda: edge, interval_s=None)
        errors: list[BaseException] = []
        poller.health._on_error = errors.append
        samples = await poller.refresh_now()
        await poller.aclose()
    names = {s.channel for s in samples}
    assert "Temperature" not in names and "Battery voltage" in names
    assert len(names) == 11 and errors


async def test_paused_and_suspended_read_nothing(client: EdgeClient) -> None:
    """With no interval only refresh reads; while suspended not even the loop runs."""
    poller = TelemetryPoller(lambda: client, interval_s=None)
    batches: list[list[Sample]] = []
    poller.add_sample_listener(batches.append)
    poller.resume(refresh=False)
    await asyncio.sleep(0.2)
    assert batches == [] and poller.interval_s is None
    poller.set_interval(0.05)
    await until(lambda: len(batches) >= 1)
    poller.suspend()
    assert poller.suspended
    await asyncio.sleep(0.1)
    count = len(batches)
    await asyncio.sleep(0.2)
    assert len(batches) == count
    await poller.aclose()


async def test_no_client_gives_no_samples_and_a_broken_listener_is_contained() -> None:
    """Without a connection a refresh is empty; a listener that raises does not stop others."""
    poller = TelemetryPoller(lambda: None, interval_s=None)
    assert await poller.refresh_now() == []
    got: list[list[Sample]] = []

    def broken(_samples: list[Sample]) -> None:
        raise RuntimeError("view gone")

    poller.add_sample_listener(broken)
    poller.add_sample_listener(got.append)
    snapshot = HealthSnapshot({R.BATTERY_V: _reading(R.BATTERY_V, 12.0)}, 0.0, 0.0)
    poller._on_snapshot(snapshot)
    assert len(got) == 1
    poller.remove_sample_listener(got.append)
    poller._on_snapshot(snapshot)
    assert len(got) == 1
    await poller.aclose()


@pytest.mark.parametrize("lag", [0.0, 2.5])
async def test_sample_time_is_when_the_round_finished(lag: float) -> None:
    """A round that finished ``lag`` s before listeners ran is stamped that much earlier."""
    poller = TelemetryPoller(
        lambda: None, interval_s=None, clock=lambda: 100.0 + lag, wall_clock=lambda: 5000.0
    )
    got: list[list[Sample]] = []
    poller.add_sample_listener(got.append)
    snapshot = HealthSnapshot({R.TEMPERATURE: _reading(R.TEMPERATURE, 20.0)}, 99.0, 100.0)
    poller._on_snapshot(snapshot)
    assert got[0][0].t == pytest.approx(5000.0 - lag)
    await poller.aclose()
