"""One socket connection's bookkeeping: who it is, what it subscribed to, what it must send."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from commissioner.sim.cloud.state import Principal


@dataclass
class Subscription:
    id: int
    request_id: Any
    kind: str  # "node" | "device" | "sensor" | "data"
    ids: frozenset[str]
    project: str = ""
    metric: str = ""


@dataclass(eq=False)  # identity-hashed: the hub keeps sessions in a set
class Session:
    ws: web.WebSocketResponse
    principal: Principal | None = None
    outbox: asyncio.Queue[dict[str, Any] | None] = field(default_factory=asyncio.Queue)
    subscriptions: dict[int, Subscription] = field(default_factory=dict)

    def reply(self, request_id: Any, result: Any) -> None:
        self.outbox.put_nowait({"jsonrpc": "2.0", "id": request_id, "result": result})

    def error(self, request_id: Any, code: int, message: str) -> None:
        error = {"code": code, "message": message}
        self.outbox.put_nowait({"jsonrpc": "2.0", "id": request_id, "error": error})
