"""Everything the simulated cloud remembers: projects, principals, entities and observations.

The state outlives the HTTP listener (``go_offline``/``come_back`` keep it) and knows nothing about
HTTP; handlers translate requests into these calls. Listeners hear about changed entities and new
observations so the JSON-RPC socket can push them to subscribers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from commissioner.core.cloud.profiles import (
    SIM_NATIVE_CLIENT_ID,
    SIM_PROJECT_ID,
    SIM_SERVICE_CLIENT_ID,
)
from commissioner.sim.cloud.ids import IdSource, iso_ms

READ_ONLY_PROJECT_ID = "00000000-0000-4000-8000-00000000beef"
DEMO_USER_EMAIL = "installer@example.com"
DEMO_USER_NAME = "Demo Installer"
CREATOR = "IoT Creator"


@dataclass
class Project:
    guid: str
    internal_id: str  # what entities carry in PROJECT_ID
    name: str


@dataclass
class Principal:
    sub: str
    email: str
    name: str
    roles: dict[str, set[str]] = field(default_factory=dict)  # project guid -> roles

    def user_json(self) -> dict[str, str]:
        return {"sub": self.sub, "email": self.email, "name": self.name}


@dataclass
class Entity:
    id: str
    kind: str  # "node" | "device" | "sensor"
    project: str  # project guid
    props: dict[str, Any]
    node_id: str = ""
    device_id: str = ""
    type: str = "DYNAMIC"

    def to_json(self, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        props = dict(self.props)
        if extra:
            props.update(extra)
        data: dict[str, Any] = {"props": props, "id": self.id, "type": self.type}
        if self.kind == "sensor":
            data["observationType"] = "DYNAMIC"
            data["device"] = self.device_id
        return data


@dataclass(frozen=True)
class Observation:
    sensor_id: str
    timestamp: str
    at: datetime
    values: dict[str, float]


EntityListener = Callable[[Entity], None]
ObservationListener = Callable[[Observation], None]


class CloudState:
    """Projects, principals, entities and observations of one simulated cloud."""

    def __init__(self, seed: int | None = None, *, accessible_window_s: float = 900.0) -> None:
        self.ids = IdSource(seed)
        self.accessible_window_s = accessible_window_s
        self.projects: dict[str, Project] = {}
        for guid, name in (
            (SIM_PROJECT_ID, "Simulated asset"),
            (READ_ONLY_PROJECT_ID, "Read-only"),
        ):
            self.projects[guid] = Project(guid, self.ids.hex24(), name)
        demo = Principal(
            "demo-installer", DEMO_USER_EMAIL, DEMO_USER_NAME, {SIM_PROJECT_ID: {CREATOR}}
        )
        service = Principal(
            SIM_SERVICE_CLIENT_ID,
            f"{SIM_SERVICE_CLIENT_ID}@apps.imsoidc.bentley.com",
            SIM_SERVICE_CLIENT_ID,
            {SIM_PROJECT_ID: {CREATOR}},
        )
        self.principals: dict[str, Principal] = {demo.sub: demo, service.sub: service}
        self.demo_user = demo
        self.native_client_id = SIM_NATIVE_CLIENT_ID
        self.nodes: dict[str, Entity] = {}
        self.devices: dict[str, Entity] = {}
        self.sensors: dict[str, Entity] = {}
        self.observations: dict[str, list[Observation]] = {}
        self.last_comm: dict[str, float] = {}  # node id -> epoch of the last observation
        self.entity_listeners: list[EntityListener] = []
        self.observation_listeners: list[ObservationListener] = []

    # -- lookups ---------------------------------------------------------------------------------

    def project(self, ref: str | None) -> Project | None:
        """A project by GUID or internal id; None (default) means the simulator's project."""
        if not ref:
            return self.projects[SIM_PROJECT_ID]
        for project in self.projects.values():
            if ref.lower() in (project.guid.lower(), project.internal_id.lower()):
                return project
        return None

    def entity(self, entity_id: str) -> Entity | None:
        return (
            self.nodes.get(entity_id) or self.devices.get(entity_id) or self.sensors.get(entity_id)
        )

    def devices_of(self, node_id: str) -> list[Entity]:
        return [d for d in self.devices.values() if d.node_id == node_id]

    def sensors_of(self, device_id: str) -> list[Entity]:
        return [s for s in self.sensors.values() if s.device_id == device_id]

    def observation_count(self) -> int:
        return sum(len(v) for v in self.observations.values())

    # -- live views ------------------------------------------------------------------------------

    def live_props(self, entity: Entity) -> dict[str, Any]:
        """ACCESSIBLE / LAST_COMM / OBSERVATION_COUNT as the cloud computes them now."""
        node_id = entity.id if entity.kind == "node" else entity.node_id
        last = self.last_comm.get(node_id)
        extra: dict[str, Any] = {
            "ACCESSIBLE": last is not None and time.time() - last <= self.accessible_window_s
        }
        if last is not None:
            extra["LAST_COMM"] = iso_ms(last)
        if entity.kind == "sensor":
            extra["OBSERVATION_COUNT"] = len(self.observations.get(entity.id, ()))
        else:
            sensors = [
                s
                for s in self.sensors.values()
                if (s.node_id if entity.kind == "node" else s.device_id) == entity.id
            ]
            extra["OBSERVATION_COUNT"] = sum(len(self.observations.get(s.id, ())) for s in sensors)
        return extra

    def live_json(self, entity: Entity) -> dict[str, Any]:
        return entity.to_json(self.live_props(entity))

    # -- changes ---------------------------------------------------------------------------------

    def _props(
        self, project: Project, props: dict[str, Any], node_id: str | None
    ) -> dict[str, Any]:
        out = dict(props)
        out["CREATION_DATE"] = iso_ms(time.time())
        if node_id is not None:
            out["NODE_ID"] = node_id
        out["PROJECT_ID"] = project.internal_id
        return out

    def _unique(self, make: Callable[[], str]) -> str:
        while True:
            candidate = make()
            if self.entity(candidate) is None:
                return candidate

    def add_node(self, project: Project) -> Entity:
        node_id = self._unique(lambda: f"/api/{self.ids.hex6()}/node")
        serial = node_id.split("/")[2]
        props = self._props(
            project,
            {
                "SERIAL_NO": serial,
                "INTEGRATION_ID": "NODE_API_SDE",
                "NAME": f"Data Source API Import {serial}",
            },
            None,
        )
        node = Entity(node_id, "node", project.guid, props, node_id=node_id)
        self.nodes[node_id] = node
        return node

    def add_device(self, node: Entity, props: dict[str, Any], serial: str) -> Entity:
        project = self.projects[node.project]
        device_id = self._unique(lambda: f"{node.id}/dynamic/{self.ids.hex6()}/device")
        full = self._props(project, {**props, "SERIAL_NO": serial, "SIZE": 0}, node.id)
        device = Entity(device_id, "device", project.guid, full, node_id=node.id)
        self.devices[device_id] = device
        return device

    def add_sensor(self, device: Entity, props: dict[str, Any], serial: str) -> Entity:
        project = self.projects[device.project]
        sensor_id = self._unique(lambda: f"{device.id}/{self.ids.hex6()}/sensor")
        full = self._props(project, {**props, "SERIAL_NO": serial}, device.node_id)
        sensor = Entity(
            sensor_id, "sensor", project.guid, full, node_id=device.node_id, device_id=device.id
        )
        self.sensors[sensor_id] = sensor
        return sensor

    def remove(self, entity: Entity) -> None:
        if entity.kind == "device":
            for sensor in self.sensors_of(entity.id):
                self.remove(sensor)
            self.devices.pop(entity.id, None)
        elif entity.kind == "sensor":
            self.sensors.pop(entity.id, None)
            self.observations.pop(entity.id, None)

    def changed(self, entity: Entity) -> None:
        for listener in list(self.entity_listeners):
            listener(entity)

    def record(self, observations: list[Observation]) -> None:
        """Store accepted observations, refresh liveness and tell subscribers."""
        now = time.time()
        touched: dict[str, Entity] = {}
        for obs in observations:
            sensor = self.sensors.get(obs.sensor_id)
            if sensor is None:
                continue
            self.observations.setdefault(sensor.id, []).append(obs)
            sensor.props["LAST_OBSERVATION"] = {
                "sensorId": sensor.id,
                "timestamp": obs.timestamp,
                "values": dict(obs.values),
            }
            self.last_comm[sensor.node_id] = now
            touched[sensor.id] = sensor
            node = self.nodes.get(sensor.node_id)
            if node is not None:
                touched[node.id] = node
        for obs in observations:
            for listener in list(self.observation_listeners):
                listener(obs)
        for entity in touched.values():
            self.changed(entity)
