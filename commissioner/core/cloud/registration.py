"""What to register for a THREAD, and the IntegrationRequest JSON the integrate endpoint expects.

A :class:`RegistrationSpec` is the installer's intent (one THREAD, its ports as devices, their
channels as sensors). :func:`build_request` turns it into the documented request body: a new
connection (``integration.changeState: "new"``, the simple approach) or devices added to an
existing connection (``integration.nodeId``, the advanced approach). RefIds are derived from the
THREAD serial and the port, so registering the same THREAD again addresses the same cloud
entities instead of creating copies (the cloud stores the refId as the entity's SERIAL_NO).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import MISSING, asdict, dataclass, field, fields, is_dataclass
from enum import StrEnum
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

GENERIC_SENSOR = "GENERIC_SENSOR_SDE"
IMPORT_DEVICE = "IMPORT_DEVICE_SDE"
SPEC_FORMAT = "thread-commissioner/registration-spec"
_REF = re.compile(r"^thread-(?P<serial>.+?)-port(?P<port>\d+)(?:-sensor(?P<sensor>\d+))?$")


class ChangeState(StrEnum):
    """What the cloud should do with one entity."""

    NEW = "new"
    UPDATE = "update"
    REMOVE = "remove"


def node_ref_id(thread_serial: str) -> str:
    """The journal's key for the connection (node) of one THREAD; never sent to the cloud."""
    return f"thread-{thread_serial}"


def device_ref_id(thread_serial: str, port: int) -> str:
    return f"thread-{thread_serial}-port{port}"


def sensor_ref_id(thread_serial: str, port: int, index: int) -> str:
    return f"thread-{thread_serial}-port{port}-sensor{index}"


def parse_ref_id(ref_id: str) -> tuple[str, int, int | None] | None:
    """(THREAD serial, port, sensor index or None) of a refId made here; None for foreign ones."""
    match = _REF.match(ref_id)
    if match is None:
        return None
    sensor = match.group("sensor")
    return match.group("serial"), int(match.group("port")), int(sensor) if sensor else None


@dataclass(frozen=True)
class Location:
    longitude: float
    latitude: float
    elevation: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {"type": "Point", "coordinates": [self.longitude, self.latitude, self.elevation]}


@dataclass(frozen=True)
class MetricSpec:
    """One channel of a generic sensor. ``known``: the metric id is in the cloud's catalogue;
    ``unit_known`` (default: same as ``known``) says the same of the unit."""

    name: str
    unit: str
    known: bool = False
    unit_known: bool | None = None

    @property
    def unit_is_known(self) -> bool:
        return self.known if self.unit_known is None else self.unit_known


@dataclass(frozen=True)
class SensorSpec:
    ref_id: str
    integration_id: str
    name: str
    serial_no: str = ""
    notes: str = ""
    location: Location | None = None
    metrics: tuple[MetricSpec, ...] = ()
    change: ChangeState = ChangeState.NEW
    port: int | None = None


@dataclass(frozen=True)
class DeviceSpec:
    ref_id: str
    integration_id: str
    name: str
    serial_no: str = ""
    notes: str = ""
    location: Location | None = None
    port: int | None = None
    sensors: tuple[SensorSpec, ...] = ()
    change: ChangeState = ChangeState.NEW


@dataclass(frozen=True)
class RegistrationSpec:
    """``node_id`` None: create a new connection (simple approach); set: add to it (advanced)."""

    thread_serial: str
    node_id: str | None = None
    devices: tuple[DeviceSpec, ...] = field(default_factory=tuple)
    project_id: str = ""


