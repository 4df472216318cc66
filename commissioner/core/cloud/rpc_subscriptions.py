"""Subscriptions over the JSON-RPC socket that survive reconnects.

The server forgets subscriptions with the socket, so the client keeps each live one (kind,
params, callback) and subscribes again on every new socket, before it reports CONNECTED; the
server's subscription id changes each time. Pushes reuse the subscribe request's id and are
turned into the callback's argument here: the entity for ``subscribeNodes/Devices/Sensors``, a
:class:`DataUpdate` for ``subscribeData``. Callbacks run on the event loop and must be quick.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from websockets.asyncio.client import ClientConnection

from commissioner.core.cloud.errors import CloudError, CloudMalformedResponse, CloudUnavailable
from commissioner.core.cloud.rpc_connection import CodeProvider, RpcConnection
from commissioner.core.cloud.rpc_types import (
    DataUpdate,
    RpcError,
    Subscription,
    SubscriptionKind,
    numeric_points,
)

log = logging.getLogger(__name__)

Entity = dict[str, Any]
EntityCallback = Callable[[Entity], None]
DataCallback = Callable[[DataUpdate], None]

_IDS_KEY = {
    SubscriptionKind.NODES: "nodes",
    SubscriptionKind.DEVICES: "devices",
    SubscriptionKind.SENSORS: "sensors",
}


class SubscribingConnection(RpcConnection):
    """The connection plus the subscribe/unsubscribe methods and re-subscription."""

    def __init__(self, url: str, code_provider: CodeProvider, **options: Any) -> None:
        super().__init__(url, code_provider, **options)
        self._subscriptions: list[Subscription] = []

    @property
    def subscriptions(self) -> list[Subscription]:
        """Live subscriptions (a copy)."""
        return list(self._subscriptions)

    async def subscribe_nodes(
        self, ids: Sequence[str], callback: EntityCallback, project_ids: Sequence[str] | None = None
    ) -> Subscription:
        """``callback(entity)`` whenever one of the nodes changes (e.g. ACCESSIBLE, LAST_COMM)."""
        return await self._subscribe(SubscriptionKind.NODES, ids, callback, project_ids)

    async def subscribe_devices(
        self, ids: Sequence[str], callback: EntityCallback, project_ids: Sequence[str] | None = None
    ) -> Subscription:
        return await self._subscribe(SubscriptionKind.DEVICES, ids, callback, project_ids)

    async def subscribe_sensors(
        self, ids: Sequence[str], callback: EntityCallback, project_ids: Sequence[str] | None = None
    ) -> Subscription:
        return await self._subscribe(SubscriptionKind.SENSORS, ids, callback, project_ids)

    async def unsubscribe(self, subscription: Subscription) -> None:
        """Stop the pushes; locally at once, and on the server when the socket is up."""
        subscription.active = False
        if subscription in self._subscriptions:
            self._subscriptions.remove(subscription)
        self._forget(subscription.request_id)
        sid, subscription.subscription_id = subscription.subscription_id, None
        if sid is None or not self.connected:
            return  # a lost socket took the server side of the subscription with it
        try:
            await self._call(f"unsubscribe{subscription.kind.value}", {"id": sid})
        except CloudUnavailable as exc:
            log.info("unsubscribe not confirmed (%s); the socket lost it anyway", exc.reason)

    async def subscribe_data(
        self,
        sensors: Sequence[str],
        metric: str,
        unit: str,
        callback: DataCallback,
        params: Mapping[str, Any] | None = None,
    ) -> Subscription:
        """``callback(DataUpdate)`` for each new observation of the sensors, in metric/unit."""
        request: dict[str, Any] = {"sensors": list(sensors), "metric": metric, "unit": unit}
        if params is not None:
            request["params"] = dict(params)
        sub = Subscription(SubscriptionKind.DATA, request, callback)
        await self._activate(sub)
        return sub

    async def _subscribe(
        self,
        kind: SubscriptionKind,
        ids: Sequence[str],
        callback: EntityCallback,
        project_ids: Sequence[str] | None,
    ) -> Subscription:
        params: dict[str, Any] = {_IDS_KEY[kind]: list(ids)}
        if project_ids:
            params["projectIds"] = list(project_ids)
        sub = Subscription(kind, params, callback)
        await self._activate(sub)
        return sub

    async def _activate(self, sub: Subscription, ws: ClientConnection | None = None) -> None:
        """Subscribe on the current socket (``ws`` given: during re-subscription)."""
        method = f"subscribe{sub.kind.value}"
        on_push = self._push_handler(sub)
        if ws is None:
            rid, result = await self._call(method, sub.params, on_push=on_push)
        else:
            rid, result = await self._request(ws, method, sub.params, on_push=on_push)
        sid = result.get("subscriptionId") if isinstance(result, dict) else None
        if not isinstance(sid, int):
            self._forget(rid)
            raise CloudMalformedResponse(self.url, f"{method} gave no subscriptionId")
        sub.request_id, sub.subscription_id, sub.error = rid, sid, None
        if sub not in self._subscriptions:
            self._subscriptions.append(sub)

    def _push_handler(self, sub: Subscription) -> Callable[[Any], None]:
        def on_push(result: Any) -> None:
            if not sub.active or not isinstance(result, dict):
                return
            sub.pushes += 1
            if sub.kind is SubscriptionKind.DATA:
                sensor = result.get("sensorId")
                sensors = sub.params.get("sensors") or [""]
                update = DataUpdate(
                    sensor if isinstance(sensor, str) else str(sensors[0]),
                    numeric_points(result.get("data")),
                )
                sub.callback(update)
            elif isinstance(result.get("data"), dict):
                sub.callback(result["data"])

        return on_push

    async def _after_authenticated(self, ws: ClientConnection) -> None:
        for sub in list(self._subscriptions):
            if not sub.active:
                continue
            try:
                await self._activate(sub, ws)
            except (RpcError, CloudMalformedResponse) as exc:
                sub.error = exc  # e.g. the sensor was removed meanwhile; others still resume
                log.warning("re-subscribing %s failed: %s", sub.kind.value, exc)
            except CloudError:
                raise  # the new socket is gone too; the loop tries again
