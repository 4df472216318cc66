"""The commissioning profile as frozen dataclasses, and the error that lists a profile's problems.

These types hold a profile's *effective* desired state: values the file leaves out but the sensor
model supplies (its serial framing, parser and channels) are already filled in, so the runner, the
diff and the report read one object and never consult the file again. The format itself is
documented in :mod:`commissioner.core.commissioning.profile`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commissioner.core.edge.rules import CommType, NetworkInterface, Parity, PortMode, PortVoltage
from commissioner.core.streams.acceptance import Acceptance

DEFAULT_DEVICE_TEMPLATE = "IMPORT_DEVICE_SDE"
DEFAULT_SENSOR_TEMPLATE = "GENERIC_SENSOR_SDE"
DEFAULT_NODE_NAME = "THREAD {serial}"
DEFAULT_DEVICE_NAME = "THREAD {serial} port {port}"
DEFAULT_SENSOR_NAME = "{sensor}"
PARSER_KINDS: tuple[str, ...] = ("csv", "keyvalue", "regex", "json", "none")
STOP_BITS: tuple[int, ...] = (1, 2)  # not an Edge property: checked against the sensor model only
PLACEHOLDERS: tuple[str, ...] = ("serial", "port", "site", "sensor")
NODE_PLACEHOLDERS: tuple[str, ...] = ("serial", "site")


@dataclass(frozen=True)
class ProfileProblem:
    """One thing wrong with a profile: where (``ports[1].voltage``) and what, in words."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ProfileError(ValueError):
    """A profile that cannot be used; ``problems`` lists every problem found.

    Problems of reading (types, values, unknown keys) come first in file order, then those of the
    safety rules (duplicate ports, supply, interface, framing), port by port.
    """

    def __init__(self, source: str, problems: Sequence[ProfileProblem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        count = len(self.problems)
        head = f"{source}: {count} problem{'s' if count != 1 else ''}"
        super().__init__("\n  ".join([head, *map(str, self.problems)]))


@dataclass(frozen=True)
class BatterySaver:
    enabled: bool
    low: int
    high: int


@dataclass(frozen=True)
class ThreadSettings:
    """Gateway-wide settings; None leaves the THREAD's current value alone."""

    cloud_connection: bool | None = None
    interface_priority: NetworkInterface | None = None
    battery_saver: BatterySaver | None = None


@dataclass(frozen=True)
class SerialSettings:
    """A port's ``configure`` properties by readable names (None: not set by the profile)."""

    comm_type: CommType | None = None
    baud: int | None = None
    data_bits: int | None = None
    parity: Parity | None = None
    stop_bits: int | None = None
    delimiters: tuple[str, ...] = ()
    host: str | None = None
    tcp_port: str | None = None
    allow_framing_mismatch: bool = False

    def properties(self) -> dict[str, Any]:
        """The ``PUT configure`` body, keyed by the Edge property names (stop bits has none)."""
        props: dict[str, Any] = {}
        for key, value in (
            ("COMM_TYPE", None if self.comm_type is None else self.comm_type.value),
            ("BAUD_RATE", self.baud),
            ("DATA_BITS", self.data_bits),
            ("PARITY_BIT", None if self.parity is None else self.parity.value),
            ("DELIMITERS_HEX", list(self.delimiters) or None),
            ("HOST", self.host),
            ("PORT", self.tcp_port),
        ):
            if value is not None:
                props[key] = value
        return props


@dataclass(frozen=True)
class ChannelSpec:
    """One channel of a port's sensor: cloud metric and unit, and what a plausible reading is.

    ``column`` is the 1-based CSV column (None: the channel's position among the channels).
    """

    name: str
    metric: str
    unit: str
    known: bool = False
    minimum: float | None = None
    maximum: float | None = None
    interval_s: float | None = None
    column: int | None = None

    def acceptance(self) -> Acceptance:
        """The verdict rule of the console and the verifier for this channel."""
        return Acceptance(self.minimum, self.maximum, self.interval_s)


@dataclass(frozen=True)
class ParserSettings:
    """How a port's lines become channels (see ``commissioner.core.streams.parsers``)."""

    kind: str = "csv"
    separator: str = ","
    pattern: str = ""
    auto: bool = False

    def spec(self, channels: Sequence[ChannelSpec]) -> dict[str, Any] | None:
        """The ``parser_from_spec`` table for ``channels``; None for ``kind = "none"``."""
        if self.kind == "none":
            return None
        if self.kind == "csv":
            columns: list[dict[str, Any] | None] = []
            for position, ch in enumerate(channels, start=1):
                index = (ch.column or position) - 1
                columns.extend([None] * (index + 1 - len(columns)))
                columns[index] = {"name": ch.name, "unit": ch.unit}
            return {"kind": "csv", "separator": self.separator, "channels": columns}
        spec: dict[str, Any] = {
            "kind": self.kind,
            "channels": [{"name": ch.name, "unit": ch.unit} for ch in channels],
        }
        if self.kind == "regex":
            spec["pattern"] = self.pattern
        else:
            spec["auto"] = self.auto
        return spec


@dataclass(frozen=True)
class PortCloud:
    """Per-port registration choices; None falls back to the sensor model, then to [cloud]."""

    register: bool = True
    device_template: str | None = None
    sensor_template: str | None = None
    device_name: str | None = None
    sensor_name: str | None = None


@dataclass(frozen=True)
class PortProfile:
    number: int
    mode: PortMode
    voltage: PortVoltage
    device_connection: bool
    sensor: str | None = None
    serial: SerialSettings | None = None
    parser: ParserSettings | None = None
    channels: tuple[ChannelSpec, ...] = ()
    cloud: PortCloud = field(default_factory=PortCloud)


@dataclass(frozen=True)
class CloudSettings:
    """Cloud registration; empty ``profile``/``project`` mean the app's current choice."""

    profile: str = ""
    project: str = ""
    device_template: str = DEFAULT_DEVICE_TEMPLATE
    sensor_template: str = DEFAULT_SENSOR_TEMPLATE
    node_name: str = DEFAULT_NODE_NAME
    device_name: str = DEFAULT_DEVICE_NAME
    sensor_name: str = DEFAULT_SENSOR_NAME


@dataclass(frozen=True)
class CommissioningProfile:
    name: str
    description: str = ""
    thread: ThreadSettings = field(default_factory=ThreadSettings)
    ports: tuple[PortProfile, ...] = ()
    cloud: CloudSettings | None = None
    source: Path | None = field(default=None, compare=False)

    def port(self, number: int) -> PortProfile | None:
        """The profile of port ``number``; None when the profile leaves that port alone."""
        return next((p for p in self.ports if p.number == number), None)


@dataclass(frozen=True)
class PortNames:
    port: int
    device: str
    sensor: str


@dataclass(frozen=True)
class ProfileNames:
    """A profile's cloud names with the placeholders filled for one THREAD and site."""

    node: str
    ports: tuple[PortNames, ...]

    def port(self, number: int) -> PortNames | None:
        return next((p for p in self.ports if p.port == number), None)
