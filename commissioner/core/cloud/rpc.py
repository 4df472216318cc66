"""iTwin IoT JSON-RPC socket client: entities, subscriptions, metrics, data, upload, help, time.

The socket API is the only documented way to be *told* when a connection's ``ACCESSIBLE`` or
``LAST_COMM`` changes or when a sensor's new observation is stored, which is what the
commissioning "is it really arriving in the cloud?" check needs. Usage::

    client = IotSocketClient(profile.socket_url, code_provider)
    async with client:                       # connects and authenticates (or raises)
        nodes = await client.get_nodes([node_id], project_ids=[project])
        sub = await client.subscribe_data([sensor_id], "T", "C", on_update)
        ...
        await client.unsubscribe(sub)

``code_provider`` is awaited for every (re)connection, because access tokens rotate; an API key
provider simply returns the key. Subscriptions survive reconnects: the client subscribes again
on each new socket before it reports CONNECTED. Errors: :class:`CloudAuthError` (code refused),
:class:`CloudUnavailable` (cannot connect, socket lost, no answer in time),
:class:`CloudAmbiguous` (``uploadData`` sent but unanswered: it may be stored),
:class:`RpcError` (the server's JSON-RPC error reply), :class:`CloudMalformedResponse`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from commissioner.core.cloud.errors import CloudMalformedResponse, CloudUnavailable
from commissioner.core.cloud.rpc_connection import CodeProvider, StateListener
from commissioner.core.cloud.rpc_subscriptions import (
    DataCallback,
    Entity,
    EntityCallback,
    SubscribingConnection,
)
from commissioner.core.cloud.rpc_types import (
    DataUpdate,
    RpcError,
    SocketState,
    Subscription,
    SubscriptionKind,
    iso_ms,
    numeric_points,
    parse_iso,
)

log = logging.getLogger(__name__)

__all__ = [
    "CodeProvider",
    "DataCallback",
    "DataUpdate",
    "Entity",
    "EntityCallback",
    "IotSocketClient",
    "RpcError",
    "SocketState",
    "StateListener",
    "Subscription",
    "SubscriptionKind",
    "code_from_authorization",
    "static_code",
]


def code_from_authorization(header: str) -> str:
    """The socket ``code`` from an HTTP Authorization value (``Bearer x`` / ``ApiKey x`` -> x)."""
    scheme, _, rest = header.strip().partition(" ")
    return rest.strip() if rest and scheme.lower() in ("bearer", "apikey") else header.strip()


def static_code(code: str) -> CodeProvider:
    """A provider for a code that does not rotate (an API key)."""

    async def provide() -> str:
        return code

    return provide


class IotSocketClient(SubscribingConnection):
    """Typed methods over the JSON-RPC socket; see the module docstring for the error types."""

    def __init__(
        self,
        url: str,
        code_provider: Callable[[], Awaitable[str]],
        *,
        keepalive_s: float = 5.0,
        backoff_initial_s: float = 0.5,
        backoff_max_s: float = 15.0,
        open_timeout_s: float = 10.0,
        request_timeout_s: float = 30.0,
    ) -> None:
        SubscribingConnection.__init__(
            self,
            url,
            code_provider,
            keepalive_s=keepalive_s,
            backoff_initial_s=backoff_initial_s,
            backoff_max_s=backoff_max_s,
            open_timeout_s=open_timeout_s,
            request_timeout_s=request_timeout_s,
        )

    def __repr__(self) -> str:
        return f"IotSocketClient({self.url!r}, state={self.state.value})"

    # -- entities -------------------------------------------------------------------------------

    async def get_nodes(
        self, ids: Sequence[str] | None = None, project_ids: Sequence[str] | None = None
    ) -> list[Entity]:
        return await self._entities("getNodes", "nodes", ids, project_ids)

    async def get_devices(
        self, ids: Sequence[str] | None = None, project_ids: Sequence[str] | None = None
    ) -> list[Entity]:
        return await self._entities("getDevices", "devices", ids, project_ids)

    async def get_sensors(
        self, ids: Sequence[str] | None = None, project_ids: Sequence[str] | None = None
    ) -> list[Entity]:
        return await self._entities("getSensors", "sensors", ids, project_ids)

    # -- metrics and data -----------------------------------------------------------------------

    async def get_metrics(self, sensors: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """Metric objects available per sensor id (``id``, ``defaultUnit``, ``params``...)."""
        return await self._mapping("getMetrics", {"sensors": list(sensors)})

    async def get_raw_metrics(
        self, sensors: Sequence[str] | None = None, types: Sequence[str] | None = None
    ) -> dict[str, list[dict[str, Any]]]:
        """The raw metrics a sensor records (what ``uploadData`` values must be keyed by)."""
        params: dict[str, Any] = {}
        if sensors is not None:
            params["sensors"] = list(sensors)
        if types is not None:
            params["types"] = list(types)
        return await self._mapping("getRawMetrics", params)

    async def get_units(self, metrics: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """Units per metric id (``id``, ``name``, ``notation``)."""
        return await self._mapping("getUnits", {"metrics": list(metrics)})

    async def iter_data(
        self,
        sensor: str,
        metric: str,
        unit: str,
        start: datetime | str | None = None,
        end: datetime | str | None = None,
        limit: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> AsyncIterator[dict[str, float]]:
        """Each ``getData`` chunk ({timestamp: value}) as it arrives, until ``finished``.

        ``limit`` is the API's object, e.g. ``{"function": "last", "params": {"size": 1}}``.
        """
        request: dict[str, Any] = {"sensor": sensor, "metric": metric, "unit": unit}
        if start is not None:
            request["startDate"] = iso_ms(start)
        if end is not None:
            request["endDate"] = iso_ms(end)
        if limit is not None:
            request["limit"] = dict(limit)
        if params is not None:
            request["params"] = dict(params)
        rid, queue = await self._open_stream("getData", request)
        try:
            while True:
                try:
                    async with asyncio.timeout(self.request_timeout_s):
                        kind, payload = await queue.get()
                except TimeoutError:
                    raise CloudUnavailable(self.url, "getData stopped sending") from None
                if kind == "error":
                    raise payload
                if not isinstance(payload, dict):
                    raise CloudMalformedResponse(self.url, "getData sent a non-object result")
                if "data" in payload:
                    yield numeric_points(payload["data"])
                if payload.get("requestStatus") == "finished":
                    return
        finally:
            self._forget(rid)

    async def get_data(
        self,
        sensor: str,
        metric: str,
        unit: str,
        start: datetime | str | None = None,
        end: datetime | str | None = None,
        limit: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> dict[str, float]:
        """All points of a ``getData`` query merged into one {timestamp: value} dict."""
        series: dict[str, float] = {}
        async for chunk in self.iter_data(sensor, metric, unit, start, end, limit, params):
            series.update(chunk)
        return series

    async def upload_data(self, observations: Sequence[Mapping[str, Any]]) -> int:
        """Send observations ({sensorId, timestamp, values}); returns how many were stored.

        Not retried: if the answer is lost it raises :class:`CloudAmbiguous` (maybe stored).
        """
        data = [dict(o) for o in observations]
        _, result = await self._call("uploadData", {"data": data}, idempotent=False)
        count = result.get("successfullyProcessedObs") if isinstance(result, dict) else None
        if not isinstance(count, int):
            raise CloudMalformedResponse(self.url, "uploadData gave no successfullyProcessedObs")
        return count

    # -- utilities ------------------------------------------------------------------------------

    async def help(self) -> list[dict[str, Any]]:
        """The server's list of methods (``method``, ``params``, ``description``)."""
        _, result = await self._call("help", {})
        if not isinstance(result, list):
            raise CloudMalformedResponse(self.url, "help did not return a list")
        return [item for item in result if isinstance(item, dict)]

    async def time(self) -> datetime:
        """The server's clock (also the keepalive request)."""
        _, result = await self._call("time", {})
        moment = parse_iso(result.get("time") if isinstance(result, dict) else result)
        if moment is None:
            raise CloudMalformedResponse(self.url, "time did not return an ISO timestamp")
        return moment

    # -- internals ------------------------------------------------------------------------------

    async def _entities(
        self,
        method: str,
        key: str,
        ids: Sequence[str] | None,
        project_ids: Sequence[str] | None,
    ) -> list[Entity]:
        params: dict[str, Any] = {}
        if ids is not None:
            params[key] = list(ids)
        if project_ids:
            params["projectIds"] = list(project_ids)
        _, result = await self._call(method, params)
        if not isinstance(result, list):
            raise CloudMalformedResponse(self.url, f"{method} did not return a list")
        return [e for e in result if isinstance(e, dict) and isinstance(e.get("id"), str)]

    async def _mapping(self, method: str, params: dict[str, Any]) -> dict[str, list[Any]]:
        _, result = await self._call(method, params)
        if not isinstance(result, dict):
            raise CloudMalformedResponse(self.url, f"{method} did not return an object")
        return {str(k): (v if isinstance(v, list) else []) for k, v in result.items()}
