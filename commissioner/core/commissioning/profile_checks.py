"""Safety and consistency rules of a profile, checked before anything is written to a THREAD.

* a port number appears once;
* the sensor's interface is the port's mode (an RS-485 sensor on an RS485 port, ...);
* the port's voltage is at most the sensor's ``max_supply_v`` (more can destroy it) and at least
  its ``supply_v`` (less and it stays silent);
* the serial framing (baud, data bits, parity, stop bits) is the sensor model's, unless the port
  says ``allow_framing_mismatch = true``;
* the parser can be built for the port's channels;
* a profile that registers in the cloud does not turn the THREAD's cloud connection off.

USB only on port 1, the documented baud rates and the battery saver ranges are checked while
reading, by the functions of :mod:`commissioner.core.edge.rules`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from commissioner.core.commissioning.profile_model import CommissioningProfile, PortProfile
from commissioner.core.commissioning.profile_read import Reader
from commissioner.core.edge.rules import PortMode
from commissioner.core.sensor_catalogue import SensorModel
from commissioner.core.streams.parsers import parser_from_spec


def check_profile(
    r: Reader,
    top: Mapping[str, Any],
    profile: CommissioningProfile,
    ports: Sequence[tuple[int, PortProfile]],
    models: Mapping[str, SensorModel],
) -> None:
    """Add a problem to ``r`` for each rule ``profile`` breaks; ``ports`` are (index, port)."""
    raw_ports = top.get("ports", [])
    _duplicates(r, raw_ports if isinstance(raw_ports, list) else [])
    for index, port in ports:
        path = f"ports[{index}]"
        model = models.get(port.sensor) if port.sensor else None
        if model is not None:
            _interface(r, path, port, model)
            _supply(r, path, port, model)
            _framing(r, path, port, model)
        _parser(r, path, port)
    thread = profile.thread
    if profile.cloud is not None and thread.cloud_connection is False:
        r.add(
            "thread.cloud_connection",
            "is false but the profile registers the THREAD in the cloud ([cloud]); its data "
            "would never arrive. Set it to true, or remove [cloud]",
        )


def _duplicates(r: Reader, raw_ports: Sequence[object]) -> None:
    seen: dict[int, int] = {}
    for index, raw in enumerate(raw_ports):
        number = raw.get("number") if isinstance(raw, Mapping) else None
        if not isinstance(number, int) or isinstance(number, bool):
            continue
        if number in seen:
            r.add(
                f"ports[{index}].number",
                f"port {number} is already described by ports[{seen[number]}]; "
                "describe each port once",
            )
        else:
            seen[number] = index


def _interface(r: Reader, path: str, port: PortProfile, model: SensorModel) -> None:
    if model.interface == port.mode.value:
        return
    if port.mode is PortMode.OFF:
        why = f"the port is OFF, but sensor {model.id} ({model.name}) needs {model.interface}"
    elif model.interface not in {m.value for m in PortMode}:
        why = f"sensor {model.id} speaks {model.interface}, which no THREAD port mode carries"
    else:
        why = (
            f"sensor {model.id} ({model.name}) is {model.interface}, but port {port.number} "
            f'is set to {port.mode.value}; set mode = "{model.interface}" or pick another sensor'
        )
    r.add(f"{path}.mode", why)


def _supply(r: Reader, path: str, port: PortProfile, model: SensorModel) -> None:
    volts = port.voltage.volts
    if model.max_supply_v is not None and volts > model.max_supply_v:
        r.add(
            f"{path}.voltage",
            f"{volts:g} V on port {port.number} is above the {model.max_supply_v:g} V maximum "
            f"supply of sensor {model.id} ({model.name}) and can damage it; "
            f"choose {_safe(model)}",
        )
    if model.supply_v is not None and volts < model.supply_v:
        given = "off" if volts == 0 else f"{volts:g} V"
        r.add(
            f"{path}.voltage",
            f"port {port.number} supplies {given}, but sensor {model.id} ({model.name}) needs "
            f"{model.supply_v:g} V to run; choose {_safe(model)}",
        )


def _safe(model: SensorModel) -> str:
    low = model.supply_v or 0
    high = model.max_supply_v if model.max_supply_v is not None else 15
    choices = [f"{v} V" for v in (12, 15) if low <= v <= high]
    return " or ".join(choices) if choices else "another port voltage"


def _framing(r: Reader, path: str, port: PortProfile, model: SensorModel) -> None:
    serial = port.serial
    if serial is None or serial.allow_framing_mismatch:
        return
    given = {
        "baud": serial.baud,
        "data_bits": serial.data_bits,
        "parity": None if serial.parity is None else serial.parity.value,
        "stop_bits": serial.stop_bits,
    }
    wanted = {
        "baud": model.baud,
        "data_bits": model.data_bits,
        "parity": None if model.parity is None else str(model.parity).upper(),
        "stop_bits": model.stop_bits,
    }
    for key, value in given.items():
        expected = wanted[key]
        if expected is None or value is None or value == expected:
            continue
        r.add(
            f"{path}.serial.{key}",
            f"{value} differs from sensor {model.id}'s {expected}, so its data would be "
            f"garbled; use {expected}, or set allow_framing_mismatch = true if this unit is "
            "configured differently",
        )


def _parser(r: Reader, path: str, port: PortProfile) -> None:
    if port.parser is None:
        return
    spec = port.parser.spec(port.channels)
    if spec is None:
        return
    if not port.channels and port.parser.kind == "csv":
        r.add(f"{path}.channels", "a csv parser needs at least one channel")
        return
    try:
        parser_from_spec(spec)
    except ValueError as exc:
        r.add(f"{path}.parser", str(exc))
