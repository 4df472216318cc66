"""Verification: does the cloud now hold what was sent?

A 200 from integrate only says the request was processed. The installer needs to see, item by
item, that every device and sensor is in the connection with the name, template, notes,
location and metrics that were asked for, and that removed ones are gone, before leaving the
site. :func:`compare` turns a sent request and the connection fetched afterwards into that list.

The same comparison, made before sending, says what is still to do: :func:`reconcile` is how the
registrar avoids duplicates (the integrate endpoint does not deduplicate by refId).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from commissioner.core.cloud.models import Entity, IntegrationResult
from commissioner.core.cloud.registration import RegistrationSpec, build_request

# The cloud replaces SERIAL_NO by the refId (see the seed's advanced example), so it is not
# compared; the rest of what was sent must come back unchanged.
IGNORED_PROPS = frozenset({"SERIAL_NO"})


@dataclass(frozen=True)
class VerificationCheck:
    item: str  # e.g. "sensor thread-T1-port1-sensor0 NAME"
    expected: str
    actual: str
    ok: bool
    ref_id: str = ""


def same_value(expected: Any, actual: Any) -> bool:
    """JSON equality where 20 and 20.0 (and float noise) are the same number."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return math.isclose(expected, actual, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(expected, Mapping) and isinstance(actual, Mapping):
        return set(expected) == set(actual) and all(
            same_value(v, actual[k]) for k, v in expected.items()
        )
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(
            same_value(e, a) for e, a in zip(expected, actual, strict=True)
        )
    return bool(expected == actual)


def differing_props(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> list[str]:
    """Keys of ``expected`` whose value the cloud does not hold (SERIAL_NO ignored)."""
    return [
        key
        for key, value in expected.items()
        if key not in IGNORED_PROPS and not (key in actual and same_value(value, actual[key]))
    ]


def _text(value: Any) -> str:
    if value is None:
        return "(absent)"
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def compare(
    sent: Mapping[str, Any] | RegistrationSpec, fetched: IntegrationResult
) -> list[VerificationCheck]:
    """One check per entity presence and per sent prop; removed entities must be absent."""
    request = build_request(sent) if isinstance(sent, RegistrationSpec) else sent
    checks: list[VerificationCheck] = []
    removed_devices: set[str] = set()
    for kind, entry, parent in entries(request):
        ref = str(entry.get("refId", ""))
        state = entry.get("changeState")
        label = f"{kind} {ref}"
        found = fetched.find_by_serial(ref) if ref else None
        if state == "remove" or (parent is not None and parent in removed_devices):
            if kind == "device":
                removed_devices.add(ref)
            checks.append(
                VerificationCheck(
                    label, "removed", "present" if found else "absent", found is None, ref
                )
            )
            continue
        checks.append(
            VerificationCheck(
                label, "present", "present" if found else "missing", found is not None, ref
            )
        )
        if found is None:
            continue
        if parent is not None:
            checks.append(_parent_check(label, ref, parent, found, fetched))
        props = entry.get("props", {}) or {}
        for key, value in props.items():
            if key in IGNORED_PROPS:
                continue
            actual = found.props.get(key)
            ok = actual is not None and same_value(value, actual)
            checks.append(VerificationCheck(f"{label} {key}", _text(value), _text(actual), ok, ref))
    return checks


def _parent_check(
    label: str, ref: str, parent: str, sensor: Entity, fetched: IntegrationResult
) -> VerificationCheck:
    device = fetched.find_by_serial(parent)
    expected = device.id if device else f"(device {parent})"
    holder = next(
        (d.device.id for d in fetched.devices if any(s.id == sensor.id for s in d.sensors)),
        sensor.device,
    )
    return VerificationCheck(
        f"{label} device", expected, holder or "(none)", holder == expected, ref
    )


def all_ok(checks: list[VerificationCheck]) -> bool:
    return all(c.ok for c in checks)


# --- what is still to do -------------------------------------------------------------------


class EntityAction(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    SKIPPED = "skipped"  # already in the cloud as asked (a repeat, or after a lost answer)
    REMOVED = "removed"


@dataclass
class Plan:
    node_id: str | None
    request: dict[str, Any] | None  # None: nothing left to send
    actions: dict[str, EntityAction]  # refId -> what sending will do (or did: SKIPPED)
    known: dict[str, str]  # refId -> cloud id of entities already present


def request_devices(request: Mapping[str, Any]) -> list[dict[str, Any]]:
    devices = request.get("integration", {}).get("devices", [])
    return devices if isinstance(devices, list) else []


def entries(request: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any], str | None]]:
    for device in request_devices(request):
        yield "device", device, None
        for sensor in device.get("sensors", []) or []:
            yield "sensor", sensor, str(device.get("refId"))


def find_entity(result: IntegrationResult, device_ref: str | None, ref: str) -> Entity | None:
    """The entity with SERIAL_NO ``ref``: a device, or a sensor of device ``device_ref``."""
    for item in result.devices:
        if device_ref is None and item.device.serial == ref:
            return item.device
        if device_ref is not None and item.device.serial == device_ref:
            return next((s for s in item.sensors if s.serial == ref), None)
    return None


def reconcile(request: dict[str, Any], fetched: IntegrationResult) -> Plan:
    """What of ``request`` is still to be done in the connection ``fetched`` (pure)."""
    actions: dict[str, EntityAction] = {}
    known: dict[str, str] = {}
    devices: list[dict[str, Any]] = []

    def keep(entry: dict[str, Any], found: Entity | None) -> dict[str, Any] | None:
        ref, state = str(entry["refId"]), entry.get("changeState")
        if found is not None:
            known[ref] = found.id
        if state == "remove":
            actions[ref] = EntityAction.REMOVED if found else EntityAction.SKIPPED
            return entry if found else None
        if state == "new" and found is not None:
            diff = differing_props(entry.get("props", {}), found.props)
            actions[ref] = EntityAction.UPDATED if diff else EntityAction.SKIPPED
            props = {k: entry["props"][k] for k in diff}
            return {"changeState": "update", "refId": ref, "props": props} if diff else None
        actions[ref] = intended(entry)
        return {k: v for k, v in entry.items() if k != "sensors"}

    for device in request_devices(request):
        ref = str(device["refId"])
        found = find_entity(fetched, None, ref)
        kept = keep(device, found)
        if device.get("changeState") == "remove":
            if kept:
                devices.append({**kept, "sensors": []})
            continue
        sensors = [
            s
            for s in (
                keep(sensor, find_entity(fetched, ref, str(sensor["refId"])))
                for sensor in device.get("sensors", [])
            )
            if s is not None
        ]
        if kept is None and sensors:
            kept = {"changeState": "update", "refId": ref, "props": {}}
        if kept is not None:
            devices.append({**kept, "sensors": sensors})
    node = fetched.node.id
    body = {"integration": {"nodeId": node, "devices": devices}} if devices else None
    return Plan(node, body, actions, known)


def intended(entry: Mapping[str, Any]) -> EntityAction:
    """What sending ``entry`` does; an update without props only carries sensors (skipped)."""
    state = entry.get("changeState")
    if state == "remove":
        return EntityAction.REMOVED
    if state == "new":
        return EntityAction.CREATED
    return EntityAction.UPDATED if entry.get("props") else EntityAction.SKIPPED


def plan_as_is(request: dict[str, Any], node_id: str | None) -> Plan:
    """Send ``request`` unchanged (nothing of it is known to exist)."""
    actions = {str(e["refId"]): intended(e) for _, e, _ in entries(request)}
    return Plan(node_id, request, actions, {})
