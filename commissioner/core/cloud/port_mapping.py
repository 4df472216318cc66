"""The installer's mapping of a THREAD's ports to cloud devices and sensors, kept as a draft.

The Cloud page edits a :class:`RegistrationDraft` (one row per port: which sensor model, which
templates, names, metrics); the draft is saved in settings per THREAD so a restart loses nothing,
and turns into a :class:`RegistrationSpec` with stable refIds only when the user previews or sends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from commissioner.core.cloud.registration import (
    DeviceSpec,
    Location,
    MetricSpec,
    RegistrationSpec,
    SensorSpec,
    device_ref_id,
    sensor_ref_id,
)
from commissioner.core.sensor_catalogue import INTERFACES, SensorModel

GENERIC_SENSOR = "GENERIC_SENSOR_SDE"
PORTS = (1, 2, 3)


@dataclass
class PortMapping:
    port: int
    enabled: bool = False
    model_id: str = "generic"
    device_template: str = "IMPORT_DEVICE_SDE"
    device_name: str = ""
    sensor_template: str = GENERIC_SENSOR
    sensor_name: str = ""
    metrics: list[tuple[str, str]] = field(default_factory=list)  # (metric, unit)
    known_metrics: bool = False
    serial_no: str = ""
    notes: str = ""

    def apply_model(self, model: SensorModel, thread_serial: str) -> None:
        """Fill the row from a catalogue model (templates, names, metrics)."""
        self.model_id = model.id
        self.device_template = model.device_template
        self.sensor_template = model.sensor_template
        self.device_name = f"THREAD {thread_serial} port {self.port}"
        self.sensor_name = model.name
        self.metrics = [(c.metric, c.unit) for c in model.channels]
        self.known_metrics = all(c.known for c in model.channels)

    def as_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["metrics"] = [list(m) for m in self.metrics]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PortMapping:
        values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        values["metrics"] = [(str(m[0]), str(m[1])) for m in values.get("metrics", [])]
        return cls(**values)


@dataclass
class RegistrationDraft:
    thread_serial: str
    ports: list[PortMapping]
    node_id: str | None = None  # None: a new connection (simple approach)
    location: Location | None = None
    notes: str = ""

    def to_spec(self, project_id: str = "") -> RegistrationSpec:
        """The spec for the enabled rows; refIds derive from the serial and port, so they repeat."""
        devices = []
        for row in self.ports:
            if not row.enabled:
                continue
            metrics: tuple[MetricSpec, ...] = ()
            if row.sensor_template == GENERIC_SENSOR:
                metrics = tuple(MetricSpec(m, u, known=row.known_metrics) for m, u in row.metrics)
            sensor = SensorSpec(
                ref_id=sensor_ref_id(self.thread_serial, row.port, 0),
                integration_id=row.sensor_template,
                name=row.sensor_name,
                serial_no=row.serial_no,
                notes=row.notes,
                location=self.location,
                metrics=metrics,
                port=row.port,
            )
            devices.append(
                DeviceSpec(
                    ref_id=device_ref_id(self.thread_serial, row.port),
                    integration_id=row.device_template,
                    name=row.device_name,
                    notes=self.notes,
                    location=self.location,
                    port=row.port,
                    sensors=(sensor,),
                )
            )
        return RegistrationSpec(
            thread_serial=self.thread_serial,
            node_id=self.node_id or None,
            devices=tuple(devices),
            project_id=project_id,
        )

    def as_json(self) -> dict[str, Any]:
        location = self.location
        return {
            "thread_serial": self.thread_serial,
            "node_id": self.node_id,
            "location": None
            if location is None
            else [location.longitude, location.latitude, location.elevation],
            "notes": self.notes,
            "ports": [row.as_json() for row in self.ports],
        }

    @classmethod
    def from_json(cls, data: object) -> RegistrationDraft | None:
        """A saved draft, or None when it is unusable (the caller then starts afresh)."""
        if not isinstance(data, dict):
            return None
        try:
            loc = data.get("location")
            location = None if not loc else Location(float(loc[0]), float(loc[1]), float(loc[2]))
            return cls(
                thread_serial=str(data["thread_serial"]),
                ports=[PortMapping.from_json(p) for p in data.get("ports", [])],
                node_id=data.get("node_id") or None,
                location=location,
                notes=str(data.get("notes", "")),
            )
        except (KeyError, TypeError, ValueError, IndexError):
            return None


def default_draft(
    thread_serial: str, models: Sequence[SensorModel], port_modes: Mapping[int, str]
) -> RegistrationDraft:
    """A first mapping: each port whose mode this app set gets the catalogue model for it."""
    rows = []
    for port in PORTS:
        row = PortMapping(port)
        interface = _interface(port_modes.get(port, ""))
        model = next((m for m in models if m.interface == interface and m.id != "generic"), None)
        if model is None:
            model = next((m for m in models if m.id == "generic"), None)
        if model is not None:
            row.apply_model(model, thread_serial)
        row.enabled = interface != "" and model is not None and model.id != "generic"
        rows.append(row)
    return RegistrationDraft(thread_serial, rows)


def _interface(mode: str) -> str:
    """The catalogue interface a THREAD port mode carries ("" for OFF or unknown)."""
    mode = mode.upper()
    return mode if mode in INTERFACES else ""
