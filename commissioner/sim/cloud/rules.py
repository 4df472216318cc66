"""The 422 rules of ``integrations/integrate``: every problem with the path of the offending field.

The real service reports one message; the simulator reports the first problem as the error and
all of them in ``details`` with targets like ``integration.devices[0].sensors[1].props.INTEGRATION_ID``
so the client can point the installer at the field to fix.
"""

from __future__ import annotations

from typing import Any

from commissioner.sim.cloud.catalogue import DEVICE_TYPES, GENERIC_SENSOR, METRICS, SENSOR_TYPES
from commissioner.sim.cloud.catalogue import indexed as _indexed
from commissioner.sim.cloud.state import CloudState, Entity

MISSING_INTEGRATION_ID = (
    "Minimum request parameters not provided, new Devices and Sensors must have a valid "
    "`props.INTEGRATION_ID` set."
)
INVALID_NODE = "Cannot process integration ensure the provided nodeId is valid."
CHANGE_STATES = ("new", "update", "remove")
TOP_LEVEL_KEYS = frozenset({"integration"})

Problem = tuple[str, str]  # (message, target)


def find_by_ref(entities: list[Entity], ref_id: object) -> Entity | None:
    """The entity whose SERIAL_NO is ``ref_id`` (the last one when the client made duplicates)."""
    found = [e for e in entities if isinstance(ref_id, str) and e.props.get("SERIAL_NO") == ref_id]
    return found[-1] if found else None


def _location(value: object, target: str) -> list[Problem]:
    ok = isinstance(value, dict) and value.get("type") == "Point"
    coords = value.get("coordinates") if isinstance(value, dict) else None
    if ok and isinstance(coords, list) and len(coords) in (2, 3):
        nums = [c for c in coords if isinstance(c, int | float) and not isinstance(c, bool)]
        if len(nums) == len(coords) and -180 <= nums[0] <= 180 and -90 <= nums[1] <= 90:
            return []
    message = (
        'LOCATION must be {"type": "Point", "coordinates": [longitude, latitude, elevation]} '
        "with longitude in [-180, 180] and latitude in [-90, 90]."
    )
    return [(message, target)]


def _generic(props: dict[str, Any], target: str) -> list[Problem]:
    metric_key = "KNOWN_METRICS" if "KNOWN_METRICS" in props else "UNKNOWN_METRICS"
    unit_key = "KNOWN_UNITS" if "KNOWN_UNITS" in props else "UNKNOWN_UNITS"
    if metric_key not in props or unit_key not in props:
        missing = metric_key if metric_key not in props else unit_key
        return [
            (
                f"{GENERIC_SENSOR} sensors must define metrics (KNOWN_METRICS or UNKNOWN_METRICS) "
                "and units (KNOWN_UNITS or UNKNOWN_UNITS).",
                f"{target}.{missing}",
            )
        ]
    problems: list[Problem] = []
    metrics, units = _indexed(props[metric_key]), _indexed(props[unit_key])
    for key, value in ((metric_key, metrics), (unit_key, units)):
        if value is None:
            problems.append(
                (f'{key} must map the keys "0", "1", ... to non-empty strings.', f"{target}.{key}")
            )
    if problems or metrics is None or units is None:
        return problems
    if sorted(metrics) != sorted(units):
        problems.append(
            (f"{unit_key} must have the same keys as {metric_key}.", f"{target}.{unit_key}")
        )
    if metric_key == "KNOWN_METRICS":
        for key, metric in metrics.items():
            if metric not in METRICS:
                problems.append(
                    (
                        f"Unknown metric {metric!r}: not in the metric catalogue.",
                        f"{target}.KNOWN_METRICS.{key}",
                    )
                )
    return problems


def _entity(
    item: object,
    path: str,
    catalogue: dict[str, Any],
    existing: list[Entity] | None,
    *,
    sensor: bool,
) -> tuple[list[Problem], str]:
    """Problems of one device or sensor entry, and its changeState ("" when invalid)."""
    if not isinstance(item, dict):
        return [("Must be an object.", path)], ""
    state = item.get("changeState")
    if state not in CHANGE_STATES:
        return [("changeState must be one of new, update, remove.", f"{path}.changeState")], ""
    props = item.get("props", {})
    if not isinstance(props, dict):
        return [("props must be an object.", f"{path}.props")], ""
    ref_id = item.get("refId")
    if ref_id is not None and not isinstance(ref_id, str):
        return [("refId must be a string.", f"{path}.refId")], ""
    problems: list[Problem] = []
    merged = dict(props)
    if state in ("update", "remove"):
        if not ref_id:
            return [(f"refId is required to {state} an entity.", f"{path}.refId")], ""
        target = find_by_ref(existing or [], ref_id)
        if target is None:
            return [(f"No entity with refId {ref_id!r} to {state}.", f"{path}.refId")], ""
        if state == "remove":
            return [], state
        merged = {**target.props, **props}
    integration_id = merged.get("INTEGRATION_ID")
    if not isinstance(integration_id, str) or not integration_id:
        problems.append((MISSING_INTEGRATION_ID, f"{path}.props.INTEGRATION_ID"))
    elif integration_id not in catalogue:
        kind = "sensor" if sensor else "device"
        problems.append(
            (
                f"Unknown {kind} INTEGRATION_ID {integration_id!r}: not a {kind} type.",
                f"{path}.props.INTEGRATION_ID",
            )
        )
    elif sensor and integration_id == GENERIC_SENSOR:
        problems.extend(_generic(merged, f"{path}.props"))
    if "LOCATION" in props:
        problems.extend(_location(props["LOCATION"], f"{path}.props.LOCATION"))
    return problems, state


def validate(state: CloudState, body: object, node: Entity | None) -> list[Problem]:
    """All problems of an IntegrationRequest for ``node`` (None: a new node will be created)."""
    if not isinstance(body, dict):
        return [("The request body must be a JSON object.", "")]
    problems: list[Problem] = [
        (f"Unknown property {key!r}.", key) for key in body if key not in TOP_LEVEL_KEYS
    ]
    integration = body.get("integration")
    if not isinstance(integration, dict):
        return [*problems, ("integration must be an object.", "integration")]
    if "nodeId" not in integration and integration.get("changeState") != "new":
        problems.append(
            (
                'A new connection needs integration.changeState "new" (or give integration.nodeId).',
                "integration.changeState",
            )
        )
    devices = integration.get("devices", [])
    if not isinstance(devices, list):
        return [*problems, ("devices must be an array.", "integration.devices")]
    existing_devices = state.devices_of(node.id) if node is not None else []
    for i, device in enumerate(devices):
        path = f"integration.devices[{i}]"
        found, change = _entity(device, path, DEVICE_TYPES, existing_devices, sensor=False)
        problems.extend(found)
        if not change or change == "remove" or not isinstance(device, dict):
            continue
        sensors = device.get("sensors", [])
        if not isinstance(sensors, list):
            problems.append(("sensors must be an array.", f"{path}.sensors"))
            continue
        owner = find_by_ref(existing_devices, device.get("refId")) if change == "update" else None
        existing_sensors = state.sensors_of(owner.id) if owner is not None else []
        for k, sensor in enumerate(sensors):
            found, _ = _entity(
                sensor, f"{path}.sensors[{k}]", SENSOR_TYPES, existing_sensors, sensor=True
            )
            problems.extend(found)
    return problems
