"""The JSON-RPC 2.0 WebSocket at ``/rpc``: sessions, authentication, dispatch and pushes.

Each connection is a :class:`Session` with its own outgoing queue drained by one writer task, so
replies, streamed ``getData`` chunks and subscription pushes leave in the order they were made.
The methods themselves live in :mod:`commissioner.sim.cloud.rpc_methods`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json

from aiohttp import WSMsgType, web

from commissioner.sim.cloud.auth import Authenticator
from commissioner.sim.cloud.rpc_methods import METHODS, RpcError
from commissioner.sim.cloud.rpc_session import Session
from commissioner.sim.cloud.state import CloudState, Entity, Observation


class RpcHub:
    """All socket sessions; hears state changes and pushes them to matching subscriptions."""

    def __init__(self, state: CloudState, auth: Authenticator) -> None:
        self.state = state
        self.auth = auth
        self.sessions: set[Session] = set()
        self._ids = itertools.count(1)
        state.entity_listeners.append(self._entity_changed)
        state.observation_listeners.append(self._observed)

    def new_subscription_id(self) -> int:
        return next(self._ids)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=None)
        await ws.prepare(request)
        session = Session(ws)
        self.sessions.add(session)
        writer = asyncio.create_task(self._write(session))
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._dispatch(session, msg.data)
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            self.sessions.discard(session)
            session.outbox.put_nowait(None)
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await writer
        return ws

    async def close_all(self) -> None:
        for session in list(self.sessions):
            with contextlib.suppress(ConnectionError, RuntimeError):
                await session.ws.close()

    async def _write(self, session: Session) -> None:
        while (message := await session.outbox.get()) is not None:
            if session.ws.closed:
                return
            try:
                await session.ws.send_str(json.dumps(message))
            except (ConnectionError, RuntimeError):
                return

    async def _dispatch(self, session: Session, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            session.error(None, -32700, "Parse error")
            return
        if not isinstance(message, dict) or not isinstance(message.get("method"), str):
            rid = message.get("id") if isinstance(message, dict) else None
            session.error(rid, -32600, "Invalid Request")
            return
        rid, method = message.get("id"), message["method"]
        params = message.get("params", {})
        if params is None:
            params = {}
        handler = METHODS.get(method)
        if handler is None:
            session.error(rid, -32601, "Method not found")
            return
        if method != "authenticate" and session.principal is None:
            session.error(rid, 401, "Not authenticated")
            return
        if not isinstance(params, dict):
            session.error(rid, -32602, "Invalid params: params must be an object")
            return
        try:
            await handler(self, session, rid, params)
        except RpcError as exc:
            session.error(rid, exc.code, exc.message)

    def _entity_changed(self, entity: Entity) -> None:
        for session in list(self.sessions):
            for sub in list(session.subscriptions.values()):
                if sub.kind != entity.kind or sub.project != entity.project:
                    continue
                if sub.ids and entity.id not in sub.ids:
                    continue
                session.reply(sub.request_id, {"data": self.state.live_json(entity)})

    def _observed(self, obs: Observation) -> None:
        for session in list(self.sessions):
            for sub in list(session.subscriptions.values()):
                if sub.kind != "data" or obs.sensor_id not in sub.ids:
                    continue
                if sub.metric not in obs.values:
                    continue
                result = {
                    "data": {obs.timestamp: obs.values[sub.metric]},
                    "sensorId": obs.sensor_id,
                }
                session.reply(sub.request_id, result)
