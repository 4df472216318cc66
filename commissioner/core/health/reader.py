"""Read every health value of a THREAD concurrently, each on its own.

One ``asyncio.gather(..., return_exceptions=True)`` over independent reads: a slow THREAD costs
one round-trip, not seventeen, and one failed read marks only that value failed instead of
blanking the dashboard. Each result is turned into display text here (Qt-free, testable), so the
page and the CLI format values the same way.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC
from typing import Any

from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.errors import (
    EdgeError,
    EdgeMalformedResponse,
    EdgeRejected,
    EdgeTimeout,
    EdgeUnreachable,
)
from commissioner.core.edge.models import (
    BatterySaver,
    DeviceClock,
    InterfacePriority,
    Pressure,
    Quantity,
)
from commissioner.core.edge.rules import AdcOption
from commissioner.core.health import readings as R
from commissioner.core.health.readings import HealthSnapshot, Reading, Value

log = logging.getLogger(__name__)

Formatted = tuple[Value, str, str]  # value, text, detail
Formatter = Callable[[Any], Formatted]


def _quantity(decimals: int) -> Formatter:
    def fmt(q: Quantity) -> Formatted:
        return q.value, f"{q.value:.{decimals}f}", ""

    return fmt


def _saver(s: BatterySaver) -> Formatted:
    if not s.enabled:
        return False, "off", "charges to full, no low-battery shut-off"
    return True, "on", f"shuts off at {s.low} %, stops charging at {s.high} %"


def _pressure(p: Pressure) -> Formatted:
    hpa = p.pascals / 100.0
    hardware = f" ({p.hardware})" if p.hardware else ""
    return hpa, f"{hpa:.1f}", f"THREAD{hardware} reports {p.raw_value:.6g} {p.raw_unit.value}"


def describe_offset(offset_s: float) -> str:
    """How far the THREAD's clock is from this laptop's, in words."""
    if abs(offset_s) < 0.5:
        return "in sync"
    direction = "ahead" if offset_s > 0 else "behind"
    size = abs(offset_s)
    amount = f"{size:.1f} s" if size < 120 else f"{size / 60:.1f} min"
    return f"{amount} {direction}"


def _clock(c: DeviceClock) -> Formatted:
    moment = c.device_time.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return c.offset_s, describe_offset(c.offset_s), f"THREAD: {moment}"


def _accurate(ok: bool) -> Formatted:
    return ok, ("yes" if ok else "not yet"), ("RTC and OS clock synchronised" if ok else "")


def _priority(p: InterfacePriority) -> Formatted:
    return p.interface.value, p.interface.value, f"default route {p.route}"


def _cloud(enabled: bool) -> Formatted:
    return enabled, ("enabled" if enabled else "disabled"), ""


def short_error(exc: BaseException) -> str:
    """A few words for a tile; the full sentence goes in its tooltip and the page status."""
    if isinstance(exc, EdgeTimeout):
        return "no answer in time"
    if isinstance(exc, EdgeUnreachable):
        return "THREAD unreachable"
    if isinstance(exc, EdgeRejected):
        return f"HTTP {exc.status}"
    if isinstance(exc, EdgeMalformedResponse):
        return "unexpected answer"
    if isinstance(exc, EdgeError):
        return "rejected"
    return "internal error"


def _jobs(
    client: EdgeClient, ports: Iterable[int]
) -> list[tuple[str, Callable[[], Awaitable[Any]], Formatter]]:
    """(key, read, format) for every health value; built fresh so each read is a new coroutine."""
    jobs: list[tuple[str, Callable[[], Awaitable[Any]], Formatter]] = [
        (R.CHARGE_INPUT_V, client.charge_input_voltage, _quantity(2)),
        (R.CHARGE_INPUT_A, client.charge_input_current, _quantity(3)),
        (R.BATTERY_V, client.battery_voltage, _quantity(2)),
        (R.BATTERY_SOC, client.state_of_charge, _quantity(0)),
        (R.BATTERY_SAVER, client.get_battery_saver, _saver),
        (R.TEMPERATURE, client.temperature, _quantity(1)),
        (R.PRESSURE, client.pressure, _pressure),
        (R.CLOCK, client.get_time, _clock),
        (R.TIME_ACCURATE, client.time_accurate, _accurate),
        (R.INTERFACE_PRIORITY, client.get_interface_priority, _priority),
        (R.CLOUD_CONNECTION, client.get_cloud_connection, _cloud),
    ]
    for port in ports:
        # Each port's voltage and current are separate reads, so one failing keeps the other.
        voltage = functools.partial(client.port_adc, port, AdcOption.VOLTAGE)
        current = functools.partial(client.port_adc, port, AdcOption.CURRENT)
        jobs.append((R.port_voltage_key(port), voltage, _quantity(2)))
        jobs.append((R.port_current_key(port), current, _quantity(3)))
    return jobs


async def read_snapshot(
    client: EdgeClient,
    *,
    ports: Iterable[int] = R.PORTS,
    clock: Callable[[], float] = time.monotonic,
) -> HealthSnapshot:
    """Read every health value concurrently; failures are recorded per value, never raised."""
    jobs = _jobs(client, ports)
    started = clock()
    results = await asyncio.gather(*(read() for _, read, _ in jobs), return_exceptions=True)
    finished = clock()
    out: dict[str, Reading] = {}
    errors: list[BaseException] = []
    for (key, _, fmt), result in zip(jobs, results, strict=True):
        spec = R.SPECS[key]
        if isinstance(result, BaseException):
            if not isinstance(result, Exception):
                raise result  # cancellation and interpreter exits are not read failures
            if not isinstance(result, EdgeError):
                log.error("unexpected error reading %s", key, exc_info=result)
            errors.append(result)
            out[key] = Reading(
                key,
                spec.label,
                spec.unit,
                attempted_at=finished,
                error=str(result) or type(result).__name__,
                error_short=short_error(result),
            )
            continue
        value, text, detail = fmt(result)
        out[key] = Reading(
            key,
            spec.label,
            spec.unit,
            value=value,
            text=text,
            detail=detail,
            read_at=finished,
            attempted_at=finished,
        )
    return HealthSnapshot(out, started, finished, tuple(errors))
