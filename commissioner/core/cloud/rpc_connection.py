"""The reconnecting, authenticated JSON-RPC socket underneath :class:`IotSocketClient`.

One background task owns the socket: fetch a fresh code (tokens rotate, so never reuse one),
connect, ``authenticate`` (id 0) and take ``nextId`` from its result, subscribe again to every
live subscription, then read and route answers by id while a keepalive sends ``time`` every few
seconds. A dropped socket or an unanswered keepalive ends the session; the task waits with
backoff and starts over. A refused code ends the task for good (retrying cannot fix it); the
state becomes CLOSED and every request raises the :class:`CloudAuthError`.

The code travels only inside the ``authenticate`` frame; it is never logged, and websockets'
own frame logging is kept off (its DEBUG output would print that frame).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from commissioner.core.cloud.errors import (
    CloudAuthError,
    CloudConfigError,
    CloudError,
    CloudMalformedResponse,
    CloudUnavailable,
    SecretUnavailable,
)
from commissioner.core.cloud.rpc_router import AUTH_ID, RpcRouter, decode, message_id, rpc_error
from commissioner.core.cloud.rpc_types import RpcError, SocketState
from commissioner.core.cloud.rpc_wire import describe, open_socket
from commissioner.core.lifecycle import AsyncService

log = logging.getLogger(__name__)

CodeProvider = Callable[[], Awaitable[str]]
StateListener = Callable[[SocketState, str], None]
FATAL_CODE_ERRORS = (CloudAuthError, SecretUnavailable, CloudConfigError)


class RpcConnection(RpcRouter, AsyncService):
    """Connection loop, request ids and routing; the API methods live in the subclass."""

    def __init__(
        self,
        url: str,
        code_provider: CodeProvider,
        *,
        keepalive_s: float = 5.0,
        backoff_initial_s: float = 0.5,
        backoff_max_s: float = 15.0,
        open_timeout_s: float = 10.0,
        request_timeout_s: float = 30.0,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("ws", "wss") or not parts.hostname:
            raise CloudConfigError(f"The socket URL {url!r} is not a ws:// or wss:// URL.")
        RpcRouter.__init__(self, url, request_timeout_s)
        self.keepalive_s = keepalive_s
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.open_timeout_s = open_timeout_s
        self.state = SocketState.IDLE
        self.last_error = ""
        self.connects = 0
        self.user: dict[str, Any] = {}
        self._code_provider = code_provider
        self._listeners: list[StateListener] = []
        self._ws: ClientConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._fatal: CloudError | None = None
        self._wake = asyncio.Event()
        self._first: asyncio.Future[None] | None = None
        self._closer: asyncio.Task[None] | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    def add_state_listener(self, listener: StateListener) -> None:
        """``listener(state, detail)`` on every state change, on the event loop."""
        self._listeners.append(listener)

    def remove_state_listener(self, listener: StateListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    @property
    def connected(self) -> bool:
        return self.state is SocketState.CONNECTED

    async def start(self, *, wait: bool = True) -> None:
        """Begin connecting. With ``wait``, return once connected or raise what the first try met.

        ``CloudAuthError`` for a refused code, ``CloudUnavailable`` when the socket could not be
        opened (the client is then closed). Without ``wait`` it keeps retrying in the background.
        """
        if self._task is not None:
            return
        self._closing = False
        self._fatal = None
        loop = asyncio.get_running_loop()
        self._first = loop.create_future() if wait else None
        self._task = loop.create_task(self._run(), name=f"rpc socket {self.url}")
        if self._first is not None:
            try:
                await self._first
            except CloudError:
                await self.aclose()
                raise

    async def aclose(self) -> None:
        """Stop reconnecting, close the socket, fail what is waiting. Safe to call twice."""
        self._closing = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self._drop_socket("the client was closed")
        self._set_state(SocketState.CLOSED, self.last_error or "closed")

    # -- requests -------------------------------------------------------------------------------

    async def _ready(self) -> ClientConnection:
        """The open socket, waiting up to the request timeout for a (re)connection."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.request_timeout_s
        while True:
            if self._fatal is not None:
                raise self._fatal
            if self.state in (SocketState.IDLE, SocketState.CLOSED):
                raise CloudUnavailable(self.url, f"the socket client is {self.state.value}")
            if self.state is SocketState.CONNECTED and self._ws is not None:
                return self._ws
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise CloudUnavailable(self.url, f"not connected: {self.last_error or 'waiting'}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), remaining)

    # -- the connection loop --------------------------------------------------------------------

    async def _run(self) -> None:
        attempt = 0
        while not self._closing:
            again = self.connects > 0
            self._set_state(
                SocketState.RECONNECTING if again else SocketState.CONNECTING,
                f"reconnecting: {self.last_error}" if again else f"connecting to {self.url}",
            )
            try:
                ws = await self._open()
            except FATAL_CODE_ERRORS as exc:
                self._fail(exc)
                return
            except Exception as exc:
                self.last_error = describe(exc)
                log.info("cloud socket %s: %s", self.url, self.last_error)
                if self._first is not None and not self._first.done():
                    self._first.set_exception(CloudUnavailable(self.url, self.last_error))
                    return
                await asyncio.sleep(self._backoff(attempt))
                attempt += 1
                continue
            if await self._session(ws):
                attempt = 0
            else:  # lost before it was usable: do not hammer a server that keeps dropping us
                await asyncio.sleep(self._backoff(attempt))
                attempt += 1

    async def _open(self) -> ClientConnection:
        code = await self._code_provider()
        ws = await open_socket(self.url, self.open_timeout_s)
        try:
            self.user, self._next_id = await self._authenticate(ws, code)
        except BaseException:
            with contextlib.suppress(Exception):
                await ws.close()
            raise
        return ws

    async def _authenticate(self, ws: ClientConnection, code: str) -> tuple[dict[str, Any], int]:
        frame = {
            "jsonrpc": "2.0",
            "method": "authenticate",
            "id": AUTH_ID,
            "params": {"code": code},
        }
        await ws.send(json.dumps(frame))
        async with asyncio.timeout(self.open_timeout_s):
            while True:
                message = decode(await ws.recv())
                if message is None or message_id(message) != AUTH_ID:
                    continue
                error = message.get("error")
                if isinstance(error, dict):
                    refused = rpc_error(error)
                    raise CloudAuthError(
                        f"the socket API refused the code ({refused.message or 'no reason'})",
                        code=str(refused.code),
                    )
                result = message.get("result")
                next_id = result.get("nextId") if isinstance(result, dict) else None
                if not isinstance(next_id, int) or isinstance(next_id, bool):
                    raise CloudMalformedResponse(self.url, "authenticate gave no integer nextId")
                user = result.get("user") if isinstance(result, dict) else None
                return (user if isinstance(user, dict) else {}), max(next_id, AUTH_ID + 1)

    async def _session(self, ws: ClientConnection) -> bool:
        """Serve one authenticated socket until it is lost; True if it became CONNECTED."""
        self._ws = ws
        usable = False
        reader = asyncio.create_task(self._read(ws), name="rpc reader")
        keepalive: asyncio.Task[str] | None = None
        try:
            await self._after_authenticated(ws)
            keepalive = asyncio.create_task(self._keepalive(ws), name="rpc keepalive")
            if not reader.done():
                usable = True
                self.connects += 1
                self._set_state(SocketState.CONNECTED, f"connected to {self.url}")
                if self._first is not None and not self._first.done():
                    self._first.set_result(None)
            done, _ = await asyncio.wait({reader, keepalive}, return_when=asyncio.FIRST_COMPLETED)
            self.last_error = next(iter(done)).result()
        except Exception as exc:
            self.last_error = describe(exc)
        finally:
            for task in (reader, keepalive):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
            await self._drop_socket(self.last_error)
            with contextlib.suppress(Exception):
                await ws.close()
        log.info("cloud socket %s lost: %s", self.url, self.last_error)
        return usable

    async def _after_authenticated(self, ws: ClientConnection) -> None:
        """Hook run before CONNECTED is announced (the client re-subscribes here)."""

    async def _read(self, ws: ClientConnection) -> str:
        reason = "the cloud closed the socket"
        try:
            async for raw in ws:
                message = decode(raw)
                if message is not None:
                    self._dispatch(message)
        except ConnectionClosed as exc:
            reason = f"the socket closed ({exc})"
        finally:
            if self._ws is ws:
                self._ws = None  # requests now wait for the next socket instead of failing
            self._lose_routes(reason)
        return reason

    async def _keepalive(self, ws: ClientConnection) -> str:
        while True:
            await asyncio.sleep(self.keepalive_s)
            try:
                await self._request(ws, "time", {}, timeout_s=max(self.keepalive_s, 1.0))
            except RpcError:
                continue  # an error reply is still a reply: the socket is alive
            except CloudUnavailable as exc:
                return f"keepalive failed: {exc.reason}"

    def _on_unauthorized(self) -> None:
        ws = self._ws
        if ws is not None and (self._closer is None or self._closer.done()):
            self._closer = asyncio.get_running_loop().create_task(ws.close())

    async def _drop_socket(self, reason: str) -> None:
        ws, self._ws = self._ws, None
        self._lose_routes(reason)
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()

    def _fail(self, exc: CloudError) -> None:
        self._fatal = exc
        self.last_error = str(exc)
        if self._first is not None and not self._first.done():
            self._first.set_exception(exc)
        self._set_state(SocketState.CLOSED, self.last_error)

    def _set_state(self, state: SocketState, detail: str) -> None:
        if state is self.state and state is not SocketState.RECONNECTING:
            return
        self.state = state
        self._wake.set()
        self._wake = asyncio.Event()
        for listener in list(self._listeners):
            try:
                listener(state, detail)
            except Exception:
                log.exception("a cloud socket state listener failed")

    def _backoff(self, attempt: int) -> float:
        delay = min(self.backoff_max_s, self.backoff_initial_s * (2 ** min(attempt, 16)))
        return float(delay * random.uniform(0.8, 1.2))
