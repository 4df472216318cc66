"""``integrations/integrate`` (create, update, remove by refId) and "get integrations".

Both the iTwin IoT path (``/api/integrations/integrate``) and the iTwin Platform path
(``/sensor-data/integrations/integrate``) land here. The request is validated completely before
anything is stored, so a 422 never leaves half an integration behind. Like the real service the
simulator does NOT de-duplicate: a second "new" with the same refId creates a second entity.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from commissioner.sim.cloud.auth import Authenticator
from commissioner.sim.cloud.errors import ResponseError, json_response, not_found, platform_error
from commissioner.sim.cloud.rules import INVALID_NODE, find_by_ref, validate
from commissioner.sim.cloud.state import CloudState, Entity, Project

CODE = "InvalidProcessIntegrationRequest"
SYSTEM_PROPS = frozenset({"CREATION_DATE", "NODE_ID", "PROJECT_ID", "SIZE", "SERIAL_NO"})


def _problems_response(status: int, problems: list[tuple[str, str]]) -> web.Response:
    message, target = problems[0]
    details = [{"code": CODE, "message": m, "target": t} for m, t in problems]
    return platform_error(status, CODE, message, target=target or None, details=details)


def _clean(props: object) -> dict[str, Any]:
    """Request props without the ones the cloud owns (SERIAL_NO is the refId: the update key)."""
    if not isinstance(props, dict):
        return {}
    return {k: v for k, v in props.items() if k not in SYSTEM_PROPS}


class IntegrateApi:
    """Handlers for integrate and get integrations under one URL prefix."""

    def __init__(self, state: CloudState, auth: Authenticator) -> None:
        self._state = state
        self._auth = auth

    def routes(self, prefix: str) -> list[web.RouteDef]:
        return [
            web.post(f"{prefix}/integrations/integrate", self.integrate),
            web.post(f"{prefix}/integrations/{{node_id:.*}}", self.get_integration),
        ]

    async def integrate(self, request: web.Request) -> web.Response:
        principal = self._auth.principal(request)
        project = self._auth.project(request, principal, write=True)
        try:
            body = json.loads(await request.text())
        except ValueError:
            return _problems_response(400, [("The request body is not valid JSON.", "")])
        node = self._node_for(body, project)
        problems = validate(self._state, body, node)
        if problems:
            return _problems_response(422, problems)
        return json_response(200, self._apply(body["integration"], project, node))

    def _node_for(self, body: object, project: Project) -> Entity | None:
        integration = body.get("integration") if isinstance(body, dict) else None
        if not isinstance(integration, dict) or "nodeId" not in integration:
            return None
        node_id = integration["nodeId"]
        node = self._state.nodes.get(node_id) if isinstance(node_id, str) else None
        if node is None or node.project != project.guid:
            raise ResponseError(_problems_response(422, [(INVALID_NODE, "integration.nodeId")]))
        return node

    def _apply(
        self, integration: dict[str, Any], project: Project, node: Entity | None
    ) -> dict[str, Any]:
        state = self._state
        changed: list[Entity] = []
        if node is None:
            node = state.add_node(project)
            changed.append(node)
        out: list[dict[str, Any]] = []
        for item in integration.get("devices", []):
            change, ref_id = item["changeState"], item.get("refId")
            if change == "remove":
                target = find_by_ref(state.devices_of(node.id), ref_id)
                if target is not None:
                    state.remove(target)
                continue
            if change == "new":
                props = _clean(item.get("props"))  # SERIAL_NO is refId, else a uuid4
                serial = ref_id or state.ids.uuid4()
                device = state.add_device(node, props, str(serial))
            else:
                found = find_by_ref(state.devices_of(node.id), ref_id)
                assert found is not None  # validated
                device = found
                device.props.update(_clean(item.get("props")))
            sensors = self._apply_sensors(device, item.get("sensors", []))
            device.props["SIZE"] = len(state.sensors_of(device.id))
            changed.extend([device, *sensors])
            out.append({"device": device.to_json(), "sensors": [s.to_json() for s in sensors]})
        for entity in changed:
            state.changed(entity)
        return {"integration": {"node": node.to_json(), "devices": out}}

    def _apply_sensors(self, device: Entity, items: list[dict[str, Any]]) -> list[Entity]:
        state = self._state
        touched: list[Entity] = []
        for item in items:
            change, ref_id = item["changeState"], item.get("refId")
            if change == "new":
                props = _clean(item.get("props"))  # SERIAL_NO is refId, else a uuid4
                serial = ref_id or state.ids.uuid4()
                touched.append(state.add_sensor(device, props, str(serial)))
                continue
            found = find_by_ref(state.sensors_of(device.id), ref_id)
            assert found is not None  # validated
            if change == "remove":
                state.remove(found)
            else:
                found.props.update(_clean(item.get("props")))
                touched.append(found)
        return touched

    async def get_integration(self, request: web.Request) -> web.Response:
        """``POST /api/integrations//api/ABC123/node``: the node with all its devices and sensors."""
        self._auth.principal(request)
        node_id = request.match_info["node_id"]
        if not node_id.startswith("/"):
            node_id = "/" + node_id
        node = self._state.nodes.get(node_id)
        if node is None:
            return not_found("NodeNotFound", f"No connection with id {node_id!r}.")
        devices = [
            {
                "device": d.to_json(),
                "sensors": [s.to_json() for s in self._state.sensors_of(d.id)],
            }
            for d in self._state.devices_of(node.id)
        ]
        return json_response(
            200, {"integration": {"node": self._state.live_json(node), "devices": devices}}
        )
