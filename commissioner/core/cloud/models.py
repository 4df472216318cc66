"""Typed views of the sensor-data API's answers: entities, integrations, templates, uploads.

Parsing is strict about what the app relies on (ids, the integration's node and devices) and
lenient about everything else (extra props are kept as they are), so a new field in the cloud's
answer never breaks the app while a broken answer is reported as CloudMalformedResponse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from commissioner.core.cloud.errors import CloudError, CloudMalformedResponse, FieldProblem


@dataclass(frozen=True)
class Entity:
    """A node (connection), device or sensor: its id, type and free-form props."""

    id: str
    type: str = ""
    props: dict[str, Any] = field(default_factory=dict)
    device: str = ""  # sensors: the id of their device
    observation_type: str = ""

    @property
    def serial(self) -> str:
        return str(self.props.get("SERIAL_NO", ""))

    @property
    def name(self) -> str:
        return str(self.props.get("NAME", ""))

    @property
    def integration_id(self) -> str:
        return str(self.props.get("INTEGRATION_ID", ""))

    @classmethod
    def parse(cls, data: Any, url: str, where: str = "entity") -> Entity:
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise CloudMalformedResponse(url, f"{where} has no id")
        props = data.get("props") or {}
        if not isinstance(props, dict):
            raise CloudMalformedResponse(url, f"{where}.props is not an object")
        return cls(
            id=data["id"],
            type=str(data.get("type", "")),
            props=dict(props),
            device=str(data.get("device", "")),
            observation_type=str(data.get("observationType", "")),
        )


@dataclass(frozen=True)
class DeviceResult:
    device: Entity
    sensors: list[Entity] = field(default_factory=list)


@dataclass(frozen=True)
class IntegrationResult:
    """The answer of integrate and of get-integration: a node and its devices with sensors."""

    node: Entity
    devices: list[DeviceResult] = field(default_factory=list)

    def entities(self) -> list[Entity]:
        """Node, then each device followed by its sensors."""
        out = [self.node]
        for item in self.devices:
            out.append(item.device)
            out.extend(item.sensors)
        return out

    def find_by_serial(self, serial: str) -> Entity | None:
        """The entity whose SERIAL_NO (the refId it was created with) is ``serial``."""
        return next((e for e in self.entities() if e.serial == serial), None)

    @classmethod
    def parse(cls, data: Any, url: str) -> IntegrationResult:
        integration = data.get("integration") if isinstance(data, dict) else None
        if not isinstance(integration, dict):
            raise CloudMalformedResponse(url, "the answer has no integration object", str(data))
        node = Entity.parse(integration.get("node"), url, "integration.node")
        raw_devices = integration.get("devices") or []
        if not isinstance(raw_devices, list):
            raise CloudMalformedResponse(url, "integration.devices is not a list")
        devices: list[DeviceResult] = []
        for i, item in enumerate(raw_devices):
            where = f"integration.devices[{i}]"
            if not isinstance(item, dict):
                raise CloudMalformedResponse(url, f"{where} is not an object")
            sensors = item.get("sensors") or []
            if not isinstance(sensors, list):
                raise CloudMalformedResponse(url, f"{where}.sensors is not a list")
            devices.append(
                DeviceResult(
                    Entity.parse(item.get("device"), url, f"{where}.device"),
                    [Entity.parse(s, url, f"{where}.sensors[{k}]") for k, s in enumerate(sensors)],
                )
            )
        return cls(node, devices)


@dataclass(frozen=True)
class Unit:
    id: str
    name: str = ""  # "unit" in the types answers, "name" in sensors/metrics
    display_name: str = ""
    notation: str = ""

    @classmethod
    def parse(cls, data: dict[str, Any]) -> Unit:
        uid = str(data.get("id") or data.get("unit") or data.get("name") or "")
        return cls(
            uid,
            str(data.get("unit") or data.get("name") or uid),
            str(data.get("displayName", "")),
            str(data.get("notation", "")),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "unit": self.name,
            "id": self.id,
            "displayName": self.display_name,
            "notation": self.notation,
        }


@dataclass(frozen=True)
class MetricType:
    """A metric (e.g. T, Temperature) with its default unit and the units it accepts."""

    id: str
    name: str = ""
    display_name: str = ""
    default_unit: str = ""
    units: list[Unit] = field(default_factory=list)
    notation: str = ""
    hidden: bool = False

    @classmethod
    def parse(cls, data: dict[str, Any]) -> MetricType:
        mid = str(data.get("id") or data.get("metric") or data.get("name") or "")
        units = data.get("units") or []
        return cls(
            id=mid,
            name=str(data.get("metric") or data.get("name") or mid),
            display_name=str(data.get("displayName", "")),
            default_unit=str(data.get("defaultUnit", "")),
            units=[Unit.parse(u) for u in units if isinstance(u, dict)],
            notation=str(data.get("notation", "")),
            hidden=bool(data.get("hidden", False)),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "metric": self.name,
            "id": self.id,
            "displayName": self.display_name,
            "defaultUnit": self.default_unit,
            "units": [u.to_json() for u in self.units],
            "notation": self.notation,
            "hidden": self.hidden,
        }


Metric = MetricType  # what sensors/metrics returns per sensor has the same shape


@dataclass(frozen=True)
class DeviceType:
    id: str
    name: str = ""
    icon: str = ""
    manufacturer: str = ""
    min_thread_version: str = ""
    edit_only: bool = False
    is_dynamic: bool = False

    @classmethod
    def parse(cls, data: dict[str, Any]) -> DeviceType:
        return cls(
            id=str(data.get("id", "")),
            name=str(data.get("name", "")),
            icon=str(data.get("icon", "")),
            manufacturer=str(data.get("manufacturer", "")),
            min_thread_version=str(data.get("minThreadVersion", "")),
            edit_only=bool(data.get("editOnly", False)),
            is_dynamic=bool(data.get("isDynamic", False)),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "icon": self.icon,
            "manufacturer": self.manufacturer,
            "minThreadVersion": self.min_thread_version,
            "editOnly": self.edit_only,
            "isDynamic": self.is_dynamic,
        }


@dataclass(frozen=True)
class SensorType:
    id: str
    name: str = ""
    icon: str = ""
    metrics: list[MetricType] = field(default_factory=list)
    is_dynamic: bool = False

    @classmethod
    def parse(cls, data: dict[str, Any]) -> SensorType:
        metrics = data.get("metricsAndUnits") or []
        return cls(
            id=str(data.get("id", "")),
            name=str(data.get("name", "")),
            icon=str(data.get("icon", "")),
            metrics=[MetricType.parse(m) for m in metrics if isinstance(m, dict)],
            is_dynamic=bool(data.get("isDynamic", False)),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "icon": self.icon,
            "metricsAndUnits": [m.to_json() for m in self.metrics],
            "isDynamic": self.is_dynamic,
        }


def parse_list(data: Any, key: str, url: str) -> list[dict[str, Any]]:
    """``data[key]`` as a list of objects, tolerating stray spaces in keys (" sensorTypes")."""
    if not isinstance(data, dict):
        raise CloudMalformedResponse(url, f"expected an object with {key!r}", str(data)[:200])
    value = next((v for k, v in data.items() if isinstance(k, str) and k.strip() == key), None)
    if not isinstance(value, list):
        raise CloudMalformedResponse(url, f"the answer has no {key!r} list", str(data)[:200])
    return [item for item in value if isinstance(item, dict) and item.get("id")]


@dataclass
class BatchResult:
    """One upload request: which observations it carried and how it ended."""

    start: int  # index of its first observation in the whole upload
    count: int
    accepted: bool = False
    problems: list[FieldProblem] = field(default_factory=list)
    error: CloudError | None = None  # what stopped it (and the upload), other than validation


@dataclass
class UploadReport:
    """Per batch: accepted or the cloud's problems; later batches stay unsent after a stop."""

    total: int
    batches: list[BatchResult] = field(default_factory=list)

    @property
    def accepted_count(self) -> int:
        return sum(b.count for b in self.batches if b.accepted)

    @property
    def problems(self) -> list[FieldProblem]:
        return [p for b in self.batches for p in b.problems]

    @property
    def stopped_by(self) -> CloudError | None:
        return next((b.error for b in self.batches if b.error is not None), None)

    @property
    def unsent_count(self) -> int:
        return self.total - sum(b.count for b in self.batches)

    @property
    def ok(self) -> bool:
        return self.accepted_count == self.total
