"""Protocol details the simulator cannot provoke, against a small scripted loopback server.

The scripted server answers like the documented API but lets a test choose the ``nextId`` it
hands out, stay silent to keepalives, or drop the socket in the middle of a request.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import pytest
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

from commissioner.core.cloud.errors import CloudAmbiguous, CloudUnavailable
from commissioner.core.cloud.rpc import IotSocketClient, SocketState
from tests.core.cloud.test_rpc_support import StateLog


@dataclass
class Script:
    """What the server does; ``frames[n]`` holds what connection n received."""

    next_id: int = 100
    silent_time_on: set[int] = field(default_factory=set)  # connections that ignore `time`
    drop_on: str = ""  # a method that makes the server close the socket without answering
    frames: list[list[dict[str, Any]]] = field(default_factory=list)


class ScriptedServer:
    def __init__(self, script: Script) -> None:
        self.script = script
        self.server: Server | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        port = next(iter(self.server.sockets)).getsockname()[1]
        return f"ws://127.0.0.1:{port}/rpc"

    async def handler(self, ws: ServerConnection) -> None:
        index = len(self.script.frames)
        received: list[dict[str, Any]] = []
        self.script.frames.append(received)
        async for raw in ws:
            message = json.loads(raw)
            received.append(message)
            rid, method = message.get("id"), message.get("method")
            if method == "authenticate":
                result: Any = {"nextId": self.script.next_id * (index + 1), "user": {}}
            elif method == self.script.drop_on:
                await ws.close()
                return
            elif method == "time":
                if index in self.script.silent_time_on:
                    continue
                result = {"time": "2026-11-22T05:00:00.000Z"}
            else:
                result = []
            await ws.send(json.dumps({"jsonrpc": "2.0", "id": rid, "result": result}))


@pytest.fixture
async def scripted() -> AsyncIterator[ScriptedServer]:
    server = ScriptedServer(Script())
    async with serve(server.handler, "127.0.0.1", 0) as running:
        server.server = running
        yield server


def _client(url: str, codes: list[str], **options: Any) -> IotSocketClient:
    issued = iter(codes)

    async def provide() -> str:
        return next(issued)

    settings: dict[str, Any] = {
        "keepalive_s": 30.0,
        "backoff_initial_s": 0.05,
        "backoff_max_s": 0.2,
        "request_timeout_s": 5.0,
    }
    settings.update(options)
    return IotSocketClient(url, provide, **settings)


async def test_requests_are_numbered_from_the_servers_next_id(scripted: ScriptedServer) -> None:
    """authenticate goes first with id 0; then ids run nextId, nextId+1, ..."""
    async with _client(scripted.url, ["code-1"]) as client:
        await client.help()
        await client.get_nodes()
        await client.time()
    frames = scripted.script.frames[0]
    assert frames[0]["method"] == "authenticate" and frames[0]["id"] == 0
    assert frames[0]["params"] == {"code": "code-1"}
    assert [f["id"] for f in frames[1:]] == [100, 101, 102]
    assert [f["method"] for f in frames[1:]] == ["help", "getNodes", "time"]
    assert all(f["jsonrpc"] == "2.0" for f in frames)


async def test_unanswered_keepalive_reconnects_with_a_fresh_code(scripted: ScriptedServer) -> None:
    """A `time` keepalive without answer ends the socket; the client re-authenticates anew."""
    scripted.script.silent_time_on = {0}
    client = _client(scripted.url, ["code-1", "code-2", "code-3"], keepalive_s=0.1)
    log = StateLog(client)
    async with client:
        await log.wait_for(SocketState.CONNECTED, count=2)
        assert client.connects == 2
        await client.help()
    first, second = scripted.script.frames[:2]
    assert any(f["method"] == "time" for f in first)
    assert second[0] == {
        "jsonrpc": "2.0",
        "method": "authenticate",
        "id": 0,
        "params": {"code": "code-2"},
    }
    assert [f["id"] for f in second[1:]][:1] == [200]  # numbering restarts from the new nextId
    assert log.states[:4] == [
        SocketState.CONNECTING,
        SocketState.CONNECTED,
        SocketState.RECONNECTING,
        SocketState.CONNECTED,
    ]
    assert log.states[-1] is SocketState.CLOSED


async def test_dropped_upload_is_ambiguous_and_dropped_read_is_unavailable(
    scripted: ScriptedServer,
) -> None:
    """uploadData may have been stored when the socket drops: CloudAmbiguous, not a retry."""
    scripted.script.drop_on = "uploadData"
    async with _client(scripted.url, ["a", "b", "c"]) as client:
        with pytest.raises(CloudAmbiguous):
            await client.upload_data([{"sensorId": "s", "timestamp": "t", "values": {"T": 1}}])
        scripted.script.drop_on = "getNodes"
        with pytest.raises(CloudUnavailable) as caught:
            await client.get_nodes()
        assert not isinstance(caught.value, CloudAmbiguous)
    uploads = [
        f for frames in scripted.script.frames for f in frames if f["method"] == "uploadData"
    ]
    assert len(uploads) == 1  # never re-sent


async def test_requests_wait_for_the_reconnect(scripted: ScriptedServer) -> None:
    """A request made while reconnecting is sent once the new socket is authenticated."""
    scripted.script.drop_on = "getDevices"
    client = _client(scripted.url, ["a", "b"])
    log = StateLog(client)
    async with client:
        with pytest.raises(CloudUnavailable):
            await client.get_devices()
        scripted.script.drop_on = ""
        assert await client.get_nodes() == []
        await log.wait_for(SocketState.CONNECTED, count=2)
    assert scripted.script.frames[1][1]["method"] == "getNodes"


async def test_start_without_wait_keeps_retrying_until_reachable() -> None:
    """start(wait=False) returns at once; the client connects when the server appears."""
    script = Script()
    server = ScriptedServer(script)
    async with serve(server.handler, "127.0.0.1", 0) as running:
        server.server = running
        url = server.url
    client = _client(url, ["a", "b", "c", "d", "e", "f", "g", "h"] * 20)
    log = StateLog(client)
    await client.start(wait=False)
    try:
        await log.wait_for(SocketState.CONNECTING)
        host_port = url.removeprefix("ws://").removesuffix("/rpc").rsplit(":", 1)
        async with serve(server.handler, host_port[0], int(host_port[1])):
            await log.wait_for(SocketState.CONNECTED)
            assert await client.get_nodes() == []
    finally:
        await client.aclose()
    await asyncio.sleep(0)


async def test_redirects_are_not_followed(scripted: ScriptedServer) -> None:
    """A redirect could carry the code elsewhere: the client refuses it and sends nothing."""

    def redirect(connection: ServerConnection, request: Request) -> Response:
        response = connection.respond(HTTPStatus.FOUND, "moved\n")
        response.headers["Location"] = scripted.url
        return response

    async with serve(lambda ws: ws.close(), "127.0.0.1", 0, process_request=redirect) as mover:
        port = next(iter(mover.sockets)).getsockname()[1]
        client = _client(f"ws://127.0.0.1:{port}/rpc", ["code-1"])
        with pytest.raises(CloudUnavailable):
            await client.start()
    assert scripted.script.frames == []  # the redirect target never heard from us
