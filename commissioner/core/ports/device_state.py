"""What is known about a port on the THREAD, and how it is known.

The Edge API reads back a port's properties and device connection, but not its interface mode
(``deviceRsSel``) or output voltage (``deviceVoltage``). Rather than pretend, every value carries
its source: read back, inferred (the voltage, from the measured port voltage), last applied by this
app (remembered per THREAD serial), or unknown. The UI shows that source next to the value.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Generic, TypeVar

from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.models import PortMeasurement, Quantity
from commissioner.core.edge.rules import PortMode, PortVoltage
from commissioner.core.ports.fields import SERIAL_MODES, PortField, normalise_device

T = TypeVar("T")

# How far the measured port voltage may be from the nominal output (load drop, ADC noise).
VOLTAGE_TOLERANCE_V = 1.5


class Source(StrEnum):
    READ = "read"
    INFERRED = "inferred"
    LAST_APPLIED = "last applied by this app"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Known(Generic[T]):
    """A value with where it came from; ``note`` says why, in words (shown to the user)."""

    value: T | None
    source: Source
    note: str = ""


def infer_voltage(
    measured_v: float, tolerance_v: float = VOLTAGE_TOLERANCE_V
) -> PortVoltage | None:
    """The output setting a measured port voltage matches (0, 12 or 15 V within tolerance)."""
    best = min(PortVoltage, key=lambda v: abs(v.volts - measured_v))
    return best if abs(best.volts - measured_v) <= tolerance_v else None


def known_voltage(measured: Quantity | None, remembered: PortVoltage | None) -> Known[PortVoltage]:
    """The measurement wins over memory: it is what the port actually puts out now."""
    if measured is not None:
        inferred = infer_voltage(measured.value)
        if inferred is not None:
            return Known(
                inferred, Source.INFERRED, f"inferred from {measured.value:.2f} V measured"
            )
        return Known(
            None,
            Source.UNKNOWN,
            f"measured {measured.value:.2f} V matches no setting (0, 12 or 15 V)",
        )
    if remembered is not None:
        return Known(remembered, Source.LAST_APPLIED, "last applied by this app; not measured")
    return Known(None, Source.UNKNOWN, "not readable from the THREAD; not measured")


def known_mode(properties: dict[str, Any], remembered: PortMode | None) -> Known[PortMode]:
    """The mode this app last applied, unless COMM_TYPE now contradicts it (changed elsewhere)."""
    if remembered is None:
        return Known(None, Source.UNKNOWN, "the Edge API cannot read the interface mode")
    comm = properties.get("COMM_TYPE")
    if remembered in SERIAL_MODES and comm is not None and comm != remembered.value:
        return Known(
            None,
            Source.UNKNOWN,
            f"this app last set {remembered.value}, but COMM_TYPE now reads {comm}: "
            "changed elsewhere?",
        )
    return Known(remembered, Source.LAST_APPLIED, "last applied by this app; not readable")


class AppliedMemory:
    """What this app last set where the API cannot read it back, per THREAD serial and port.

    Kept in memory for now; ``as_json``/``from_json`` let the app persist it later.
    """

    def __init__(self) -> None:
        self._modes: dict[tuple[str, int], PortMode] = {}
        self._voltages: dict[tuple[str, int], PortVoltage] = {}

    def record_mode(self, serial: str, port: int, mode: PortMode) -> None:
        self._modes[(serial, port)] = mode

    def record_voltage(self, serial: str, port: int, voltage: PortVoltage) -> None:
        self._voltages[(serial, port)] = voltage

    def mode(self, serial: str | None, port: int) -> PortMode | None:
        return self._modes.get((serial, port)) if serial else None

    def voltage(self, serial: str | None, port: int) -> PortVoltage | None:
        return self._voltages.get((serial, port)) if serial else None

    def as_json(self) -> dict[str, dict[str, dict[str, Any]]]:
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for (serial, port), mode in self._modes.items():
            out.setdefault(serial, {}).setdefault(str(port), {})["mode"] = mode.value
        for (serial, port), voltage in self._voltages.items():
            out.setdefault(serial, {}).setdefault(str(port), {})["voltage"] = int(voltage)
        return out

    @classmethod
    def from_json(cls, data: dict[str, dict[str, dict[str, Any]]]) -> AppliedMemory:
        memory = cls()
        for serial, ports in data.items():
            for port_text, entry in ports.items():
                if "mode" in entry:
                    memory.record_mode(serial, int(port_text), PortMode(entry["mode"]))
                if "voltage" in entry:
                    memory.record_voltage(serial, int(port_text), PortVoltage(entry["voltage"]))
        return memory


@dataclass(frozen=True)
class PortDeviceState:
    """One port as last read from the THREAD, with the source of every value."""

    port: int
    mode: Known[PortMode]
    voltage: Known[PortVoltage]
    properties: dict[str, Any]
    device_connection: bool
    measurement: PortMeasurement | None = None
    loop_current: Quantity | None = None

    def value(self, which: PortField) -> Any:
        """The device's value of a field; None when not set or not known."""
        if which is PortField.MODE:
            return self.mode.value
        if which is PortField.VOLTAGE:
            return self.voltage.value
        if which is PortField.DEVICE_CONNECTION:
            return self.device_connection
        return self.properties.get(which.value)

    def source(self, which: PortField) -> Known[Any]:
        """The value with its source (properties and device connection are always read back)."""
        if which is PortField.MODE:
            return self.mode
        if which is PortField.VOLTAGE:
            return self.voltage
        return Known(self.value(which), Source.READ, "read back from the THREAD")

    def is_known(self, which: PortField) -> bool:
        return self.source(which).source is not Source.UNKNOWN


def with_measurement(
    state: PortDeviceState, measurement: PortMeasurement, remembered: PortVoltage | None = None
) -> PortDeviceState:
    """The state after a fresh measurement: the voltage is inferred again from it."""
    return replace(
        state, measurement=measurement, voltage=known_voltage(measurement.voltage, remembered)
    )


def build_state(
    port: int,
    payload: dict[str, Any],
    device_connection: bool,
    measurement: PortMeasurement | None,
    *,
    remembered_mode: PortMode | None = None,
    remembered_voltage: PortVoltage | None = None,
) -> PortDeviceState:
    """Assemble a port's state from what was read, normalising property values like user input."""
    properties: dict[str, Any] = {}
    for key, raw in payload.items():
        try:
            properties[key] = normalise_device(port, PortField(key), raw)
        except ValueError:
            continue
    return PortDeviceState(
        port=port,
        mode=known_mode(properties, remembered_mode),
        voltage=known_voltage(measurement.voltage if measurement else None, remembered_voltage),
        properties=properties,
        device_connection=device_connection,
        measurement=measurement,
    )


async def read_port(
    client: EdgeClient,
    port: int,
    *,
    remembered_mode: PortMode | None = None,
    remembered_voltage: PortVoltage | None = None,
) -> PortDeviceState:
    """Read a port's properties, device connection and measured voltage and current at once."""
    props, connection, measurement = await asyncio.gather(
        client.get_port_properties(port),
        client.get_device_connection(port),
        client.port_measurement(port),
    )
    return build_state(
        port,
        props.to_payload(),
        connection,
        measurement,
        remembered_mode=remembered_mode,
        remembered_voltage=remembered_voltage,
    )