def metric_props(metrics: Iterable[MetricSpec]) -> dict[str, dict[str, str]]:
    """Index-keyed metric and unit objects ("0", "1", ...) as the generic sensor docs show."""
    items = list(metrics)
    if not items:
        return {}
    names = {str(i): m.name for i, m in enumerate(items)}
    units = {str(i): m.unit for i, m in enumerate(items)}
    metric_key = "KNOWN_METRICS" if all(m.known for m in items) else "UNKNOWN_METRICS"
    unit_key = "KNOWN_UNITS" if all(m.unit_is_known for m in items) else "UNKNOWN_UNITS"
    return {metric_key: names, unit_key: units}


def _entry(
    state: str, ref_id: str, props: Mapping[str, Any], sensors: list[Any] | None = None
) -> dict[str, Any]:
    entry: dict[str, Any] = {"changeState": state, "refId": ref_id, "props": dict(props)}
    if sensors is not None:
        entry["sensors"] = sensors
    return entry


def entity_props(entity: DeviceSpec | SensorSpec) -> dict[str, Any]:
    """The props the cloud should hold for ``entity`` (empty texts are left out)."""
    props: dict[str, Any] = {"INTEGRATION_ID": entity.integration_id}
    for key, value in (
        ("NAME", entity.name),
        ("SERIAL_NO", entity.serial_no),
        ("NOTES", entity.notes),
    ):
        if value:
            props[key] = value
    if entity.location is not None:
        props["LOCATION"] = entity.location.as_json()
    if isinstance(entity, SensorSpec):
        props.update(metric_props(entity.metrics))
    return props


def sensor_json(sensor: SensorSpec) -> dict[str, Any]:
    removing = sensor.change is ChangeState.REMOVE
    return _entry(sensor.change.value, sensor.ref_id, {} if removing else entity_props(sensor))


def device_json(device: DeviceSpec) -> dict[str, Any]:
    if device.change is ChangeState.REMOVE:
        return _entry("remove", device.ref_id, {}, [])
    sensors = [sensor_json(s) for s in device.sensors]
    return _entry(device.change.value, device.ref_id, entity_props(device), sensors)


def build_request(spec: RegistrationSpec) -> dict[str, Any]:
    """The IntegrationRequest body for ``spec`` (see seed 000 and the Sensor Data Service docs)."""
    integration: dict[str, Any] = (
        {"nodeId": spec.node_id} if spec.node_id else {"changeState": ChangeState.NEW.value}
    )
    integration["devices"] = [device_json(d) for d in spec.devices]
    return {"integration": integration}


def _parent(ref_id: str, parents: Mapping[str, str] | None) -> str | None:
    if parents and ref_id in parents:
        return parents[ref_id]
    parsed = parse_ref_id(ref_id)
    if parsed is None or parsed[2] is None:
        return None
    return device_ref_id(parsed[0], parsed[1])


def _group(ref_ids: Iterable[str], parents: Mapping[str, str] | None) -> dict[str, list[str]]:
    """Device refId -> its sensor refIds named in ``ref_ids`` (a device itself maps to [])."""
    groups: dict[str, list[str]] = {}
    for ref in ref_ids:
        parent = _parent(ref, parents)
        if parent is None:
            groups.setdefault(ref, [])
        else:
            groups.setdefault(parent, []).append(ref)
    return groups


