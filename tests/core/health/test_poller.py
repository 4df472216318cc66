"""The health poller: rounds on an interval, never overlapping, paused, suspended, and honest
about failures, against a simulated THREAD over loopback."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.errors import EdgeUnreachable
from commissioner.core.health import HealthPoller, HealthSnapshot
from commissioner.core.health import readings as R
from tests.core.health.conftest import CountingTransport, until


async def test_polls_on_interval_and_tells_listeners(client: EdgeClient) -> None:
    """Resumed with a short interval, rounds keep coming and each reaches the listener."""
    seen: list[HealthSnapshot] = []
    poller = HealthPoller(lambda: client, interval_s=0.05)
    poller.add_listener(seen.append)
    poller.resume()
    try:
        await until(lambda: len(seen) >= 3)
    finally:
        await poller.aclose()
    assert poller.rounds >= 3
    assert poller.latest[R.BATTERY_V].has_value
    assert seen[-1] is poller.last_snapshot


async def test_pause_stops_rounds_and_a_new_interval_restarts_them(client: EdgeClient) -> None:
    """Pausing (interval None) stops polling; choosing an interval again resumes it."""
    poller = HealthPoller(lambda: client, interval_s=0.05)
    poller.resume()
    try:
        await until(lambda: poller.rounds >= 1)
        poller.set_interval(None)
        assert poller.paused
        await until(lambda: not poller.busy)
        rounds = poller.rounds
        await asyncio.sleep(0.3)
        assert poller.rounds == rounds
        poller.set_interval(0.05)
        await until(lambda: poller.rounds >= rounds + 2)
    finally:
        await poller.aclose()


async def test_suspended_poller_does_not_read(client: EdgeClient) -> None:
    """Until the owner resumes it (connection usable), nothing is read; suspend stops it again."""
    poller = HealthPoller(lambda: client, interval_s=0.05)
    await asyncio.sleep(0.2)
    assert poller.rounds == 0 and poller.suspended
    poller.resume()
    try:
        await until(lambda: poller.rounds >= 1)
        poller.suspend()
        await until(lambda: not poller.busy)
        rounds = poller.rounds
        await asyncio.sleep(0.3)
        assert poller.rounds == rounds
    finally:
        await poller.aclose()


async def test_rounds_never_overlap(
    client: EdgeClient, control: httpx.AsyncClient, transport: CountingTransport
) -> None:
    """Refreshes during a slow round share it instead of starting a second one."""
    await control.put("/_sim/faults", json={"latency_ms": 200})
    poller = HealthPoller(lambda: client, interval_s=None)
    first, second, third = await asyncio.gather(
        poller.refresh_now(), poller.refresh_now(), poller.refresh_now()
    )
    assert poller.rounds == 1
    assert first is second is third is not None
    assert transport.max_in_flight <= len(R.SPECS) + 1  # one round's worth (+ hardware once)
    await poller.aclose()


async def test_fresh_refresh_reads_after_a_round_under_way(client: EdgeClient) -> None:
    """``fresh`` waits for the round under way and then reads again (values after a change)."""
    poller = HealthPoller(lambda: client, interval_s=None)
    running = asyncio.ensure_future(poller.refresh_now())
    await until(lambda: poller.busy)
    fresh = await poller.refresh_now(fresh=True)
    assert await running is not fresh
    assert poller.rounds == 2
    await poller.aclose()


async def test_unreachable_thread_keeps_values_and_reports(
    client: EdgeClient, control: httpx.AsyncClient
) -> None:
    """When the THREAD goes away, values stay (marked failed) and the owner hears why."""
    errors: list[BaseException] = []
    poller = HealthPoller(lambda: client, interval_s=None, on_error=errors.append)
    good = await poller.refresh_now()
    assert good is not None and not good.failed
    await control.post("/_sim/unreachable", json={"seconds": 5})
    bad = await poller.refresh_now()
    assert bad is not None and bad.all_failed
    assert len(errors) == 1 and isinstance(errors[0], EdgeUnreachable)
    soc = poller.latest[R.BATTERY_SOC]
    assert soc.has_value and soc.failed and soc.read_at == good.finished_at
    await poller.aclose()


async def test_no_client_means_no_round() -> None:
    """Without a usable connection a refresh returns None and touches nothing."""
    poller = HealthPoller(lambda: None)
    assert await poller.refresh_now() is None
    assert poller.rounds == 0
    await poller.aclose()
    await poller.aclose()


async def test_broken_listener_does_not_stop_polling(client: EdgeClient) -> None:
    """A failing view is logged; the next listener and the next round still happen."""
    seen: list[HealthSnapshot] = []

    def broken(_snapshot: HealthSnapshot) -> None:
        raise RuntimeError("widget gone")

    poller = HealthPoller(lambda: client, interval_s=0.05)
    poller.add_listener(broken)
    poller.add_listener(seen.append)
    poller.resume()
    try:
        await until(lambda: len(seen) >= 2)
    finally:
        await poller.aclose()


async def test_clear_forgets_values(client: EdgeClient) -> None:
    """Another THREAD's values must not be shown as this one's."""
    poller = HealthPoller(lambda: client, interval_s=None)
    await poller.refresh_now()
    poller.clear()
    assert not any(r.has_value for r in poller.latest.values())
    assert poller.last_snapshot is None
    await poller.aclose()


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf")])
def test_bad_interval_refused(bad: float) -> None:
    """Intervals are positive, finite seconds (None pauses)."""
    with pytest.raises(ValueError, match="positive"):
        HealthPoller(lambda: None, interval_s=bad)


def test_ports_limit_the_values() -> None:
    """A poller for port 1 only has port 1's values (plus every general one)."""
    poller = HealthPoller(lambda: None, ports=(1,))
    assert R.port_current_key(1) in poller.latest and R.port_current_key(2) not in poller.latest
    assert R.BATTERY_SOC in poller.latest


async def test_suspend_abandons_the_round_under_way(
    client: EdgeClient, control: httpx.AsyncClient
) -> None:
    """When the connection goes, a slow round is dropped so the next one is not held up."""
    await control.put("/_sim/faults", json={"latency_ms": 500})
    poller = HealthPoller(lambda: client, interval_s=None)
    running = asyncio.ensure_future(poller.refresh_now())
    await until(lambda: poller.busy)
    poller.suspend()
    assert await running is None
    assert not poller.busy and poller.rounds == 0
    assert not any(r.failed for r in poller.latest.values())
    await poller.aclose()
