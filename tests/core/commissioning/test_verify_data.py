"""Data verification against the simulated bench: what arrives is judged, what fails is said."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import pytest

from commissioner.core.commissioning.profile_model import PortProfile
from commissioner.core.commissioning.run_model import CheckResult, CheckStatus, Stage
from commissioner.core.commissioning.verify_data import (
    DataWaitOptions,
    PortDataResult,
    verify_port_data,
)
from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.rules import PortMode, PortVoltage
from commissioner.sim.server import ThreadServer
from tests.core.commissioning.conftest_helpers_data import (
    QUICK,
    bench,
    configure,
    mixed_profile,
    poll_of,
    port_of,
    with_channel,
)
from tests.waiting import until as wait_until


@pytest.fixture
async def thread() -> AsyncIterator[ThreadServer]:
    async with ThreadServer(bench()) as server:
        yield server


@pytest.fixture
async def configured(client: EdgeClient, thread: ThreadServer) -> EdgeClient:
    await configure(client, thread, mixed_profile())
    return client


def checks(result: PortDataResult) -> dict[str, CheckResult]:
    return {c.key: c for c in result.checks}


async def test_every_port_of_the_mixed_bench_passes(configured: EdgeClient) -> None:
    """Streaming RS-232, polled RS-485 and 4-20 mA all pass, with traces for the report."""
    profile = mixed_profile()
    one = await verify_port_data(configured, port_of(profile, 1), options=QUICK)
    two = await verify_port_data(
        configured, port_of(profile, 2), poll=poll_of("dt-485"), options=QUICK
    )
    three = await verify_port_data(configured, port_of(profile, 3), options=QUICK)

    c1 = checks(one)
    assert c1["data.port1"].status is CheckStatus.PASS, c1["data.port1"].evidence
    assert c1["data.port1"].label == "Port 1 data arrives"
    for name in ("temperature", "humidity", "pressure"):
        assert c1[f"range.port1.{name}"].status is CheckStatus.PASS
        assert c1[f"range.port1.{name}"].label == f"Port 1 {name} in range"
        assert c1[f"interval.port1.{name}"].status is CheckStatus.PASS
        assert "expected ≤ 2 s" in c1[f"interval.port1.{name}"].evidence
    assert "expected -40 to 60" in c1["range.port1.temperature"].evidence
    assert not one.silent and one.lines >= 3 and one.bytes_in > 0 and one.parse_errors == 0
    assert {t.channel for t in one.traces} == {"temperature", "humidity", "pressure"}
    assert all(len(t.values) >= 3 and t.times == tuple(sorted(t.times)) for t in one.traces)
    assert all(c.stage is Stage.VERIFY and c.port == 1 for c in one.checks)

    assert [c.status for c in two.checks] == [CheckStatus.PASS] * 3, two.checks
    assert two.traces[0].channel == "displacement"
    assert all(abs(v - 12.345) < 1 for v in two.traces[0].values)

    c3 = checks(three)
    assert c3["data.port3"].status is CheckStatus.PASS
    assert c3["data.port3"].evidence.startswith("3 loop-current readings")
    assert c3["range.port3.loop_current"].status is CheckStatus.PASS
    assert "milliampere" in c3["range.port3.loop_current"].evidence
    assert c3["interval.port3.loop_current"].status is CheckStatus.SKIPPED
    assert c3["interval.port3.loop_current"].evidence == "read on demand"
    assert all(6.0 - 0.5 < v < 18.0 + 0.5 for v in three.traces[0].values)


async def test_a_polled_sensor_without_its_poll_is_silent(configured: EdgeClient) -> None:
    """RS-485 asks before it answers: no poll, no data, and the check says what to look at."""
    options = dataclasses.replace(QUICK, timeout_s=0.4)
    result = await verify_port_data(configured, port_of(mixed_profile(), 2), options=options)
    data = checks(result)["data.port2"]
    assert data.status is CheckStatus.FAIL and result.silent and result.bytes_in == 0
    assert data.evidence.startswith("no data from port 2 in 0.4 s")
    assert "baud rate" in data.evidence
    assert checks(result)["range.port2.displacement"].status is CheckStatus.SKIPPED
    assert checks(result)["interval.port2.displacement"].status is CheckStatus.SKIPPED
    assert result.traces == []


async def test_values_outside_the_range_fail_the_range_check(configured: EdgeClient) -> None:
    """A profile expecting 0-1 degrees flags every reading of a 23-degree probe."""
    port = with_channel(port_of(mixed_profile(), 1), "temperature", minimum=0.0, maximum=1.0)
    result = await verify_port_data(configured, port, options=QUICK)
    temperature = checks(result)["range.port1.temperature"]
    assert temperature.status is CheckStatus.FAIL
    count = len(result.traces[0].values)
    assert temperature.evidence.startswith(f"{count} of {count} values out of range")
    assert "expected 0 to 1" in temperature.evidence
    assert checks(result)["range.port1.humidity"].status is CheckStatus.PASS
    assert checks(result)["data.port1"].status is CheckStatus.PASS


async def test_a_sensor_slower_than_expected_fails_the_interval(configured: EdgeClient) -> None:
    """Values every 0.05 s against an expected 0.001 s: the longest gap is named."""
    port = with_channel(port_of(mixed_profile(), 1), "humidity", interval_s=0.001)
    result = await verify_port_data(configured, port, options=QUICK)
    interval = checks(result)["interval.port1.humidity"]
    assert interval.status is CheckStatus.FAIL
    assert interval.evidence.startswith("longest gap ")
    assert "expected ≤ 0.001 s" in interval.evidence
    assert checks(result)["interval.port1.temperature"].status is CheckStatus.PASS


async def test_ports_without_a_sensor_are_skipped(client: EdgeClient) -> None:
    """OFF ports, and ports that name no channels, expect nothing: one SKIPPED check."""
    off = PortProfile(2, PortMode.OFF, PortVoltage.OFF, False)
    bare = dataclasses.replace(port_of(mixed_profile(), 1), channels=())
    for port in (off, bare):
        result = await verify_port_data(client, port, options=QUICK)
        assert [(c.key, c.status, c.evidence) for c in result.checks] == [
            (f"data.port{port.number}", CheckStatus.SKIPPED, "no sensor expected")
        ]
        assert result.traces == [] and not result.silent


async def test_an_unpowered_loop_fails_the_data_check(client: EdgeClient) -> None:
    """Port 3 never configured: the loop reads open, and the check says to look at the wiring."""
    result = await verify_port_data(client, port_of(mixed_profile(), 3), options=QUICK)
    data = checks(result)["data.port3"]
    assert data.status is CheckStatus.FAIL
    assert data.evidence.startswith("no loop current on port 3")
    assert checks(result)["range.port3.loop_current"].status is CheckStatus.FAIL


async def test_a_stopped_thread_gives_fail_checks_without_raising() -> None:
    """Stream and REST failures become FAIL checks that name the cause; nothing raises."""
    server = ThreadServer(bench())
    await server.start()
    url = server.url
    await server.aclose()
    profile = mixed_profile()
    options = dataclasses.replace(QUICK, connect_timeout_s=0.3)
    async with EdgeClient(url, timeout_s=0.5, retry_backoff_s=0.01) as edge:
        serial = await verify_port_data(edge, port_of(profile, 1), options=options)
        analog = await verify_port_data(edge, port_of(profile, 3), options=options)
    data = checks(serial)["data.port1"]
    assert data.status is CheckStatus.FAIL and serial.silent
    assert data.evidence.startswith("the data stream of port 1 did not open")
    assert "reachable" in data.evidence
    assert checks(serial)["range.port1.temperature"].status is CheckStatus.SKIPPED
    loop = checks(analog)["data.port3"]
    assert loop.status is CheckStatus.FAIL
    assert loop.evidence.startswith("cannot read the loop current of port 3")
    assert "unreachable" in loop.evidence


async def test_cancelling_closes_the_port_stream(
    configured: EdgeClient, thread: ThreadServer
) -> None:
    """A cancelled verification leaves no WebSocket open on the THREAD."""
    port = port_of(mixed_profile(), 2)  # silent without a poll: it waits for the whole window
    task = asyncio.create_task(
        verify_port_data(configured, port, options=dataclasses.replace(QUICK, timeout_s=30))
    )
    sockets = thread.device.sockets
    await wait_until(lambda: sockets.count(2) == 1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await wait_until(lambda: sockets.count(2) == 0)


def test_default_options_match_the_contract() -> None:
    """The runner relies on these defaults (20 s window, 3 values, 1.5x interval slack)."""
    options = DataWaitOptions()
    assert (options.timeout_s, options.min_values, options.interval_slack) == (20.0, 3, 1.5)
    assert (options.analog_samples, options.analog_spacing_s, options.poll_interval_s) == (
        3,
        0.5,
        None,
    )