def update_request(
    node_id: str,
    changes: Mapping[str, Mapping[str, Any]],
    *,
    parents: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Update the props of existing entities, keyed by refId (sensors nest under their device,
    found from ``parents`` or from the refId pattern made here)."""
    devices = [
        _entry("update", dev, changes.get(dev, {}), [_entry("update", r, changes[r]) for r in refs])
        for dev, refs in _group(changes, parents).items()
    ]
    return {"integration": {"nodeId": node_id, "devices": devices}}


def removal_request(
    node_id: str, ref_ids: Iterable[str], *, parents: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Remove devices (with their sensors) or single sensors, by refId."""
    wanted = list(ref_ids)
    devices = [
        _entry("remove", dev, {}, [])
        if dev in wanted
        else _entry("update", dev, {}, [_entry("remove", r, {}) for r in refs])
        for dev, refs in _group(wanted, parents).items()
    ]
    return {"integration": {"nodeId": node_id, "devices": devices}}


# --- JSON files ----------------------------------------------------------------------------------


class SpecFileError(ValueError):
    """A registration file that cannot be read; the message names the file and the field."""


def spec_to_json(spec: RegistrationSpec) -> dict[str, Any]:
    """A JSON-ready dict of ``spec`` (enums as their values, tuples as lists)."""
    data: dict[str, Any] = json.loads(json.dumps(asdict(spec)))
    return {"format": SPEC_FORMAT, "version": 1, **data}


def _convert(hint: Any, value: object, where: str) -> Any:
    """``value`` checked against the dataclass field type ``hint``; SpecFileError otherwise."""
    args = get_args(hint)
    if get_origin(hint) in (UnionType, Union):
        if value is None and type(None) in args:
            return None
        return _convert(next(a for a in args if a is not type(None)), value, where)
    if get_origin(hint) is tuple:
        if not isinstance(value, list):
            raise SpecFileError(f"{where}: expected a list")
        return tuple(_convert(args[0], v, f"{where}[{i}]") for i, v in enumerate(value))
    if is_dataclass(hint) and isinstance(hint, type):
        return _from_dict(hint, value, where)
    if hint is ChangeState:
        if value not in {c.value for c in ChangeState}:
            raise SpecFileError(f'{where}: expected "new", "update" or "remove", not {value!r}')
        return ChangeState(str(value))
    number = isinstance(value, int | float) and not isinstance(value, bool)
    checks: dict[Any, tuple[bool, str]] = {
        str: (isinstance(value, str), "a string"),
        bool: (isinstance(value, bool), "true or false"),
        int: (number and isinstance(value, int), "a whole number"),
        float: (number, "a number"),
    }
    ok, what = checks[hint]
    if not ok:
        raise SpecFileError(f"{where}: expected {what}, not {value!r}")
    return float(value) if hint is float else value  # type: ignore[arg-type]


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    """Resolved field types of a spec dataclass, cached: resolving costs far more than parsing."""
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls)
    return _HINTS[cls]


def _from_dict(cls: type[Any], data: object, where: str) -> Any:
    if not isinstance(data, dict):
        raise SpecFileError(f"{where or 'the file'}: expected an object")
    prefix = f"{where}." if where else ""
    hints = _hints(cls)
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise SpecFileError(f"{prefix}{unknown[0]}: unknown field")
    values: dict[str, Any] = {}
    for f in fields(cls):
        if f.name in data:
            values[f.name] = _convert(hints[f.name], data[f.name], prefix + f.name)
        elif f.default is MISSING and f.default_factory is MISSING:
            raise SpecFileError(f"{prefix}{f.name}: missing")
    return cls(**values)


def spec_from_json(data: object) -> RegistrationSpec:
    """The spec in ``data`` (as written by :func:`spec_to_json`); SpecFileError names bad fields."""
    if not isinstance(data, dict):
        raise SpecFileError("the file: expected an object")
    if data.get("format", SPEC_FORMAT) != SPEC_FORMAT:
        raise SpecFileError(f"format: this is not a registration file ({data.get('format')!r})")
    body = {k: v for k, v in data.items() if k not in ("format", "version")}
    spec: RegistrationSpec = _from_dict(RegistrationSpec, body, "")
    return spec


def save_spec(spec: RegistrationSpec, path: Path) -> None:
    path.write_text(json.dumps(spec_to_json(spec), indent=2) + "\n", encoding="utf-8")


def load_spec(path: Path) -> RegistrationSpec:
    """Read a registration file; every failure is a SpecFileError naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpecFileError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SpecFileError(f"{path}: not valid JSON ({exc})") from exc
    try:
        return spec_from_json(data)
    except SpecFileError as exc:
        raise SpecFileError(f"{path}: {exc}") from exc
