"""What the dashboard reads, and one reading's latest value, age and failure.

The catalogue is the single list of health values (key, label, unit, group), so the poller, the
threshold table, the CLI and the page all agree on names. A :class:`Reading` keeps the last good
value even after a later read fails: an installer should still see "13.1 V, read 40 s ago, last
read failed" rather than a blank tile.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

PORTS: tuple[int, ...] = (1, 2, 3)


class Group(StrEnum):
    """Cards of the dashboard, in display order."""

    POWER = "Power"
    ENVIRONMENT = "Environment"
    CLOCK = "Clock"
    NETWORK = "Network & cloud"
    PORT_1 = "Port 1"
    PORT_2 = "Port 2"
    PORT_3 = "Port 3"


# Keys of the health values. Port keys are built by port_voltage_key / port_current_key.
CHARGE_INPUT_V = "charge_input_v"
CHARGE_INPUT_A = "charge_input_a"
BATTERY_V = "battery_v"
BATTERY_SOC = "battery_soc"
BATTERY_SAVER = "battery_saver"
TEMPERATURE = "temperature"
PRESSURE = "pressure"
CLOCK = "clock"
TIME_ACCURATE = "time_accurate"
INTERFACE_PRIORITY = "interface_priority"
CLOUD_CONNECTION = "cloud_connection"


def port_voltage_key(port: int) -> str:
    return f"port{port}_v"


def port_current_key(port: int) -> str:
    return f"port{port}_a"


def port_group(port: int) -> Group:
    return Group(f"Port {port}")


@dataclass(frozen=True)
class ReadingSpec:
    """One health value the dashboard shows: its key, label, display unit, card (and port)."""

    key: str
    label: str
    unit: str
    group: Group
    port: int | None = None


CATALOGUE: tuple[ReadingSpec, ...] = (
    ReadingSpec(CHARGE_INPUT_V, "Input voltage", "V", Group.POWER),
    ReadingSpec(CHARGE_INPUT_A, "Input current", "A", Group.POWER),
    ReadingSpec(BATTERY_V, "Battery voltage", "V", Group.POWER),
    ReadingSpec(BATTERY_SOC, "State of charge", "%", Group.POWER),
    ReadingSpec(BATTERY_SAVER, "Battery saver", "", Group.POWER),
    ReadingSpec(TEMPERATURE, "Temperature", "°C", Group.ENVIRONMENT),
    ReadingSpec(PRESSURE, "Pressure", "hPa", Group.ENVIRONMENT),
    ReadingSpec(CLOCK, "THREAD clock", "", Group.CLOCK),
    ReadingSpec(TIME_ACCURATE, "Time accurate", "", Group.CLOCK),
    ReadingSpec(INTERFACE_PRIORITY, "Interface priority", "", Group.NETWORK),
    ReadingSpec(CLOUD_CONNECTION, "Cloud connection", "", Group.NETWORK),
    *(
        spec
        for port in PORTS
        for spec in (
            ReadingSpec(port_voltage_key(port), "Voltage", "V", port_group(port), port),
            ReadingSpec(port_current_key(port), "Current", "A", port_group(port), port),
        )
    ),
)
SPECS: Mapping[str, ReadingSpec] = {spec.key: spec for spec in CATALOGUE}

Value = float | bool | str


@dataclass(frozen=True)
class Reading:
    """The latest known state of one health value.

    ``value`` and ``read_at`` come from the last *successful* read; ``error`` is set when the
    latest attempt failed (the value, if any, is then older). Times are ``time.monotonic()``
    seconds, so ages are immune to the laptop's clock being changed.
    """

    key: str
    label: str
    unit: str
    value: Value | None = None
    text: str = "—"
    detail: str = ""
    read_at: float | None = None
    attempted_at: float | None = None
    error: str | None = None
    error_short: str | None = None

    @property
    def has_value(self) -> bool:
        return self.value is not None

    @property
    def failed(self) -> bool:
        """Whether the latest attempt to read this value failed."""
        return self.error is not None

    @property
    def number(self) -> float | None:
        """The value as a number for threshold checks (booleans and text give None)."""
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float)):
            return None
        return float(self.value)

    def age(self, now: float) -> float | None:
        """Seconds since the last successful read, or None if never read."""
        return None if self.read_at is None else max(0.0, now - self.read_at)

    def display(self) -> str:
        """Value and unit as one string, e.g. ``"13.72 V"``."""
        if self.value is None:
            return "—"
        return f"{self.text} {self.unit}".strip()


def specs_for(ports: Iterable[int]) -> tuple[ReadingSpec, ...]:
    """The catalogue limited to the given device ports (all general values are always in)."""
    wanted = set(ports)
    return tuple(s for s in CATALOGUE if s.port is None or s.port in wanted)


def empty_reading(key: str) -> Reading:
    spec = SPECS[key]
    return Reading(spec.key, spec.label, spec.unit)


def merge(previous: Reading | None, latest: Reading) -> Reading:
    """Combine a new attempt with what was known: a failure keeps the last good value."""
    if not latest.failed or previous is None or not previous.has_value:
        return latest
    return dataclasses.replace(
        previous,
        attempted_at=latest.attempted_at,
        error=latest.error,
        error_short=latest.error_short,
    )


@dataclass(frozen=True)
class HealthSnapshot:
    """One round of reads: every value, attempted concurrently, successful or not."""

    readings: Mapping[str, Reading]
    started_at: float
    finished_at: float
    errors: tuple[BaseException, ...] = ()

    def __getitem__(self, key: str) -> Reading:
        return self.readings[key]

    @property
    def failed(self) -> tuple[Reading, ...]:
        return tuple(r for r in self.readings.values() if r.failed)

    @property
    def all_failed(self) -> bool:
        return bool(self.readings) and all(r.failed for r in self.readings.values())
