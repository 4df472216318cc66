"""Is the connection online in the cloud, and are the new sensor's readings arriving?

Two helpers for the commissioning verification view, both over :class:`IotSocketClient`:

- :class:`NodePresence` reads a connection's (node's) ``ACCESSIBLE`` and ``LAST_COMM`` once with
  ``getNodes`` and then follows them with ``subscribeNodes``; after the socket reconnects it
  reads them again, because changes made while it was down are not pushed afterwards.
- :class:`SensorWatch` subscribes to a newly registered sensor's data (``subscribeData``) and
  keeps the observations that arrive, each with its timestamp, so the installer sees the
  readings the cloud actually stored.

Callbacks are plain functions called on the event loop (the UI adapts them to Qt signals).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from commissioner.core.cloud.errors import CloudError
from commissioner.core.cloud.rpc import IotSocketClient
from commissioner.core.cloud.rpc_types import DataUpdate, SocketState, Subscription, parse_iso
from commissioner.core.lifecycle import AsyncService

log = logging.getLogger(__name__)


class NodePresence(AsyncService):
    """Live ``ACCESSIBLE``/``LAST_COMM`` of one node; ``on_change(self)`` after each update."""

    def __init__(
        self,
        client: IotSocketClient,
        node_id: str,
        *,
        project_ids: Sequence[str] | None = None,
        on_change: Callable[[NodePresence], None] | None = None,
    ) -> None:
        self.client = client
        self.node_id = node_id
        self.project_ids = list(project_ids) if project_ids else None
        self.on_change = on_change
        self.online = False
        self.last_comm: datetime | None = None
        self.node: dict[str, Any] | None = None  # the latest entity, None until found
        self.updates = 0
        self._subscription: Subscription | None = None
        self._refresh: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()

    @property
    def found(self) -> bool:
        return self.node is not None

    async def start(self) -> None:
        """Read the node now and subscribe to its changes (raises the client's errors)."""
        self.client.add_state_listener(self._on_state)
        try:
            await self.refresh()
            self._subscription = await self.client.subscribe_nodes(
                [self.node_id], self._on_entity, project_ids=self.project_ids
            )
        except BaseException:
            self.client.remove_state_listener(self._on_state)
            raise

    async def refresh(self) -> None:
        """Read ``ACCESSIBLE``/``LAST_COMM`` with ``getNodes``."""
        nodes = await self.client.get_nodes([self.node_id], project_ids=self.project_ids)
        for node in nodes:
            if node.get("id") == self.node_id:
                self._on_entity(node)

    async def wait_online(self, timeout_s: float) -> bool:
        """Wait until the node is reported online; False when ``timeout_s`` passes first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while not self.online:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        return True

    async def aclose(self) -> None:
        self.client.remove_state_listener(self._on_state)
        task, self._refresh = self._refresh, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        sub, self._subscription = self._subscription, None
        if sub is not None:
            with contextlib.suppress(CloudError):
                await self.client.unsubscribe(sub)

    def _on_entity(self, entity: dict[str, Any]) -> None:
        if entity.get("id") != self.node_id:
            return
        props = entity.get("props")
        props = props if isinstance(props, dict) else {}
        self.node = entity
        self.online = props.get("ACCESSIBLE") is True
        self.last_comm = parse_iso(props.get("LAST_COMM"))
        self.updates += 1
        self._changed.set()
        if self.on_change is not None:
            try:
                self.on_change(self)
            except Exception:
                log.exception("a presence listener failed")

    def _on_state(self, state: SocketState, detail: str) -> None:
        # After a reconnect: changes made while the socket was down were not pushed.
        busy = self._refresh is not None and not self._refresh.done()
        if state is SocketState.CONNECTED and not busy:
            self._refresh = asyncio.get_running_loop().create_task(self._quiet_refresh())

    async def _quiet_refresh(self) -> None:
        try:
            await self.refresh()
        except CloudError as exc:
            log.info("presence refresh of %s after reconnect failed: %s", self.node_id, exc)


@dataclass(frozen=True)
class WatchedObservation:
    """One value the cloud stored, with the observation time and when the push arrived."""

    sensor_id: str
    metric: str
    unit: str
    timestamp: datetime | None  # None when the cloud's timestamp could not be read
    timestamp_text: str
    value: float
    received_at: datetime


class SensorWatch(AsyncService):
    """Collects a sensor's new observations for the verification view (latest ``keep`` kept)."""

    def __init__(
        self,
        client: IotSocketClient,
        sensor_id: str,
        metrics: Sequence[tuple[str, str]],
        *,
        keep: int = 1000,
        on_observation: Callable[[WatchedObservation], None] | None = None,
    ) -> None:
        if not metrics:
            raise ValueError("SensorWatch needs at least one (metric, unit) pair")
        self.client = client
        self.sensor_id = sensor_id
        self.metrics = list(metrics)
        self.on_observation = on_observation
        self.observations: deque[WatchedObservation] = deque(maxlen=keep)
        self.received = 0
        self._subscriptions: list[Subscription] = []
        self._arrived = asyncio.Event()

    async def start(self) -> None:
        """Subscribe once per (metric, unit); raises the client's errors."""
        for metric, unit in self.metrics:
            sub = await self.client.subscribe_data(
                [self.sensor_id], metric, unit, self._handler(metric, unit)
            )
            self._subscriptions.append(sub)

    async def wait_for(self, count: int, timeout_s: float) -> bool:
        """Wait until ``count`` observations arrived in total; False on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while self.received < count:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)
        return True

    async def aclose(self) -> None:
        subs, self._subscriptions = self._subscriptions, []
        for sub in subs:
            with contextlib.suppress(CloudError):
                await self.client.unsubscribe(sub)

    def _handler(self, metric: str, unit: str) -> Callable[[DataUpdate], None]:
        def on_update(update: DataUpdate) -> None:
            if update.sensor_id != self.sensor_id:
                return
            now = datetime.now(UTC)
            for stamp, value in sorted(update.points.items()):
                item = WatchedObservation(
                    self.sensor_id, metric, unit, parse_iso(stamp), stamp, value, now
                )
                self.observations.append(item)
                self.received += 1
                if self.on_observation is not None:
                    try:
                        self.on_observation(item)
                    except Exception:
                        log.exception("an observation listener failed")
            self._arrived.set()

        return on_update
