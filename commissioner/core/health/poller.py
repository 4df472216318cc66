"""Poll a THREAD's health every N seconds and tell listeners, one read at a time.

Why a service rather than a timer in the page: the CLI and reports want the same readings, and the
rules that matter are easy to get wrong in widgets: never start a round while one is running
(a slow THREAD would otherwise pile up requests), keep the last good value when a read fails,
stop while the connection is down, and let the interval change without restarting anything.

States: *suspended* (no usable connection; the owner calls :meth:`suspend` / :meth:`resume`),
*paused* (the user chose no interval: ``interval_s is None``; Refresh still works) and *polling*.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable, Iterable

from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.errors import EdgeUnreachable
from commissioner.core.health import readings as R
from commissioner.core.health.reader import read_snapshot
from commissioner.core.health.readings import HealthSnapshot, Reading
from commissioner.core.lifecycle import AsyncService

log = logging.getLogger(__name__)

SnapshotListener = Callable[[HealthSnapshot], None]
ClientProvider = Callable[[], EdgeClient | None]


class HealthPoller(AsyncService):
    """Reads every health value concurrently every ``interval_s``; never two rounds at once."""

    def __init__(
        self,
        client_provider: ClientProvider,
        *,
        interval_s: float | None = 5.0,
        ports: Iterable[int] = R.PORTS,
        on_error: Callable[[BaseException], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client_provider = client_provider
        self._interval_s = _checked(interval_s)
        self.ports = tuple(ports)
        self._on_error = on_error
        self._clock = clock
        self.latest: dict[str, Reading] = {
            spec.key: R.empty_reading(spec.key) for spec in R.specs_for(self.ports)
        }
        self.last_snapshot: HealthSnapshot | None = None
        self.rounds = 0  # completed rounds, for tests and diagnostics
        self._listeners: list[SnapshotListener] = []
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._suspended = True
        self._closed = False
        self._refresh_requested = False
        self._last_started: float | None = None
        self._round: asyncio.Future[HealthSnapshot] | None = None

    # -- configuration ---------------------------------------------------------------------------

    @property
    def interval_s(self) -> float | None:
        """Seconds between the starts of two rounds; None while paused."""
        return self._interval_s

    @property
    def paused(self) -> bool:
        return self._interval_s is None

    @property
    def suspended(self) -> bool:
        return self._suspended

    @property
    def busy(self) -> bool:
        """Whether a round of reads is under way."""
        return self._lock.locked()

    def set_interval(self, interval_s: float | None) -> None:
        """Change the interval at once (None pauses); the next round is due from the last start."""
        self._interval_s = _checked(interval_s)
        self._wake.set()

    def add_listener(self, listener: SnapshotListener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: SnapshotListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def clear(self) -> None:
        """Forget every value (another THREAD answers now; its values must not mix with these)."""
        self.latest = {key: R.empty_reading(key) for key in self.latest}
        self.last_snapshot = None

    # -- running ---------------------------------------------------------------------------------

    def resume(self, *, refresh: bool = True) -> None:
        """The connection is usable: poll (at once if ``refresh``), starting the loop if needed."""
        if self._closed:
            return
        self._suspended = False
        self._refresh_requested = self._refresh_requested or refresh
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._run())
        self._wake.set()

    def suspend(self) -> None:
        """The connection is down: start no rounds, and abandon the one under way.

        Its reads would only fail, one timeout and retry after another, and while it lingered
        the fresh round due when the THREAD comes back would have to wait for it.
        """
        self._suspended = True
        if self._round is not None:
            self._round.cancel()
        self._wake.set()

    async def start(self) -> None:
        self.resume()

    async def aclose(self) -> None:
        self._closed = True
        self._suspended = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
            except Exception:  # it died earlier; closing must still succeed
                log.exception("health poller loop had failed")
        self._listeners.clear()

    async def refresh_now(self, *, fresh: bool = False) -> HealthSnapshot | None:
        """Read everything now; if a round is already under way, wait for it and return it
        (with ``fresh``, then start another, so every value is read after this call began:
        needed after changing something on the THREAD, such as its clock)."""
        return await self.read_once(fresh=fresh)

    async def read_once(self, *, fresh: bool = False) -> HealthSnapshot | None:
        """One round; None when there is no usable connection or the round was abandoned
        because the connection went down. Never overlaps another round."""
        if self._lock.locked() and not fresh:
            async with self._lock:
                return self.last_snapshot
        async with self._lock:
            self._last_started = self._clock()
            client = self._client_provider()
            if client is None:
                return None
            round_ = asyncio.ensure_future(
                read_snapshot(client, ports=self.ports, clock=self._clock)
            )
            self._round = round_
            try:
                snapshot = await round_
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if round_.cancelled() and (current is None or not current.cancelling()):
                    return None  # abandoned by suspend(), not a cancellation of the caller
                raise
            finally:
                self._round = None
            for key, reading in snapshot.readings.items():
                self.latest[key] = R.merge(self.latest.get(key), reading)
            self.last_snapshot = snapshot
            self.rounds += 1
        self._notify(snapshot)
        return snapshot

    def _notify(self, snapshot: HealthSnapshot) -> None:
        if snapshot.errors and self._on_error is not None:
            # One report per round is enough; an unreachable THREAD is the one that matters most.
            first = next(
                (e for e in snapshot.errors if isinstance(e, EdgeUnreachable)), snapshot.errors[0]
            )
            try:
                self._on_error(first)
            except Exception:
                log.exception("health error handler failed")
        for listener in list(self._listeners):
            try:
                listener(snapshot)
            except Exception:
                log.exception("health listener failed")  # a broken view must not stop polling

    def _delay(self) -> float | None:
        """Seconds until the next round is due; None when nothing is due until woken."""
        if self._closed or self._suspended:
            return None
        if self._refresh_requested or self._last_started is None:
            return 0.0
        if self._interval_s is None:
            return None
        return max(0.0, self._last_started + self._interval_s - self._clock())

    async def _run(self) -> None:
        while not self._closed:
            self._wake.clear()
            delay = self._delay()
            if delay is None:
                await self._wake.wait()
                continue
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay):
                        await self._wake.wait()
                continue
            self._refresh_requested = False
            try:
                await self.read_once()
            except Exception:
                log.exception("health round failed")
                await asyncio.sleep(1.0)


def _checked(interval_s: float | None) -> float | None:
    if interval_s is None:
        return None
    if isinstance(interval_s, bool) or not math.isfinite(interval_s) or interval_s <= 0:
        raise ValueError(f"interval must be a positive number of seconds, got {interval_s!r}")
    return float(interval_s)
