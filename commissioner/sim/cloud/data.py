"""Catalogues, entity listings, sensor metrics and observation upload (``/api/...``).

Upload is all-or-nothing: one bad observation answers 400 with a path per problem and stores
nothing, so a client can fix and resend the whole batch without creating duplicates.
"""

from __future__ import annotations

import json
import math
from typing import Any

from aiohttp import web

from commissioner.sim.cloud.auth import Authenticator
from commissioner.sim.cloud.catalogue import (
    device_types_body,
    metric_types_body,
    sensor_metrics,
    sensor_types_body,
)
from commissioner.sim.cloud.errors import ResponseError, forbidden, iiot_errors, json_response
from commissioner.sim.cloud.ids import parse_iso
from commissioner.sim.cloud.state import CloudState, Entity, Observation, Principal

Problem = tuple[str, str]  # (message, path)


def required_metrics(sensor: Entity) -> list[str]:
    return [m["id"] for m in sensor_metrics(sensor.props)]


def check_observations(
    state: CloudState, items: object, root: str = "observations"
) -> tuple[list[Observation], list[Problem]]:
    """Parse uploaded observations; problems carry paths like ``observations[3].values``."""
    if not isinstance(items, list) or not items:
        return [], [("must not be empty", root)]
    good: list[Observation] = []
    problems: list[Problem] = []
    for i, item in enumerate(items):
        path = f"{root}[{i}]"
        if not isinstance(item, dict):
            problems.append(("must be an object", path))
            continue
        sensor = state.sensors.get(str(item.get("sensorId", "")))
        if sensor is None:
            problems.append(("sensor not found", f"{path}.sensorId"))
            continue
        at = parse_iso(item.get("timestamp"))
        if at is None:
            problems.append(("must be an ISO 8601 date and time", f"{path}.timestamp"))
        values = item.get("values")
        if not isinstance(values, dict) or not values:
            problems.append(("must not be empty", f"{path}.values"))
            continue
        bad = [
            k
            for k, v in values.items()
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v)
        ]
        for key in bad:
            problems.append(("must be a number", f"{path}.values.{key}"))
        missing = [m for m in required_metrics(sensor) if m not in values]
        if missing:
            problems.append((f"missing required metric(s): {', '.join(missing)}", f"{path}.values"))
        if at is not None and not bad and not missing:
            clean = {str(k): float(v) for k, v in values.items()}
            good.append(Observation(sensor.id, str(item["timestamp"]), at, clean))
    return good, problems


class DataApi:
    """Types, listings, sensor metrics and upload under one prefix."""

    def __init__(self, state: CloudState, auth: Authenticator) -> None:
        self._state = state
        self._auth = auth

    def routes(self, prefix: str) -> list[web.RouteDef]:
        return [
            web.get(f"{prefix}/devices/types", self.device_types),
            web.get(f"{prefix}/sensors/types", self.sensor_types),
            web.get(f"{prefix}/metrics/types", self.metric_types),
            web.get(f"{prefix}/nodes/all", self.nodes_all),
            web.get(f"{prefix}/devices/all", self.devices_all),
            web.get(f"{prefix}/sensors/all", self.sensors_all),
            web.post(f"{prefix}/sensors/metrics", self.sensors_metrics),
            web.post(f"{prefix}/data/upload", self.upload),
        ]

    async def device_types(self, request: web.Request) -> web.Response:
        self._auth.principal(request)
        return json_response(200, device_types_body())

    async def sensor_types(self, request: web.Request) -> web.Response:
        self._auth.principal(request)
        return json_response(200, sensor_types_body())

    async def metric_types(self, request: web.Request) -> web.Response:
        self._auth.principal(request)
        return json_response(200, metric_types_body())

    def _listing(self, request: web.Request, entities: dict[str, Entity]) -> web.Response:
        principal = self._auth.principal(request)
        project = self._auth.project(request, principal, write=False)
        body = [self._state.live_json(e) for e in entities.values() if e.project == project.guid]
        return json_response(200, body)

    async def nodes_all(self, request: web.Request) -> web.Response:
        return self._listing(request, self._state.nodes)

    async def devices_all(self, request: web.Request) -> web.Response:
        return self._listing(request, self._state.devices)

    async def sensors_all(self, request: web.Request) -> web.Response:
        return self._listing(request, self._state.sensors)

    async def sensors_metrics(self, request: web.Request) -> web.Response:
        principal = self._auth.principal(request)
        project = self._auth.project(request, principal, write=False)
        body = await _json(request)
        ids = body.get("ids") if isinstance(body, dict) else None
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            return iiot_errors(400, [("must be an array of sensor ids", "ids")])
        result: dict[str, Any] = {}
        for sensor_id in ids:
            sensor = self._state.sensors.get(sensor_id)
            if sensor is not None and sensor.project == project.guid:
                result[sensor_id] = sensor_metrics(sensor.props)
        return json_response(200, {"metricsBySensor": result})

    async def upload(self, request: web.Request) -> web.Response:
        principal = self._auth.principal(request)
        body = await _json(request)
        items = body.get("observations") if isinstance(body, dict) else None
        good, problems = check_observations(self._state, items)
        if problems:
            return iiot_errors(400, problems)
        self.check_write(principal, good)
        self._state.record(good)
        return json_response(202, {"status": "ACCEPTED"})

    def check_write(self, principal: Principal, observations: list[Observation]) -> None:
        for guid in {self._state.sensors[o.sensor_id].project for o in observations}:
            if not self._auth.can_write(principal, self._state.projects[guid]):
                raise ResponseError(forbidden())


async def _json(request: web.Request) -> Any:
    try:
        return json.loads(await request.text())
    except ValueError:
        raise ResponseError(iiot_errors(400, [("must be valid JSON", "body")])) from None
