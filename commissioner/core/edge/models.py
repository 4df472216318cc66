"""Typed results of Edge API calls, with their units.

The THREAD answers bare numbers; these types carry the unit alongside so that nothing downstream
(dashboard, reports, plots) has to remember whether a value was volts, amps, daPa or hPa.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from commissioner.core.edge.rules import CommType, NetworkInterface, Parity


class Unit(StrEnum):
    VOLT = "V"
    AMPERE = "A"
    PERCENT = "%"
    CELSIUS = "°C"
    PASCAL = "Pa"
    HECTOPASCAL = "hPa"
    DECAPASCAL = "daPa"


@dataclass(frozen=True)
class Quantity:
    """A measured value and its unit."""

    value: float
    unit: Unit

    def __str__(self) -> str:
        return f"{self.value:.4g} {self.unit.value}"

    def as_json(self) -> dict[str, Any]:
        return {"value": self.value, "unit": self.unit.value}


@dataclass(frozen=True)
class Pressure:
    """Atmospheric pressure normalised to pascals, keeping what the device actually reported."""

    pascals: float
    raw_value: float
    raw_unit: Unit
    hardware: str

    def __str__(self) -> str:
        return f"{self.pascals / 100:.2f} hPa"

    def as_json(self) -> dict[str, Any]:
        return {
            "value": self.pascals,
            "unit": Unit.PASCAL.value,
            "raw_value": self.raw_value,
            "raw_unit": self.raw_unit.value,
            "hardware": self.hardware,
        }


_HW_NUMBER = re.compile(r"(?i)v?\s*(\d+)")


def hardware_generation(hardware: str) -> int | None:
    """The hardware generation number in a version string such as "V12" or "11.2"; None if absent."""
    match = _HW_NUMBER.search(hardware)
    return int(match.group(1)) if match else None


def pressure_unit_for(hardware: str) -> Unit:
    """daPa on current THREADs, hPa on V11 and older (seed: ``pressRead``)."""
    generation = hardware_generation(hardware)
    if generation is not None and generation <= 11:
        return Unit.HECTOPASCAL
    return Unit.DECAPASCAL


def to_pascals(value: float, unit: Unit) -> float:
    factor = {Unit.DECAPASCAL: 10.0, Unit.HECTOPASCAL: 100.0, Unit.PASCAL: 1.0}[unit]
    return value * factor


@dataclass(frozen=True)
class DeviceClock:
    """The THREAD's clock and how far it is from this computer's, measured at the read's midpoint."""

    device_time: datetime
    offset_s: float

    def as_json(self) -> dict[str, Any]:
        return {"time": self.device_time.isoformat(), "offset_s": round(self.offset_s, 3)}


@dataclass(frozen=True)
class BatterySaver:
    enabled: bool
    low: int
    high: int

    def __str__(self) -> str:
        state = "on" if self.enabled else "off"
        return f"{state} (shut off at {self.low} %, stop charging at {self.high} %)"

    def as_json(self) -> dict[str, Any]:
        return {"value": self.enabled, "low": self.low, "high": self.high}


@dataclass(frozen=True)
class PortMeasurement:
    """Measured output voltage and current of one device port."""

    port: int
    voltage: Quantity
    current: Quantity

    def as_json(self) -> dict[str, Any]:
        return {
            "port": self.port,
            "voltage": self.voltage.as_json(),
            "current": self.current.as_json(),
        }


@dataclass(frozen=True)
class PortProperties:
    """A device port's serial properties, as ``GET configure`` reports them (absent keys are None)."""

    comm_type: CommType | None = None
    baud_rate: int | None = None
    data_bits: int | None = None
    parity: Parity | None = None
    delimiters_hex: tuple[str, ...] | None = None
    host: str | None = None
    tcp_port: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> PortProperties:
        known = {
            "COMM_TYPE",
            "BAUD_RATE",
            "DATA_BITS",
            "PARITY_BIT",
            "DELIMITERS_HEX",
            "HOST",
            "PORT",
        }
        delims = payload.get("DELIMITERS_HEX")
        if isinstance(delims, str):
            delims = [delims]
        comm = str(payload.get("COMM_TYPE", "")).upper()
        parity = str(payload.get("PARITY_BIT", "")).upper()
        return cls(
            comm_type=CommType(comm) if comm in CommType._value2member_map_ else None,
            baud_rate=_as_int(payload.get("BAUD_RATE")),
            data_bits=_as_int(payload.get("DATA_BITS")),
            parity=Parity(parity) if parity in Parity._value2member_map_ else None,
            delimiters_hex=tuple(str(d) for d in delims) if isinstance(delims, list) else None,
            host=str(payload["HOST"]) if payload.get("HOST") is not None else None,
            tcp_port=str(payload["PORT"]) if payload.get("PORT") is not None else None,
            extra={k: v for k, v in payload.items() if k not in known},
        )

    def to_payload(self) -> dict[str, Any]:
        """The properties that are set, keyed as the API names them."""
        payload: dict[str, Any] = {}
        if self.comm_type is not None:
            payload["COMM_TYPE"] = self.comm_type.value
        if self.baud_rate is not None:
            payload["BAUD_RATE"] = self.baud_rate
        if self.data_bits is not None:
            payload["DATA_BITS"] = self.data_bits
        if self.parity is not None:
            payload["PARITY_BIT"] = self.parity.value
        if self.delimiters_hex is not None:
            payload["DELIMITERS_HEX"] = list(self.delimiters_hex)
        if self.host is not None:
            payload["HOST"] = self.host
        if self.tcp_port is not None:
            payload["PORT"] = self.tcp_port
        return payload

    @property
    def framing(self) -> str:
        """Short framing such as "9600 8N1" (stop bits are not configurable on a THREAD)."""
        parity = (self.parity or Parity.NONE).value[0]
        return f"{self.baud_rate or '?'} {self.data_bits or '?'}{parity}1"


@dataclass(frozen=True)
class InterfacePriority:
    interface: NetworkInterface
    route: str

    def __str__(self) -> str:
        return f"{self.interface.value} ({self.route})"


@dataclass(frozen=True)
class Versions:
    application: str
    firmware: str
    hardware: str

    def as_json(self) -> dict[str, Any]:
        return {
            "application": self.application,
            "firmware": self.firmware,
            "hardware": self.hardware,
        }


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None
