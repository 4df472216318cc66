"""The Verify tab's live views: one socket, the watched connection's presence, one sensor's data.

One JSON-RPC socket per workspace serves both watchers; switching profile closes all three with
time limits, so a dead socket can never hold up the switch or the app's shutdown.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

from commissioner.core.cloud.presence import NodePresence, SensorWatch, WatchedObservation
from commissioner.core.cloud.rpc import IotSocketClient
from commissioner.core.cloud.workspace import CloudWorkspace

log = logging.getLogger(__name__)


class CloudWatchers:
    def __init__(
        self,
        on_presence: Callable[[NodePresence], None],
        on_observation: Callable[[WatchedObservation], None],
    ) -> None:
        self.on_presence = on_presence
        self.on_observation = on_observation
        self.presence: NodePresence | None = None
        self._watch: SensorWatch | None = None
        self._socket: IotSocketClient | None = None
        self._workspace: CloudWorkspace | None = None

    async def _client(self, ws: CloudWorkspace) -> IotSocketClient:
        if self._socket is not None and self._workspace is not ws:
            await self.aclose()
        if self._socket is None:
            client = ws.socket()
            await client.start()
            self._socket, self._workspace = client, ws
        return self._socket

    async def watch_node(self, ws: CloudWorkspace, node_id: str) -> NodePresence:
        client = await self._client(ws)
        if self.presence is not None and self.presence.node_id == node_id:
            return self.presence
        await _stop(self.presence)
        self.presence = None
        presence = NodePresence(client, node_id, on_change=self.on_presence)
        await presence.start()
        self.presence = presence
        return presence

    async def watch_sensor(
        self, ws: CloudWorkspace, sensor_id: str, metrics: Sequence[tuple[str, str]]
    ) -> None:
        client = await self._client(ws)
        await _stop(self._watch)
        self._watch = None
        watch = SensorWatch(client, sensor_id, metrics, on_observation=self.on_observation)
        await watch.start()
        self._watch = watch

    async def aclose(self) -> None:
        presence, watch, client = self.presence, self._watch, self._socket
        self.presence = self._watch = None
        self._socket = self._workspace = None
        await _stop(watch)
        await _stop(presence)
        await _stop(client)


async def _stop(service: Any) -> None:
    if service is None:
        return
    try:
        await asyncio.wait_for(service.aclose(), 5.0)
    except Exception as exc:  # a dead socket must not block switching profiles
        log.info("cloud watcher did not close cleanly: %s", type(exc).__name__)
