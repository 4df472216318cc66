"""One interface for every byte source: a stream that reconnects by itself and marks its gaps.

A THREAD port WebSocket and a local USB-serial adapter fail the same way from the user's point of
view (the cable moves, the device restarts), so both share this loop: connect, pump bytes to the
listeners, and when the link drops, retry with backoff and record the gap (when, how long, why) so
captures can show exactly what was missed.

States and their allowed transitions::

    IDLE -> CONNECTING -> CONNECTED -> RECONNECTING -> CONNECTED -> ... -> CLOSED
    CONNECTING -> CONNECTING (retry before the first success); any state -> CLOSED (aclose)
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import random
import time
from dataclasses import dataclass
from enum import StrEnum


class StreamState(StrEnum):
    IDLE = "idle"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    CLOSED = "closed"


class StreamNotConnected(ConnectionError):
    """Sending while the link is down; the caller shows it rather than queueing silently."""


@dataclass(frozen=True)
class Gap:
    """A period in which the stream was down and bytes from the device may have been missed."""

    start: float
    end: float
    reason: str

    @property
    def duration_s(self) -> float:
        return self.end - self.start


@dataclass
class StreamCounters:
    bytes_in: int = 0
    bytes_out: int = 0
    messages_in: int = 0
    connects: int = 0
    reconnects: int = 0
    gaps: int = 0
    gap_seconds: float = 0.0


class StreamListener:
    """Receives what a stream does. Called on the event loop; keep the work small (batch it)."""

    def on_bytes(self, data: bytes, timestamp: float) -> None:
        """Bytes received from the device, with the time they arrived."""

    def on_sent(self, data: bytes, timestamp: float) -> None:
        """Bytes this application sent to the device."""

    def on_gap(self, gap: Gap) -> None:
        """The stream came back after being down."""

    def on_state(self, state: StreamState, detail: str) -> None:
        """The stream changed state; ``detail`` says why in words."""


class ReconnectingStream(abc.ABC):
    """Drives connect / receive / reconnect for a concrete transport."""

    def __init__(
        self,
        name: str,
        *,
        backoff_initial_s: float = 0.2,
        backoff_max_s: float = 5.0,
    ) -> None:
        self.name = name
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.counters = StreamCounters()
        self.gaps: list[Gap] = []
        self.state = StreamState.IDLE
        self.last_error = ""
        self._listeners: list[StreamListener] = []
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._connected = asyncio.Event()

    # -- transport hooks ----------------------------------------------------------------------

    @abc.abstractmethod
    async def _connect(self) -> None:
        """Open the link or raise."""

    @abc.abstractmethod
    async def _receive(self) -> None:
        """Read until the link ends, calling :meth:`_deliver` for each chunk; return or raise."""

    @abc.abstractmethod
    async def _send_raw(self, data: bytes) -> None:
        """Write bytes to the open link."""

    @abc.abstractmethod
    async def _disconnect(self) -> None:
        """Close the link; must not raise."""

    # -- public API ---------------------------------------------------------------------------

    def add_listener(self, listener: StreamListener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: StreamListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def start(self) -> None:
        """Begin connecting in the background; returns at once."""
        if self._task is None:
            self._closing = False
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name=f"stream {self.name}"
            )

    async def wait_connected(self, timeout_s: float) -> bool:
        try:
            await asyncio.wait_for(self._connected.wait(), timeout_s)
        except TimeoutError:
            return False
        return True

    @property
    def connected(self) -> bool:
        return self.state is StreamState.CONNECTED

    async def send(self, data: bytes) -> None:
        if not self.connected:
            raise StreamNotConnected(f"{self.name} is {self.state.value}; nothing was sent")
        await self._send_raw(data)
        self.counters.bytes_out += len(data)
        now = time.time()
        for listener in list(self._listeners):
            listener.on_sent(data, now)

    async def aclose(self) -> None:
        """Stop reconnecting, close the link and close any open gap. Safe to call twice."""
        self._closing = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self._disconnect()
        self._set_state(StreamState.CLOSED, "closed")

    # -- internals ----------------------------------------------------------------------------

    def _deliver(self, data: bytes) -> None:
        if not data:
            return
        self.counters.bytes_in += len(data)
        self.counters.messages_in += 1
        now = time.time()
        for listener in list(self._listeners):
            listener.on_bytes(data, now)

    def _set_state(self, state: StreamState, detail: str) -> None:
        if state is self.state and state is not StreamState.CONNECTING:
            return
        self.state = state
        if state is StreamState.CONNECTED:
            self._connected.set()
        else:
            self._connected.clear()
        for listener in list(self._listeners):
            listener.on_state(state, detail)

    def _backoff(self, attempt: int) -> float:
        delay = min(self.backoff_max_s, self.backoff_initial_s * (2 ** min(attempt, 16)))
        return float(delay * random.uniform(0.8, 1.2))

    async def _run(self) -> None:
        attempt = 0
        down_since: float | None = None
        try:
            while not self._closing:
                first = down_since is None and self.counters.connects == 0
                self._set_state(
                    StreamState.CONNECTING if first else StreamState.RECONNECTING,
                    f"connecting to {self.name}" if first else f"reconnecting: {self.last_error}",
                )
                try:
                    await self._connect()
                except Exception as exc:
                    self.last_error = _describe(exc)
                    await asyncio.sleep(self._backoff(attempt))
                    attempt += 1
                    continue
                attempt = 0
                self.counters.connects += 1
                if down_since is not None:
                    self._record_gap(down_since, time.time(), self.last_error)
                    self.counters.reconnects += 1
                    down_since = None
                self._set_state(StreamState.CONNECTED, f"connected to {self.name}")
                try:
                    await self._receive()
                    self.last_error = "the device side closed the stream"
                except Exception as exc:
                    self.last_error = _describe(exc)
                finally:
                    await self._disconnect()
                if self._closing:
                    break
                down_since = time.time()
                self._set_state(StreamState.RECONNECTING, f"link lost: {self.last_error}")
        finally:
            if down_since is not None:
                self._record_gap(down_since, time.time(), self.last_error + " (closed while down)")

    def _record_gap(self, start: float, end: float, reason: str) -> None:
        gap = Gap(start, end, reason)
        self.gaps.append(gap)
        self.counters.gaps += 1
        self.counters.gap_seconds += gap.duration_s
        for listener in list(self._listeners):
            listener.on_gap(gap)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
