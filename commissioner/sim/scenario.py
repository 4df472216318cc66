"""Scenarios: what a simulated THREAD is and what is plugged into it, read from TOML files.

A scenario lets a bench, a demo or a test describe a whole installation without code. Shipped
scenarios live in ``resources/scenarios/<name>.toml``; ``load_scenario`` takes such a name or a path
to any ``.toml`` file. Every table and key is optional (defaults in brackets); unknown keys are an
error, so a typo never silently falls back to a default::

    name = "default"                       # shown in logs and /_sim/state
    description = "..."

    [device]
    hardware = "V12"                       # "V11" or older reports pressure in hPa, not daPa
    application = "7.18.0"                 # GET version
    firmware = "4.2.1"                     # GET firmware
    latest_application = "7.19.0"         # what POST update installs without ?version / ?file
    serial_number = "A1B2C3"               # 6 hex characters; random (seedable) when absent
    clock_offset_s = -95.0                 # RTC error at start, seconds [0]
    clock_drift_ppm = 40.0                 # RTC drift [0]
    time_sync_s = 3.0                      # timeAccurate is false this long after a boot [3]
    update_restart_s = 5.0                 # how long POST update takes the API away [5]

    [power]                                # see commissioner.sim.power.PowerSpec
    charge_input_v = 14.5                  # 0 = no charger (battery drains)
    max_charge_a = 0.5
    capacity_ah = 7.0
    initial_soc = 85.0
    system_load_a = 0.06

    [environment]
    temperature_c = 31.5                   # board temperature
    pressure_pa = 101325.0

    [[sensors]]                            # see commissioner.sim.sensors for the kinds
    port = 1                               # 1 to 3, one sensor per port
    kind = "csv"                           # csv | poll | analog
    name = "Weather probe"
    interface = "RS232"                    # RS232 | RS485 for csv/poll; ANALOG for analog
    baud = 9600                            # serial framing of the sensor
    data_bits = 8
    parity = "NONE"
    stop_bits = 1
    min_supply_v = 9.0                     # it works with the port voltage in this range
    max_supply_v = 15.0
    load_ma = 35.0                         # supply current while powered (analog: loop current)
    interval_s = 1.0                       # csv: seconds between lines
    # kind-specific: csv temperature_c, humidity_pct, pressure_hpa; poll address, value, unit,
    # model; analog min_ma, max_ma, period_s

    [[ports]]                              # optional stored port config, as if set up before
    number = 1
    mode = "RS232"                         # deviceRsSel content
    voltage = 1                            # deviceVoltage code: 0 off, 1 = 12 V, 2 = 15 V
    device_connection = true
    properties = { BAUD_RATE = 9600 }      # as PUT configure takes them

A factory reset forgets ``[[ports]]`` (the factory defaults are all ports off).
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from commissioner.core.edge import rules
from commissioner.core.edge.errors import EdgeValidationError
from commissioner.core.edge.rules import PortMode
from commissioner.resources import resource_path
from commissioner.sim.power import EnvironmentSpec, PowerSpec
from commissioner.sim.sensors import SENSOR_KINDS, SensorSpec

_SERIAL = re.compile(r"^[0-9A-F]{6}$")


class ScenarioError(ValueError):
    """A scenario file is missing or breaks the format; the message says where."""


@dataclass(frozen=True)
class DeviceSpec:
    """Identity, clock and timing of the simulated gateway."""

    hardware: str = "V12"
    application: str = "7.18.0"
    firmware: str = "4.2.1"
    latest_application: str = "7.19.0"
    serial_number: str = ""
    clock_offset_s: float = 0.0
    clock_drift_ppm: float = 0.0
    time_sync_s: float = 3.0
    update_restart_s: float = 5.0


@dataclass(frozen=True)
class PortSpec:
    """Port configuration stored on the gateway when the scenario starts."""

    number: int
    mode: PortMode = PortMode.OFF
    voltage: int = 0
    device_connection: bool = False
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    """Everything a ThreadServer needs to know about the gateway it plays."""

    name: str = "default"
    description: str = ""
    device: DeviceSpec = field(default_factory=DeviceSpec)
    power: PowerSpec = field(default_factory=PowerSpec)
    environment: EnvironmentSpec = field(default_factory=EnvironmentSpec)
    sensors: tuple[SensorSpec, ...] = ()
    ports: tuple[PortSpec, ...] = ()

    def sensor_on(self, port: int) -> SensorSpec | None:
        return next((s for s in self.sensors if s.port == port), None)


def load_scenario(name_or_path: str = "default") -> Scenario:
    """A shipped scenario by name (``default``, ``v11``) or any scenario file by path."""
    path = Path(name_or_path)
    if not (path.suffix == ".toml" or path.exists()):
        try:
            path = resource_path("scenarios", f"{name_or_path}.toml")
        except FileNotFoundError as exc:
            raise ScenarioError(f"no scenario named {name_or_path!r}: {exc}") from exc
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot read scenario {path}: {exc}") from exc
    return parse_scenario(text, default_name=path.stem, source=str(path))


def parse_scenario(
    text: str, *, default_name: str = "scenario", source: str = "<text>"
) -> Scenario:
    """A scenario from TOML text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: not valid TOML: {exc}") from exc
    try:
        return _scenario(data, default_name)
    except (ValueError, TypeError) as exc:
        raise ScenarioError(f"{source}: {exc}") from exc


