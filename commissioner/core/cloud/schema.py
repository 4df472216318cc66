"""Local validation of an IntegrationRequest before it is sent or queued.

An installer offline in the field should learn that a registration is wrong while still standing
next to the THREAD, not hours later when the queue is flushed and the cloud answers 422. So this
checks the published JSON schema (seed 000) and the documented rules (Sensor Data Service docs)
and reports every problem with the same target paths the cloud uses, e.g.
``integration.devices[0].sensors[1].props.INTEGRATION_ID``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from commissioner.core.cloud.errors import FieldProblem
from commissioner.core.cloud.registration import GENERIC_SENSOR, ChangeState

MISSING_INTEGRATION_ID = (
    "Minimum request parameters not provided, new Devices and Sensors must have a valid "
    "`props.INTEGRATION_ID` set."
)
_STATES = {c.value for c in ChangeState}
_TEXT_PROPS = ("INTEGRATION_ID", "NAME", "NOTES", "SERIAL_NO")


@dataclass(frozen=True)
class Catalogue:
    """Known template ids; an empty collection means "not known, do not check"."""

    device_types: Collection[str] = ()
    sensor_types: Collection[str] = ()
    metrics: Collection[str] = ()


class _Checker:
    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.problems: list[FieldProblem] = []
        self.ref_ids: dict[str, str] = {}

    def add(self, target: str, message: str, code: str = "InvalidValue") -> None:
        self.problems.append(FieldProblem(message=message, target=target, code=code))

    def typed(self, value: object, kind: type, target: str, what: str) -> bool:
        ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
        if not ok:
            self.add(target, f"must be {what}", "InvalidType")
        return ok

    def top(self, request: object) -> None:
        if not self.typed(request, dict, "", "a JSON object"):
            return
        assert isinstance(request, dict)
        for key in request:
            if key != "integration":
                self.add(str(key), "is not a property of an integration request", "UnknownProperty")
        integration = request.get("integration")
        if integration is None:
            self.add("integration", "is required", "Required")
        elif self.typed(integration, dict, "integration", "an object"):
            assert isinstance(integration, dict)
            self.integration(integration)

    def integration(self, data: Mapping[str, Any]) -> None:
        node_id = data.get("nodeId")
        if node_id is not None:
            self.typed(node_id, str, "integration.nodeId", "a string")
        elif data.get("changeState") != ChangeState.NEW.value:
            self.add(
                "integration.changeState",
                'must be "new" to create a connection when no nodeId is given',
            )
        devices = data.get("devices", [])
        if self.typed(devices, list, "integration.devices", "an array"):
            for i, device in enumerate(devices):
                self.entity(device, f"integration.devices[{i}]", is_device=True)

    def entity(self, data: object, path: str, *, is_device: bool) -> None:
        if not self.typed(data, dict, path, "an object"):
            return
        assert isinstance(data, dict)
        state = data.get("changeState")
        for key in ("changeState", "props", "sensors") if is_device else ("changeState", "props"):
            if key not in data:
                self.add(f"{path}.{key}", "is required", "Required")
        if "changeState" in data and state not in _STATES:
            self.add(f"{path}.changeState", 'must be "new", "update" or "remove"')
        self.ref_id(data, path, state)
        props = data.get("props", {})
        if self.typed(props, dict, f"{path}.props", "an object"):
            self.props(props, f"{path}.props", state, is_device)
        if is_device and self.typed(data.get("sensors", []), list, f"{path}.sensors", "an array"):
            for k, sensor in enumerate(data.get("sensors", [])):
                self.entity(sensor, f"{path}.sensors[{k}]", is_device=False)

    def ref_id(self, data: Mapping[str, Any], path: str, state: object) -> None:
        if "refId" not in data:
            why = f" to {state} an entity" if state in ("update", "remove") else ""
            self.add(f"{path}.refId", f"is required{why}", "Required")
            return
        ref_id = data["refId"]
        if not self.typed(ref_id, str, f"{path}.refId", "a string"):
            return
        if not ref_id:
            self.add(f"{path}.refId", "must not be empty")
        elif ref_id in self.ref_ids:
            self.add(f"{path}.refId", f"repeats {self.ref_ids[ref_id]}", "Duplicate")
        else:
            self.ref_ids[ref_id] = f"{path}.refId"

    def props(self, props: Mapping[str, Any], path: str, state: object, is_device: bool) -> None:
        for key in _TEXT_PROPS:
            if key in props:
                self.typed(props[key], str, f"{path}.{key}", "a string")
        kind = props.get("INTEGRATION_ID")
        if state == ChangeState.NEW.value and not kind:
            self.add(f"{path}.INTEGRATION_ID", MISSING_INTEGRATION_ID, "Required")
        known = self.catalogue.device_types if is_device else self.catalogue.sensor_types
        if isinstance(kind, str) and kind and known and kind not in known:
            what = "device" if is_device else "sensor"
            self.add(f"{path}.INTEGRATION_ID", f"{kind!r} is not a known {what} type", "UnknownId")
        if "LOCATION" in props:
            self.location(props["LOCATION"], f"{path}.LOCATION")
        if not is_device:
            self.metrics(props, path, generic=kind == GENERIC_SENSOR and state == "new")

    def location(self, value: object, path: str) -> None:
        shape = 'must be {"type": "Point", "coordinates": [longitude, latitude, elevation]}'
        if not isinstance(value, dict) or value.get("type") != "Point":
            self.add(path, shape)
            return
        coords = value.get("coordinates")
        numbers = isinstance(coords, list) and all(
            isinstance(c, int | float) and not isinstance(c, bool) for c in coords
        )
        if not numbers or not isinstance(coords, list) or len(coords) not in (2, 3):
            self.add(f"{path}.coordinates", shape)
            return
        if not -180 <= coords[0] <= 180:
            self.add(f"{path}.coordinates[0]", "longitude must be between -180 and 180")
        if not -90 <= coords[1] <= 90:
            self.add(f"{path}.coordinates[1]", "latitude must be between -90 and 90")

    def index_map(self, props: Mapping[str, Any], key: str, path: str) -> set[str]:
        value = props.get(key)
        if value is None:
            return set()
        if not isinstance(value, dict) or not all(isinstance(v, str) and v for v in value.values()):
            self.add(f"{path}.{key}", 'must map "0", "1", ... to non-empty strings', "InvalidType")
            return set()
        keys = set(value)
        if keys != {str(i) for i in range(len(keys))}:
            self.add(f"{path}.{key}", 'keys must be "0", "1", ... without gaps')
        return keys

    def metrics(self, props: Mapping[str, Any], path: str, *, generic: bool) -> None:
        metric_keys = [self.index_map(props, k, path) for k in ("KNOWN_METRICS", "UNKNOWN_METRICS")]
        unit_keys = [self.index_map(props, k, path) for k in ("KNOWN_UNITS", "UNKNOWN_UNITS")]
        present = [k in props for k in ("KNOWN_METRICS", "UNKNOWN_METRICS")]
        units_present = [k in props for k in ("KNOWN_UNITS", "UNKNOWN_UNITS")]
        if generic and not any(present):
            self.add(f"{path}.UNKNOWN_METRICS", "a generic sensor needs its metrics", "Required")
        if generic and not any(units_present):
            self.add(f"{path}.UNKNOWN_UNITS", "a generic sensor needs its units", "Required")
        if any(present) and any(units_present):
            metrics, units = metric_keys[0] | metric_keys[1], unit_keys[0] | unit_keys[1]
            if metrics != units:
                self.add(f"{path}.UNKNOWN_UNITS", "metrics and units must have the same keys")
        known_metrics = props.get("KNOWN_METRICS")
        if self.catalogue.metrics and isinstance(known_metrics, dict):
            for index, metric in known_metrics.items():
                if metric not in self.catalogue.metrics:
                    self.add(
                        f"{path}.KNOWN_METRICS.{index}",
                        f"{metric!r} is not a known metric; use UNKNOWN_METRICS",
                        "UnknownId",
                    )


def validate_request(request: object, catalogue: Catalogue | None = None) -> list[FieldProblem]:
    """Every problem found in ``request``; an empty list means it may be sent."""
    checker = _Checker(catalogue or Catalogue())
    checker.top(request)
    return checker.problems
