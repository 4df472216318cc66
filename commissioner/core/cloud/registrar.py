"""The registrar: sends a journaled registration so that nothing is ever created twice.

The integrate endpoint does not deduplicate: a "new" device sent twice becomes two devices. Yet a
field laptop loses answers (timeouts, 5xx after the request was processed, crashes mid-send).
So before sending, the registrar looks at what the connection already holds (by refId, which the
cloud keeps as SERIAL_NO) and sends only what is missing: "new" entities already present become
updates of their changed props or are skipped, removals of absent entities are skipped, and a
"new connection" request becomes an advanced-approach request into the connection found. After an
ambiguous send whose connection is unknown, the project's API-import connections are searched for
our refIds before anything is sent again. Every outcome is written to the journal.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from commissioner.core.cloud.api import SensorDataApi
from commissioner.core.cloud.errors import (
    CloudAmbiguous,
    CloudConfigError,
    CloudError,
    CloudForbidden,
    CloudMalformedResponse,
    CloudRateLimited,
    CloudRejected,
    CloudValidationError,
    FieldProblem,
)
from commissioner.core.cloud.journal import (
    EntityId,
    JournalError,
    QueuedRegistration,
    RegistrationJournal,
    RegistrationStatus,
)
from commissioner.core.cloud.models import Entity, IntegrationResult
from commissioner.core.cloud.registration import RegistrationSpec, node_ref_id, parse_ref_id
from commissioner.core.cloud.schema import Catalogue, validate_request
from commissioner.core.cloud.verify import (
    EntityAction,
    Plan,
    entries,
    find_entity,
    plan_as_is,
    reconcile,
    request_devices,
)

log = logging.getLogger(__name__)
__all__ = ["EntityAction", "EntityOutcome", "Registrar", "RegistrationOutcome"]
NODE_API = "NODE_API_SDE"


@dataclass(frozen=True)
class EntityOutcome:
    ref_id: str
    kind: str  # device | sensor
    action: EntityAction
    cloud_id: str | None = None
    port: int | None = None
    parent_ref_id: str | None = None


@dataclass
class RegistrationOutcome:
    registration_id: int
    status: RegistrationStatus
    node_id: str | None = None
    entities: list[EntityOutcome] = field(default_factory=list)
    reason: str = ""
    problems: list[FieldProblem] = field(default_factory=list)
    retry_after_s: float | None = None
    blocks_queue: bool = False  # the cloud or the sign-in is the problem: later ones would fail too

    def count(self, action: EntityAction) -> int:
        return sum(1 for e in self.entities if e.action is action)

    @property
    def created(self) -> int:
        return self.count(EntityAction.CREATED)

    @property
    def updated(self) -> int:
        return self.count(EntityAction.UPDATED)

    @property
    def skipped(self) -> int:
        return self.count(EntityAction.SKIPPED)

    @property
    def removed(self) -> int:
        return self.count(EntityAction.REMOVED)

    def ids_by_ref(self) -> dict[str, str]:
        return {e.ref_id: e.cloud_id for e in self.entities if e.cloud_id}

    def device_ids(self) -> dict[int, str]:
        """Port -> device id, for devices that exist after this registration."""
        return {
            e.port: e.cloud_id
            for e in self.entities
            if e.kind == "device" and e.port is not None and e.cloud_id
        }

    def sensor_ids(self, port: int) -> list[str]:
        return [
            e.cloud_id
            for e in self.entities
            if e.kind == "sensor" and e.port == port and e.cloud_id
        ]


class Registrar:
    """Sends registrations one at a time (a lock), reconciling by refId before every send."""

    def __init__(
        self,
        api: SensorDataApi,
        journal: RegistrationJournal,
        *,
        catalogue: Catalogue | None = None,
    ) -> None:
        self.api = api
        self.journal = journal
        self.catalogue = catalogue
        self._lock = asyncio.Lock()

    @property
    def project_id(self) -> str:
        return self.api.profile.project_id

    async def register(self, item: int | RegistrationSpec) -> RegistrationOutcome:
        """Send registration ``item`` (a journal id, or a spec that is journaled first)."""
        async with self._lock:
            if isinstance(item, RegistrationSpec):
                item = self.journal.enqueue(
                    item, profile_name=self.api.profile.name, project_id=self.project_id
                )
            row = self.journal.get(item)
            if row.status in (RegistrationStatus.SENT, RegistrationStatus.DISCARDED):
                raise JournalError(f"Registration #{row.id} is already {row.status}.")
            if row.project_id and self.project_id and row.project_id != self.project_id:
                reason = (
                    f"Queued for asset {row.project_id}, but the cloud profile uses asset "
                    f"{self.project_id}; switch assets to send it."
                )
                return RegistrationOutcome(row.id, row.status, reason=reason)
            problems = validate_request(row.request, self.catalogue)
            if problems:
                error = CloudValidationError(0, problems)
                self.journal.mark_failed(row.id, f"Not sent: {error}")
                return RegistrationOutcome(
                    row.id, RegistrationStatus.FAILED, reason=str(error), problems=problems
                )
            return await self._send(row, row.ambiguous or row.status is RegistrationStatus.SENDING)

    async def _send(self, row: QueuedRegistration, ambiguous: bool) -> RegistrationOutcome:
        last: CloudError | None = None
        for _ in range(2):  # a first send, and one more after an ambiguous one is reconciled
            try:
                plan = await self._plan(row, ambiguous)
                if plan.request is None:
                    return self._finish(row, plan, None)
                self.journal.mark_sending(row.id)
                result = await self.api.integrate(plan.request)
            except (CloudAmbiguous, CloudMalformedResponse) as exc:
                log.warning("registration #%d: %s; reconciling", row.id, exc)
                self.journal.mark_pending(row.id, str(exc), ambiguous=True)
                ambiguous, last = True, exc
                continue
            except CloudError as exc:
                return self._held(row, exc)
            return self._finish(row, plan, result)
        assert last is not None
        return RegistrationOutcome(
            row.id, RegistrationStatus.PENDING, reason=str(last), blocks_queue=True
        )

    def _held(self, row: QueuedRegistration, exc: CloudError) -> RegistrationOutcome:
        """Failed for good (the request or the permissions need a person) or pending (retry)."""
        if isinstance(exc, CloudValidationError | CloudForbidden | CloudRejected):
            self.journal.mark_failed(row.id, str(exc))
            problems = exc.problems if isinstance(exc, CloudValidationError) else []
            return RegistrationOutcome(
                row.id, RegistrationStatus.FAILED, reason=str(exc), problems=problems
            )
        self.journal.mark_pending(row.id, str(exc))
        retry = exc.retry_after_s if isinstance(exc, CloudRateLimited) else None
        blocks = not isinstance(exc, CloudConfigError)
        return RegistrationOutcome(
            row.id,
            RegistrationStatus.PENDING,
            reason=str(exc),
            retry_after_s=retry,
            blocks_queue=blocks,
        )

    def _known_node(self, row: QueuedRegistration) -> str | None:
        """The request's nodeId, else the connection the journal knows for this THREAD or refIds."""
        named = row.request.get("integration", {}).get("nodeId")
        if named:
            return str(named)
        node = None
        if row.thread_serial:
            node = self.journal.node_for(row.thread_serial, project_id=self.project_id)
        for _, entry, _ in entries(row.request):
            if node:
                break
            cloud_id = self.journal.cloud_id(str(entry.get("refId")), project_id=self.project_id)
            if cloud_id and "/node" in cloud_id:
                node = cloud_id[: cloud_id.index("/node") + len("/node")]
        return node

    async def _plan(self, row: QueuedRegistration, ambiguous: bool) -> Plan:
        """Look the connection up (if known, or searched after an ambiguous send) and reconcile."""
        node = self._known_node(row)
        named = bool(row.request.get("integration", {}).get("nodeId"))
        fetched: IntegrationResult | None = None
        if node:
            try:
                fetched = await self.api.get_integration(node)
            except CloudRejected as exc:
                if exc.status != 404 or named:
                    raise
                log.info("connection %s is gone; forgetting its ids", node)
                refs = [str(e.get("refId")) for _, e, _ in entries(row.request)]
                self.journal.forget_ids(
                    [node_ref_id(row.thread_serial), *refs], project_id=self.project_id
                )
                node = None
        if node is None and ambiguous:
            fetched = await self._search(row.request)
        if fetched is None:
            return plan_as_is(row.request, node if named else None)
        return reconcile(row.request, fetched)

    async def _search(self, request: dict[str, Any]) -> IntegrationResult | None:
        """The API-import connection (newest first) holding any of the request's device refIds."""
        refs = {str(d.get("refId")) for d in request_devices(request)}
        nodes = [n for n in await self.api.list_nodes() if n.integration_id == NODE_API]
        nodes.sort(key=lambda n: str(n.props.get("CREATION_DATE", "")), reverse=True)
        for node in nodes:
            fetched = await self.api.get_integration(node.id)
            if any(item.device.serial in refs for item in fetched.devices):
                return fetched
        return None

    def _finish(
        self, row: QueuedRegistration, plan: Plan, result: IntegrationResult | None
    ) -> RegistrationOutcome:
        node_id = result.node.id if result else plan.node_id
        outcomes: list[EntityOutcome] = []
        forget: list[str] = []
        mapped = self.journal.entity_ids(row.thread_serial or None)
        for kind, entry, parent in entries(row.request):
            ref = str(entry.get("refId"))
            action = plan.actions.get(ref, EntityAction.SKIPPED)
            if parent is not None and plan.actions.get(parent) is EntityAction.REMOVED:
                action = EntityAction.REMOVED
            cloud_id = plan.known.get(ref)
            if result is not None and action is not EntityAction.REMOVED:
                found = find_entity(result, parent, ref) or _by_name(result, entry, parent)
                cloud_id = found.id if found else cloud_id
            if action is EntityAction.REMOVED:
                forget.append(ref)
                if cloud_id:  # a removed device takes its sensors with it
                    prefix = cloud_id + "/"
                    forget += [e.ref_id for e in mapped if e.cloud_id.startswith(prefix)]
                cloud_id = None
            port = _port(row, ref)
            outcomes.append(EntityOutcome(ref, kind, action, cloud_id, port, parent))
        serial = row.thread_serial
        ids = [
            EntityId(o.ref_id, o.kind, o.cloud_id, serial, o.port) for o in outcomes if o.cloud_id
        ]
        if node_id and serial:
            ids.append(EntityId(node_ref_id(serial), "node", node_id, serial))
        self.journal.forget_ids(forget, project_id=self.project_id)
        self.journal.record_ids(ids, project_id=self.project_id, registration_id=row.id)
        response = None if result is None else _result_json(result)
        self.journal.mark_sent(row.id, response, node_id or "")
        return RegistrationOutcome(row.id, RegistrationStatus.SENT, node_id, outcomes)


