"""The sensor catalogue: models an installer can pick for a port, with wiring and cloud templates.

One file (``resources/sensors/catalogue.toml``) feeds the cloud mapping (device and sensor
templates, metrics and units) and the commissioning checks (supply limits, framing, ranges), so a
sensor is described once. A broken entry is reported with its position, never half-loaded.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commissioner.resources import resource_path

INTERFACES = ("RS232", "RS485", "SDI12", "ANALOG", "USB")


class CatalogueError(ValueError):
    """The catalogue file is unreadable or an entry breaks its documented format."""


@dataclass(frozen=True)
class ChannelModel:
    name: str
    metric: str
    unit: str
    known: bool = False
    minimum: float = -math.inf
    maximum: float = math.inf
    interval_s: float | None = None


@dataclass(frozen=True)
class SensorModel:
    id: str
    name: str
    interface: str
    device_template: str
    sensor_template: str
    channels: tuple[ChannelModel, ...]
    manufacturer: str = ""
    supply_v: int | None = None
    max_supply_v: float | None = None
    baud: int | None = None
    data_bits: int | None = None
    parity: str | None = None
    stop_bits: int | None = None
    parser: str = "csv"
    poll: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def load_catalogue(path: Path | None = None) -> list[SensorModel]:
    """Every sensor model in the catalogue file, in file order."""
    source = path or resource_path("sensors", "catalogue.toml")
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError(f"Cannot read the sensor catalogue {source}: {exc}") from exc
    entries = data.get("sensor", [])
    if not isinstance(entries, list):
        raise CatalogueError("The sensor catalogue must hold [[sensor]] tables.")
    models = [_model(entry, index) for index, entry in enumerate(entries)]
    ids = [m.id for m in models]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise CatalogueError(f"Sensor ids must be unique; repeated: {', '.join(duplicates)}")
    return models


def _model(entry: object, index: int) -> SensorModel:
    where = f"sensor #{index + 1}"
    if not isinstance(entry, dict):
        raise CatalogueError(f"{where} is not a table")
    try:
        where = f"sensor {entry['id']!r}"
        required = {key: str(entry[key]) for key in ("name", "device_template", "sensor_template")}
        interface = str(entry["interface"]).upper()
        if interface not in INTERFACES:
            raise CatalogueError(f"{where}: interface must be one of {', '.join(INTERFACES)}")
        channels = tuple(_channel(c, where) for c in entry.get("channels", []))
        if not channels:
            raise CatalogueError(f"{where}: needs at least one [[sensor.channels]]")
        return SensorModel(
            id=str(entry["id"]),
            name=required["name"],
            interface=interface,
            device_template=required["device_template"],
            sensor_template=required["sensor_template"],
            channels=channels,
            manufacturer=str(entry.get("manufacturer", "")),
            supply_v=_opt_int(entry.get("supply_v")),
            max_supply_v=_opt_float(entry.get("max_supply_v")),
            baud=_opt_int(entry.get("baud")),
            data_bits=_opt_int(entry.get("data_bits")),
            parity=entry.get("parity"),
            stop_bits=_opt_int(entry.get("stop_bits")),
            parser=str(entry.get("parser", "csv")),
            poll=str(entry.get("poll", "")),
        )
    except KeyError as exc:
        raise CatalogueError(f"{where}: missing key {exc.args[0]!r}") from exc
    except (TypeError, ValueError) as exc:
        if isinstance(exc, CatalogueError):
            raise
        raise CatalogueError(f"{where}: {exc}") from exc


def _channel(entry: object, where: str) -> ChannelModel:
    if not isinstance(entry, dict):
        raise CatalogueError(f"{where}: a channel is not a table")
    interval = entry.get("interval_s")
    return ChannelModel(
        name=str(entry["name"]),
        metric=str(entry["metric"]),
        unit=str(entry["unit"]),
        known=bool(entry.get("known", False)),
        minimum=float(entry.get("min", -math.inf)),
        maximum=float(entry.get("max", math.inf)),
        interval_s=None if interval is None else float(interval),
    )


def _opt_int(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]


def _opt_float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]