def _scenario(data: Mapping[str, Any], default_name: str) -> Scenario:
    known = {"name", "description", "device", "power", "environment", "sensors", "ports"}
    _no_unknown(data, known, "scenario")
    device = _build(DeviceSpec, data.get("device", {}), "device")
    if device.serial_number and not _SERIAL.match(device.serial_number):
        raise ValueError(
            f"device.serial_number must be 6 upper-case hex characters, got {device.serial_number!r}"
        )
    sensors = tuple(_sensor(item, i) for i, item in enumerate(_tables(data, "sensors")))
    ports_used = [s.port for s in sensors]
    if len(set(ports_used)) != len(ports_used):
        raise ValueError("one sensor per port: two [[sensors]] use the same port")
    ports = tuple(_port(item, i) for i, item in enumerate(_tables(data, "ports")))
    return Scenario(
        name=_typed(data.get("name", default_name), str, "name"),
        description=_typed(data.get("description", ""), str, "description"),
        device=device,
        power=_build(PowerSpec, data.get("power", {}), "power"),
        environment=_build(EnvironmentSpec, data.get("environment", {}), "environment"),
        sensors=sensors,
        ports=ports,
    )


def _sensor(item: Mapping[str, Any], index: int) -> SensorSpec:
    where = f"sensors[{index}]"
    spec = _build(SensorSpec, item, where)
    rules.port(spec.port, f"{where}.port")
    if spec.kind not in SENSOR_KINDS:
        raise ValueError(
            f"{where}.kind must be one of {', '.join(SENSOR_KINDS)}, got {spec.kind!r}"
        )
    serial = spec.interface in (PortMode.RS232, PortMode.RS485)
    if spec.is_serial != serial or (
        spec.kind == "analog" and spec.interface is not PortMode.ANALOG
    ):
        raise ValueError(
            f"{where}: a {spec.kind} sensor cannot use interface {spec.interface.value}"
        )
    if spec.is_serial:
        spec.framing  # noqa: B018 - validates baud, data bits and stop bits
    if spec.min_supply_v > spec.max_supply_v:
        raise ValueError(f"{where}: min_supply_v is above max_supply_v")
    if spec.interval_s <= 0:
        raise ValueError(f"{where}.interval_s must be positive")
    return spec


def _port(item: Mapping[str, Any], index: int) -> PortSpec:
    where = f"ports[{index}]"
    spec = _build(PortSpec, item, where)
    try:
        number = rules.port(spec.number, f"{where}.number")
        rules.port_mode(number, spec.mode.value)
        rules.port_voltage(spec.voltage)
        props = rules.port_properties(number, spec.properties) if spec.properties else {}
    except EdgeValidationError as exc:
        raise ValueError(f"{where}: {exc}") from exc
    return dataclasses.replace(spec, properties=props)


def _tables(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ValueError(f"{key} must be an array of tables ([[{key}]])")
    return items


_T = TypeVar("_T")


def _build(cls: type[_T], table: object, where: str) -> _T:
    """A dataclass from a TOML table, checking key names and value types."""
    if not isinstance(table, dict):
        raise ValueError(f"[{where}] must be a table")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    _no_unknown(table, names, where)
    kwargs = {key: _convert(value, hints[key], f"{where}.{key}") for key, value in table.items()}
    return cls(**kwargs)


def _convert(value: object, hint: Any, where: str) -> object:
    if isinstance(hint, type) and issubclass(hint, Enum):
        try:
            return hint(str(value).upper())
        except ValueError:
            allowed = ", ".join(str(m.value) for m in hint)
            raise ValueError(f"{where} must be one of {allowed}, got {value!r}") from None
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{where} must be a number, got {value!r}")
        return float(value)
    if hint is int:
        return _typed(value, int, where)
    if hint is bool:
        return _typed(value, bool, where)
    if hint is str:
        return _typed(value, str, where)
    return _typed(value, dict, where)


def _typed(value: object, kind: type[_T], where: str) -> _T:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"{where} must be a {kind.__name__}, got {value!r}")
    return value


def _no_unknown(table: Mapping[str, Any], known: set[str], where: str) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise ValueError(f"unknown key(s) in [{where}]: {', '.join(unknown)}")
