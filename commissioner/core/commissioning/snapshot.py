"""Read every setting of a THREAD into a :class:`ThreadSnapshot`: the "before" that undo restores.

The Edge API cannot read a port's interface mode or output voltage. The snapshot says how each
was known instead of guessing silently: the voltage is inferred from the measured port voltage;
the mode is what this app last wrote to that THREAD (from the journal, which survives restarts),
else unknown. Rollback restores what is known and
reports what is not.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from enum import Enum
from typing import Any, TypeVar

from commissioner.core.commissioning.run_model import PortSnapshot, ThreadSnapshot
from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.errors import EdgeMalformedResponse, EdgeRejected
from commissioner.core.edge.rules import PORTS, PortMode, PortVoltage
from commissioner.core.ports.device_state import PortDeviceState, Source, build_state

T = TypeVar("T")

READ_ATTEMPTS = 3  # a read is harmless to repeat; a garbled or 5xx answer is often a one-off


async def read_again(read: Callable[[], Awaitable[T]], attempts: int = READ_ATTEMPTS) -> T:
    """``read()``, again after a cut-short body or a server error (reads only: never a write).

    The Edge client already retries reads that do not reach the THREAD; a run should not stop
    either because one answer of the dozens it reads arrived garbled.
    """
    for attempt in range(1, attempts + 1):
        try:
            return await read()
        except (EdgeMalformedResponse, EdgeRejected) as exc:
            server_side = isinstance(exc, EdgeMalformedResponse) or exc.status >= 500
            if not server_side or attempt == attempts:
                raise
            await asyncio.sleep(0.1 * attempt)
    raise AssertionError("unreachable")


async def read_snapshot(
    client: EdgeClient, remembered: Mapping[str, Any] | None = None
) -> ThreadSnapshot:
    """Every setting, read at once; ``remembered`` is ``journal.last_applied(serial)``."""
    remembered = remembered or {}
    cloud, priority, saver = await asyncio.gather(
        read_again(client.get_cloud_connection),
        read_again(client.get_interface_priority),
        read_again(client.get_battery_saver),
    )
    ports = await asyncio.gather(*(_read_port(client, n, remembered) for n in PORTS))
    return ThreadSnapshot(
        taken_at=time.time(),
        cloud_connection=bool(cloud),
        interface_priority=priority.interface.value,
        battery_saver={"enabled": saver.enabled, "low": saver.low, "high": saver.high},
        ports=tuple(port_snapshot(state) for state in ports),
    )


async def _read_port(
    client: EdgeClient, number: int, remembered: Mapping[str, Any]
) -> PortDeviceState:
    """One port like :func:`read_port`, each of its reads repeated on a garbled answer."""
    props, connection, measurement = await asyncio.gather(
        read_again(lambda: client.get_port_properties(number)),
        read_again(lambda: client.get_device_connection(number)),
        read_again(lambda: client.port_measurement(number)),
    )
    return build_state(
        number,
        props.to_payload(),
        connection,
        measurement,
        remembered_mode=_mode(remembered.get(f"port{number}.mode")),
        remembered_voltage=_voltage(remembered.get(f"port{number}.voltage")),
    )


def port_snapshot(state: PortDeviceState) -> PortSnapshot:
    """A port state as plain JSON-able data.

    ``COMM_TYPE`` is *not* taken as the mode: it is a stored property that a port in OFF or
    ANALOG mode keeps, so inferring from it would skip setting a mode that is not in effect.
    """
    mode, mode_source = state.mode.value, _source_text(state.mode.source, state.mode.note)
    voltage = state.voltage.value
    return PortSnapshot(
        port=state.port,
        mode=None if mode is None else mode.value,
        mode_source=mode_source,
        voltage=None if voltage is None else int(voltage),
        voltage_source=_source_text(state.voltage.source, state.voltage.note),
        measured_v=state.measurement.voltage.value if state.measurement else None,
        device_connection=state.device_connection,
        properties={key: plain(value) for key, value in state.properties.items()},
    )


def plain(value: Any) -> Any:
    """Enums to their values and tuples to lists, so a snapshot compares equal after JSON."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _source_text(source: Source, note: str) -> str:
    return note or source.value


def _mode(value: Any) -> PortMode | None:
    try:
        return None if value is None else PortMode(value)
    except ValueError:
        return None


def _voltage(value: Any) -> PortVoltage | None:
    try:
        return None if value is None else PortVoltage(int(value))
    except (TypeError, ValueError):
        return None
