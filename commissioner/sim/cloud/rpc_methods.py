"""The JSON-RPC methods of the simulated socket API (see the socket API seed document).

Every method has the same signature so dispatch is a table lookup; invalid parameters raise
:class:`RpcError` (-32602), which the hub turns into an error reply carrying the request id.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from commissioner.sim.cloud.catalogue import SENSOR_TYPES, sensor_metrics, units_of
from commissioner.sim.cloud.data import check_observations
from commissioner.sim.cloud.ids import iso_z, parse_iso
from commissioner.sim.cloud.rpc_session import Session, Subscription
from commissioner.sim.cloud.state import Entity, Project

if TYPE_CHECKING:
    from commissioner.sim.cloud.rpc import RpcHub

CHUNK = 500
Method = Callable[["RpcHub", Session, Any, dict[str, Any]], Awaitable[None]]
KINDS = {
    "Nodes": ("node", "nodes"),
    "Devices": ("device", "devices"),
    "Sensors": ("sensor", "sensors"),
}


class RpcError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _strings(params: dict[str, Any], key: str, *, required: bool = False) -> list[str] | None:
    value = params.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RpcError(-32602, f"Invalid params: {key} must be an array of strings")
    return list(value)


def _text(params: dict[str, Any], key: str) -> str:
    value = params.get(key)
    if not isinstance(value, str) or not value:
        raise RpcError(-32602, f"Invalid params: {key} is required")
    return value


def _project(hub: RpcHub, params: dict[str, Any]) -> Project:
    refs = _strings(params, "projectIds")
    project = hub.state.project(refs[0] if refs else None)
    if project is None:
        raise RpcError(403, "The user has insufficient permissions for the requested operation.")
    return project


def _entities(hub: RpcHub, kind: str) -> dict[str, Entity]:
    state = hub.state
    return {"node": state.nodes, "device": state.devices, "sensor": state.sensors}[kind]


async def authenticate(hub: RpcHub, session: Session, rid: Any, params: dict[str, Any]) -> None:
    code = params.get("code")
    principal = hub.auth.code_principal(code) if isinstance(code, str) else None
    if principal is None:
        raise RpcError(401, "Authentication failed: invalid API key or token")
    session.principal = principal
    try:
        next_id = int(rid) + 1
    except (TypeError, ValueError):
        next_id = 1
    session.reply(rid, {"nextId": next_id, "user": principal.user_json()})


def _getter(name: str) -> Method:
    kind, key = KINDS[name]

    async def get(hub: RpcHub, session: Session, rid: Any, params: dict[str, Any]) -> None:
        ids = _strings(params, key)
        project = _project(hub, params)
        found = [
            hub.state.live_json(e)
            for e in _entities(hub, kind).values()
            if e.project == project.guid and (ids is None or e.id in ids)
        ]
        session.reply(rid, found)

    return get


def _subscriber(name: str) -> Method:
    kind, key = KINDS[name]

    async def subscribe(hub: RpcHub, session: Session, rid: Any, params: dict[str, Any]) -> None:
        ids = _strings(params, key) or []
        project = _project(hub, params)
        sub = Subscription(hub.new_subscription_id(), rid, kind, frozenset(ids), project.guid)
        session.subscriptions[sub.id] = sub
        session.reply(rid, {"subscriptionId": sub.id})

    return subscribe


async def unsubscribe(hub: RpcHub, session: Session, rid: Any, params: dict[str, Any]) -> None:
    sub_id = params.get("id")
    if isinstance(sub_id, bool) or not isinstance(sub_id, int):
        raise RpcError(-32602, "Invalid params: id must be a subscription id")
    session.reply(rid, session.subscriptions.pop(sub_id, None) is not None)


def _with_params(metrics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**m, "params": []} for m in metrics]


async def get_metrics(hub: RpcHub, session: Session, rid: Any, params: dict[str, Any]) -> None:
    result: dict[str, Any] = {}
    for sensor_id in _strings(params, "sensors") or []:
        sensor = hub.state.sensors.get(sensor_id)
        if sensor is not None:
            result[sensor_id] = _with_params(sensor_metrics(sensor.props))
    for type_id in _strings(params, "types") or []:
        if type_id in SENSOR_TYPES:
            result[type_id] = _with_params(sensor_metrics({"INTEGRATION_ID": type_id}))
    session.reply(rid, result)


async def get_units(hub: RpcHub, session: Session, rid: Any, params: dict[str, Any]) -> None:
    metrics = _strings(params, "metrics", required=True) or []
    session.reply(rid, {m: units_of(m) for m in metrics})


def _sensor(hub: RpcHub, params: dict[str, Any], key: str = "sensor") -> Entity:
    sensor_id = _text(params, key)
    sensor = hub.state.sensors.get(sensor_id)
    if sensor is None:
        raise RpcError(-32602, f"Invalid params: unknown sensor {sensor_id}")
    return sensor


async def get_data(hub: RpcHub, session: Session, rid: Any, params: dict[str, Any]) -> None:
    sensor = _sensor(hub, params)
    metric = _text(params, "metric")
    _text(params, "unit")
    bounds = []
    for key in ("startDate", "endDate"):
        value = params.get(key)
        parsed = parse_iso(value) if value is not None else None
        if value is not None and parsed is None:
            raise RpcError(-32602, f"Invalid params: {key} must be an ISO date")
        bounds.append(parsed)
    start, end = bounds
    points = sorted(
        (o for o in hub.state.observations.get(sensor.id, []) if metric in o.values),
        key=lambda o: o.at,
    )
    points = [
        o for o in points if (start is None or o.at >= start) and (end is None or o.at <= end)
    ]
    limit = params.get("limit")
    if isinstance(limit, dict):
        size = (
            limit.get("params", {}).get("size", 1) if isinstance(limit.get("params"), dict) else 1
        )
        size = size if isinstance(size, int) and size > 0 else 1
        points = points[-size:] if limit.get("function") == "last" else points[:size]
    for i in range(0, len(points), CHUNK):
        chunk = points[i : i + CHUNK]
        session.reply(rid, {"data": {o.timestamp: o.values[metric] for o in chunk}})
    session.reply(rid, {"requestStatus": "finished"})


async def subscribe_data(hub: RpcHub, session: Session, rid: Any, params: dict[str, Any]) -> None:
    sensors = _strings(params, "sensors", required=True) or []
    metric = _text(params, "metric")
    _text(params, "unit")
    sub = Subscription(hub.new_subscription_id(), rid, "data", frozenset(sensors), metric=metric)
    session.subscriptions[sub.id] = sub
    session.reply(rid, {"subscriptionId": sub.id})


async def upload_data(hub: RpcHub, session: Session, rid: Any, params: dict[str, Any]) -> None:
    good, problems = check_observations(hub.state, params.get("data"), root="data")
    if not good and problems:
        raise RpcError(-32602, f"Invalid params: {problems[0][1]} {problems[0][0]}")
    assert session.principal is not None
    for guid in {hub.state.sensors[o.sensor_id].project for o in good}:
        if not hub.auth.can_write(session.principal, hub.state.projects[guid]):
            raise RpcError(
                403, "The user has insufficient permissions for the requested operation."
            )
    hub.state.record(good)
    session.reply(rid, {"successfullyProcessedObs": len(good)})


async def help_(hub: RpcHub, session: Session, rid: Any, params: dict[str, Any]) -> None:
    session.reply(
        rid,
        [{"method": name, "params": p, "description": d} for name, (p, d) in sorted(HELP.items())],
    )


async def time_(hub: RpcHub, session: Session, rid: Any, params: dict[str, Any]) -> None:
    session.reply(rid, {"time": iso_z(time.time())})


HELP: dict[str, tuple[list[str], str]] = {
    "authenticate": (["code"], "Authenticate the connection with an API key or access token."),
    "getNodes": (["nodes", "projectIds"], "Retrieve connections (nodes)."),
    "getDevices": (["devices", "projectIds"], "Retrieve devices."),
    "getSensors": (["sensors", "projectIds"], "Retrieve sensors."),
    "subscribeNodes": (["nodes", "projectIds"], "Subscribe to changes of connections."),
    "subscribeDevices": (["devices", "projectIds"], "Subscribe to changes of devices."),
    "subscribeSensors": (["sensors", "projectIds"], "Subscribe to changes of sensors."),
    "unsubscribeNodes": (["id"], "End a node subscription."),
    "unsubscribeDevices": (["id"], "End a device subscription."),
    "unsubscribeSensors": (["id"], "End a sensor subscription."),
    "getMetrics": (["sensors"], "All metrics of the given sensors."),
    "getRawMetrics": (["sensors", "types"], "Raw metrics of sensors or sensor types."),
    "getUnits": (["metrics"], "Units of the given metrics."),
    "getData": (
        ["sensor", "metric", "unit", "startDate", "endDate", "limit", "params"],
        "Observations of one sensor, streamed, then requestStatus finished.",
    ),
    "subscribeData": (["sensors", "metric", "unit", "params"], "Subscribe to new observations."),
    "unsubscribeData": (["id"], "End a data subscription."),
    "uploadData": (["data"], "Upload observations."),
    "help": ([], "This list."),
    "time": ([], "The server time."),
}

METHODS: dict[str, Method] = {
    "authenticate": authenticate,
    **{f"get{n}": _getter(n) for n in KINDS},
    **{f"subscribe{n}": _subscriber(n) for n in KINDS},
    **{f"unsubscribe{n}": unsubscribe for n in KINDS},
    "getMetrics": get_metrics,
    "getRawMetrics": get_metrics,
    "getUnits": get_units,
    "getData": get_data,
    "subscribeData": subscribe_data,
    "unsubscribeData": unsubscribe,
    "uploadData": upload_data,
    "help": help_,
    "time": time_,
}
