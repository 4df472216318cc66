"""Request ids and answer routing for the JSON-RPC socket: one id per request, answers by id.

Ids are numbered sequentially from the ``nextId`` that ``authenticate`` returned, as the API
asks. Each id is bound to a route (see ``rpc_types``) until its last answer: a one-shot request,
a subscription (whose pushes reuse its id) or a ``getData`` stream. When the socket is lost every
waiting route fails with :class:`CloudUnavailable`, or :class:`CloudAmbiguous` for a request that
must not simply be repeated (``uploadData``: it may have been stored).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from commissioner.core.cloud.errors import CloudAmbiguous, CloudError, CloudUnavailable
from commissioner.core.cloud.rpc_types import OneShot, Route, RpcError, Stream

log = logging.getLogger(__name__)
AUTH_ID = 0


class _NotSent(CloudUnavailable):
    """The request frame could not be written: nothing reached the server."""


class RpcRouter:
    """Sends requests on the socket that :meth:`_ready` provides and routes the answers."""

    def __init__(self, url: str, request_timeout_s: float) -> None:
        self.url = url
        self.request_timeout_s = request_timeout_s
        self._routes: dict[int, Route] = {}
        self._next_id = AUTH_ID + 1

    async def _ready(self) -> ClientConnection:
        """The open, authenticated socket (waiting for it if needed) or raise."""
        raise NotImplementedError

    def _on_unauthorized(self) -> None:
        """The server answered 401 to a request: the connection should re-authenticate."""

    async def _call(
        self,
        method: str,
        params: dict[str, Any],
        *,
        idempotent: bool = True,
        on_push: Callable[[Any], None] | None = None,
    ) -> tuple[int, Any]:
        """Send one request when connected; returns (request id, result).

        A request whose frame could not be written was certainly not processed, so it is tried
        once more on the next socket, whatever the method.
        """
        for attempt in (1, 2):
            ws = await self._ready()
            try:
                return await self._request(
                    ws, method, params, idempotent=idempotent, on_push=on_push
                )
            except _NotSent:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _request(
        self,
        ws: ClientConnection,
        method: str,
        params: dict[str, Any],
        *,
        idempotent: bool = True,
        on_push: Callable[[Any], None] | None = None,
        timeout_s: float | None = None,
    ) -> tuple[int, Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        route = OneShot(future, self._lost_error(idempotent), on_push)
        rid = await self._send_request(ws, method, params, route)
        try:
            async with asyncio.timeout(timeout_s or self.request_timeout_s):
                result = await future
        except TimeoutError:
            self._routes.pop(rid, None)
            raise self._lost_error(idempotent)(f"no answer to {method} in time") from None
        except BaseException:
            self._routes.pop(rid, None)
            raise
        if on_push is None:
            self._routes.pop(rid, None)
        return rid, result

    async def _open_stream(
        self, method: str, params: dict[str, Any]
    ) -> tuple[int, asyncio.Queue[tuple[str, Any]]]:
        for attempt in (1, 2):
            ws = await self._ready()
            route = Stream(self._lost_error(True))
            try:
                rid = await self._send_request(ws, method, params, route)
            except _NotSent:
                if attempt == 2:
                    raise
                continue
            return rid, route.queue
        raise AssertionError("unreachable")

    def _forget(self, request_id: int | None) -> None:
        if request_id is not None:
            self._routes.pop(request_id, None)

    async def _send_request(
        self, ws: ClientConnection, method: str, params: dict[str, Any], route: Route
    ) -> int:
        rid = self._next_id
        self._next_id += 1
        self._routes[rid] = route
        frame = json.dumps({"jsonrpc": "2.0", "method": method, "id": rid, "params": params})
        try:
            await ws.send(frame)
        except (ConnectionClosed, OSError) as exc:
            self._routes.pop(rid, None)
            raise _NotSent(self.url, f"the socket closed before {method} was sent") from exc
        return rid

    def _lost_error(self, idempotent: bool) -> Callable[[str], CloudError]:
        if idempotent:
            return lambda reason: CloudUnavailable(self.url, reason)
        return lambda reason: CloudAmbiguous(self.url, reason)

    def _dispatch(self, message: dict[str, Any]) -> None:
        rid = message_id(message)
        route = self._routes.get(rid) if rid is not None else None
        if route is None:
            if "error" in message:
                log.warning("cloud socket error without a request: %s", message.get("error"))
            return
        error = message.get("error")
        if isinstance(error, dict):
            route.on_error(rpc_error(error))
            if isinstance(error.get("code"), int) and error.get("code") == 401:
                self._on_unauthorized()  # the server forgot us: re-authenticate with a fresh code
        else:
            try:
                route.on_result(message.get("result"))
            except Exception:
                log.exception("handling a cloud socket push failed")
        if route.finished:
            self._routes.pop(rid, None)  # type: ignore[arg-type]

    def _lose_routes(self, reason: str) -> None:
        routes, self._routes = self._routes, {}
        for route in routes.values():
            route.on_lost(reason)


def rpc_error(error: dict[str, Any]) -> RpcError:
    code = error.get("code")
    return RpcError(code if isinstance(code, int) else 0, str(error.get("message", "")))


def decode(raw: str | bytes) -> dict[str, Any] | None:
    try:
        message = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        log.warning("cloud socket sent a frame that is not JSON")
        return None
    return message if isinstance(message, dict) else None


def message_id(message: dict[str, Any]) -> int | None:
    """Ids come back as numbers, though the seed's examples also send them as strings."""
    rid = message.get("id")
    if isinstance(rid, bool):
        return None
    if isinstance(rid, int):
        return rid
    if isinstance(rid, str) and rid.strip().isdigit():
        return int(rid)
    return None
