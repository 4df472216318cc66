"""The connection to one THREAD as an explicit state machine, with loss detection and reconnect.

States and allowed transitions::

    DISCONNECTED -> CONNECTING -> CONNECTED            (connect succeeded)
    CONNECTING   -> DISCONNECTED                       (connect failed; the error is raised)
    CONNECTED    -> LOST -> RECONNECTING -> CONNECTED  (heartbeat or a page saw it go; it came back)
    RECONNECTING -> RECONNECTING                       (still away; retried with backoff)
    any          -> DISCONNECTED                       (the user disconnected)

While LOST or RECONNECTING the session keeps its client and the pages keep whatever the user
staged, so nothing is lost when the THREAD returns. When it returns with a different serial number
(another unit was plugged in), the identity changes and listeners are told, so they can re-read.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from commissioner.core.connection.targets import ConnectionTarget
from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.errors import EdgeError, EdgeUnreachable
from commissioner.core.edge.models import Versions
from commissioner.core.edge.transport import Exchange, ExchangeListener
from commissioner.core.lifecycle import AsyncService


class ConnectionState(StrEnum):
    DISCONNECTED = "disconnected"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    LOST = "lost"
    RECONNECTING = "reconnecting"

    @property
    def usable(self) -> bool:
        """Whether requests to the THREAD can be sent now."""
        return self is ConnectionState.CONNECTED

    @property
    def attached(self) -> bool:
        """Whether a THREAD is chosen (connected, or expected back)."""
        return self in (
            ConnectionState.CONNECTED,
            ConnectionState.LOST,
            ConnectionState.RECONNECTING,
        )


@dataclass(frozen=True)
class ThreadIdentity:
    serial_number: str
    versions: Versions
    clock_offset_s: float
    time_accurate: bool
    base_url: str
    target: ConnectionTarget
    read_at: float


class SessionListener:
    """Told about state and identity changes, on the event loop."""

    def on_state(self, state: ConnectionState, detail: str) -> None:
        """The connection state changed; ``detail`` says why in words."""

    def on_identity(self, identity: ThreadIdentity | None) -> None:
        """A THREAD was identified (or forgotten)."""


ClientFactory = Callable[[str], EdgeClient]


class ThreadSession(AsyncService):
    """Owns the Edge client of the THREAD in use and watches that it stays reachable."""

    def __init__(
        self,
        *,
        heartbeat_s: float = 2.0,
        request_timeout_s: float = 4.0,
        probe_timeout_s: float = 1.5,
        backoff_initial_s: float = 0.5,
        backoff_max_s: float = 5.0,
        client_factory: ClientFactory | None = None,
    ) -> None:
        self.heartbeat_s = heartbeat_s
        self.request_timeout_s = request_timeout_s
        self.probe_timeout_s = probe_timeout_s
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self._client_factory = client_factory or self._default_client
        self.state = ConnectionState.DISCONNECTED
        self.detail = "Not connected"
        self.identity: ThreadIdentity | None = None
        self.client: EdgeClient | None = None
        self.target: ConnectionTarget | None = None
        self._listeners: list[SessionListener] = []
        self._exchange_listeners: list[ExchangeListener] = []
        self._watch_task: asyncio.Task[None] | None = None
        self._absent_until = 0.0

    # -- listeners ----------------------------------------------------------------------------

    def add_listener(self, listener: SessionListener) -> None:
        self._listeners.append(listener)

    def add_exchange_listener(self, listener: ExchangeListener) -> None:
        """Every request of every client this session creates is reported here (activity log)."""
        self._exchange_listeners.append(listener)

    def _emit_exchange(self, exchange: Exchange) -> None:
        for listener in list(self._exchange_listeners):
            listener(exchange)

    def _set_state(self, state: ConnectionState, detail: str) -> None:
        self.state = state
        self.detail = detail
        for listener in list(self._listeners):
            listener.on_state(state, detail)

    def _set_identity(self, identity: ThreadIdentity | None) -> None:
        self.identity = identity
        for listener in list(self._listeners):
            listener.on_identity(identity)

    def _default_client(self, url: str) -> EdgeClient:
        return EdgeClient(url, timeout_s=self.request_timeout_s, on_exchange=self._emit_exchange)

    # -- connecting -----------------------------------------------------------------------------

    async def connect(self, target: ConnectionTarget, url: str) -> ThreadIdentity:
        """Connect and identify; on failure the session is DISCONNECTED and the error raised."""
        await self.disconnect(detail=f"Connecting to {target.label}…", announce=False)
        self.target = target
        self._set_state(ConnectionState.CONNECTING, f"Connecting to {target.label} at {url}…")
        client = self._client_factory(url)
        try:
            identity = await self._identify(client, target)
        except BaseException as exc:
            await client.aclose()
            self.target = None
            reason = str(exc) if isinstance(exc, EdgeError) else "connection cancelled"
            self._set_state(ConnectionState.DISCONNECTED, f"Could not connect: {reason}")
            raise
        self.client = client
        self._set_identity(identity)
        self._set_state(
            ConnectionState.CONNECTED,
            f"Connected to THREAD {identity.serial_number} ({target.label})",
        )
        self._watch_task = asyncio.get_running_loop().create_task(
            self._watch(), name="thread heartbeat"
        )
        return identity

    async def disconnect(self, *, detail: str = "Disconnected", announce: bool = True) -> None:
        task, self._watch_task = self._watch_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        client, self.client = self.client, None
        if client is not None:
            await client.aclose()
        had_identity = self.identity is not None
        self.target = None
        if had_identity:
            self._set_identity(None)
        if announce or self.state is not ConnectionState.DISCONNECTED:
            self._set_state(ConnectionState.DISCONNECTED, detail)

    async def aclose(self) -> None:
        await self.disconnect()

    async def refresh_identity(self) -> ThreadIdentity | None:
        """Re-read identity (after an update, for example); None if not connected."""
        if self.client is None or self.target is None:
            return None
        identity = await self._identify(self.client, self.target)
        self._set_identity(identity)
        return identity

    async def _identify(self, client: EdgeClient, target: ConnectionTarget) -> ThreadIdentity:
        serial, versions, clock, accurate = await asyncio.gather(
            client.serial_number(), client.versions(), client.get_time(), client.time_accurate()
        )
        return ThreadIdentity(
            serial, versions, clock.offset_s, accurate, client.base_url, target, time.time()
        )

    # -- loss and return ----------------------------------------------------------------------

    def report_unreachable(self, reason: str) -> None:
        """A page's request found the THREAD gone: go LOST now rather than at the next heartbeat."""
        if self.state is ConnectionState.CONNECTED:
            self._set_state(ConnectionState.LOST, f"THREAD lost: {reason}")

    def expect_absence(self, seconds: float, reason: str) -> None:
        """The THREAD was told to go away (sleep, update): show why, and probe only after ``seconds``."""
        self._absent_until = time.monotonic() + max(0.0, seconds)
        if self.state.attached:
            self._set_state(ConnectionState.LOST, reason)

    def expect_return(self, reason: str = "The THREAD is back; reconnecting…") -> None:
        """Something saw the THREAD answer again: probe now instead of waiting out the quiet time."""
        self._absent_until = 0.0
        if self.state.attached and self.state is not ConnectionState.CONNECTED:
            self._set_state(ConnectionState.RECONNECTING, reason)

    async def _watch(self) -> None:
        """Heartbeat while connected; probe with backoff while lost; restore when it answers."""
        attempt = 0
        while True:
            if self.state is ConnectionState.CONNECTED:
                await asyncio.sleep(self.heartbeat_s)
                if self.state is not ConnectionState.CONNECTED:
                    continue
                if not await self._probe():
                    self._set_state(
                        ConnectionState.LOST,
                        "THREAD stopped answering (cable, power, sleep or restart?)",
                    )
                continue
            wait = self._absent_until - time.monotonic()
            if wait > 0:
                await asyncio.sleep(min(wait, 1.0))
                continue
            if self.state is ConnectionState.LOST or attempt == 0:
                attempt = 0
            self._set_state(
                ConnectionState.RECONNECTING,
                f"Waiting for the THREAD to come back (attempt {attempt + 1})…",
            )
            if await self._probe() and await self._restore():
                attempt = 0
                continue
            attempt += 1
            delay = min(self.backoff_max_s, self.backoff_initial_s * 2 ** min(attempt, 10))
            await asyncio.sleep(delay * random.uniform(0.8, 1.2))

    async def _probe(self) -> bool:
        client = self.client
        if client is None:
            return False
        try:
            async with asyncio.timeout(self.probe_timeout_s):
                await client.transport.request("GET", "serialNumber", purpose="heartbeat")
        except (EdgeError, TimeoutError):
            return False
        return True

    async def _restore(self) -> bool:
        client, target = self.client, self.target
        if client is None or target is None:
            return False
        previous = self.identity
        try:
            identity = await self._identify(client, target)
        except EdgeUnreachable:
            return False
        except EdgeError as exc:
            self._set_state(
                ConnectionState.RECONNECTING, f"THREAD answers but not yet normally: {exc}"
            )
            return False
        self._set_identity(identity)
        if previous is not None and previous.serial_number != identity.serial_number:
            detail = (
                f"A different THREAD answers at this address: {identity.serial_number} "
                f"(was {previous.serial_number}). Check which unit you are configuring."
            )
        else:
            detail = f"Reconnected to THREAD {identity.serial_number}"
        self._set_state(ConnectionState.CONNECTED, detail)
        return True
