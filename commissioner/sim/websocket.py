"""The port streams ``/ws/port/{1,2,3}``: bytes from a port to every client, and back.

As the seed describes it, whatever the device on a port sends reaches every WebSocket client of
that port, and whatever a client sends (text or binary) goes to the device. Each chunk the sensor
sends is one binary message, so a client sees the same bursts a real gateway forwards. A slow
client gets a bounded queue: the oldest chunks are dropped rather than the gateway's memory.

Streams can be dropped abruptly (the transport is closed with no close frame), which is what a
client sees when a gateway reboots, updates, sleeps or loses its network, and what the
``drop_ws_every_s`` fault and ``POST /_sim/drop-websockets`` produce.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping

from aiohttp import WSCloseCode, WSMsgType, web

from commissioner.sim.ports import PortLink
from commissioner.sim.transport import abort_connection

log = logging.getLogger(__name__)
QUEUE_CHUNKS = 1000
CLOSE_TIMEOUT_S = 1.0


class _Client:
    """One connected WebSocket client of one port."""

    def __init__(self, port: int, ws: web.WebSocketResponse, request: web.Request) -> None:
        self.port = port
        self.ws = ws
        self.request = request
        self.queue: asyncio.Queue[bytes] = asyncio.Queue(maxsize=QUEUE_CHUNKS)
        self.dropped_chunks = 0

    def deliver(self, chunk: bytes) -> None:
        if self.queue.full():
            self.queue.get_nowait()
            self.dropped_chunks += 1
        self.queue.put_nowait(chunk)

    async def pump(self) -> None:
        """Send queued chunks until the socket closes."""
        while True:
            chunk = await self.queue.get()
            try:
                await self.ws.send_bytes(chunk)
            except ConnectionError:
                return

    def abort(self) -> None:
        abort_connection(self.request)


class PortSockets:
    """Every WebSocket client of every port of one THREAD."""

    def __init__(self, links: Mapping[int, PortLink]) -> None:
        self._links = links
        self._clients: set[_Client] = set()
        self.drops = 0

    def count(self, port: int | None = None) -> int:
        return sum(1 for c in self._clients if port is None or c.port == port)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """``GET /ws/port/{port}``: upgrade, then relay until either side goes away."""
        text = request.match_info["port"]
        link = self._links.get(int(text)) if text.isdigit() else None
        if link is None:
            raise web.HTTPNotFound(reason=f"no port {text}: the streams are /ws/port/1, 2 and 3")
        ws = web.WebSocketResponse(autoping=True)
        if not ws.can_prepare(request).ok:
            raise web.HTTPBadRequest(reason="this path takes WebSocket connections only")
        await ws.prepare(request)
        client = _Client(link.number, ws, request)
        self._clients.add(client)
        link.subscribe(client)
        pump = asyncio.create_task(client.pump(), name=f"ws-port-{link.number}-pump")
        try:
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    link.send_to_device(str(message.data).encode("utf-8"))
                elif message.type is WSMsgType.BINARY:
                    link.send_to_device(bytes(message.data))
                elif message.type is WSMsgType.ERROR:
                    break
        finally:
            link.unsubscribe(client)
            self._clients.discard(client)
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pump
        return ws

    def drop_all(self) -> int:
        """Cut every stream at once, as a network failure or a restart does; returns how many."""
        clients = list(self._clients)
        for client in clients:
            client.abort()
        if clients:
            self.drops += 1
            log.info("dropped %d port websocket(s)", len(clients))
        return len(clients)

    async def close_all(self) -> None:
        """Close every stream politely (server shutdown), aborting any that does not answer."""
        clients = list(self._clients)

        async def close(client: _Client) -> None:
            try:
                await asyncio.wait_for(
                    client.ws.close(code=WSCloseCode.GOING_AWAY, message=b"simulator stopping"),
                    CLOSE_TIMEOUT_S,
                )
            except (TimeoutError, ConnectionError):
                client.abort()

        await asyncio.gather(*(close(c) for c in clients))