def _by_name(result: IntegrationResult, entry: dict[str, Any], parent: str | None) -> Entity | None:
    """Fallback when the cloud kept a SERIAL_NO of its own: the single entity with that NAME."""
    props = entry.get("props", {})
    name, kind = props.get("NAME"), props.get("INTEGRATION_ID")
    pool = (
        [d.device for d in result.devices]
        if parent is None
        else [s for d in result.devices for s in d.sensors]
    )
    matches = [
        e for e in pool if name and e.name == name and (not kind or e.integration_id == kind)
    ]
    return matches[0] if len(matches) == 1 else None


def _port(row: QueuedRegistration, ref: str) -> int | None:
    parsed = parse_ref_id(ref)
    if parsed is not None:
        return parsed[1]
    for device in row.spec.devices if row.spec else ():
        if device.ref_id == ref or any(s.ref_id == ref for s in device.sensors):
            return device.port
    return None


def _result_json(result: IntegrationResult) -> dict[str, Any]:
    def entity(e: Entity) -> dict[str, Any]:
        return {"id": e.id, "type": e.type, "props": e.props}

    devices = [
        {"device": entity(d.device), "sensors": [entity(s) for s in d.sensors]}
        for d in result.devices
    ]
    return {"integration": {"node": entity(result.node), "devices": devices}}
