"""Poll a THREAD's own measurements at a chosen interval and hand them on as plot samples.

Built on :class:`~commissioner.core.health.poller.HealthPoller`, so it inherits its rules: every
value read concurrently, never two rounds at once, a failed read costs only that value, nothing
is read while the connection is down (:meth:`suspend` / :meth:`resume`), and the interval can
change (or pause, with ``None``) without restarting anything. Each round becomes one list of
:class:`~commissioner.core.streams.parsers.Sample` stamped with the wall-clock time the round
finished, the same time base as the console's stream samples, so both plot on one axis.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from commissioner.core.health import readings as R
from commissioner.core.health.poller import ClientProvider, HealthPoller
from commissioner.core.health.readings import HealthSnapshot
from commissioner.core.lifecycle import AsyncService
from commissioner.core.streams.parsers import Sample
from commissioner.core.telemetry.channels import (
    TelemetryChannel,
    samples_from_snapshot,
    telemetry_channels,
)

log = logging.getLogger(__name__)

SampleListener = Callable[[list[Sample]], None]

SOURCE_NAME = "THREAD"


class TelemetryPoller(AsyncService):
    """Reads the THREAD's telemetry every ``interval_s`` (None: paused) into sample lists."""

    def __init__(
        self,
        client_provider: ClientProvider,
        *,
        interval_s: float | None = 2.0,
        ports: Iterable[int] = R.PORTS,
        on_error: Callable[[BaseException], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.channels: tuple[TelemetryChannel, ...] = telemetry_channels(ports)
        self._clock = clock
        self._wall_clock = wall_clock
        self._listeners: list[SampleListener] = []
        self.samples = 0  # samples handed on, for tests and diagnostics
        self._resumed = False
        self.health = HealthPoller(
            client_provider, interval_s=interval_s, ports=ports, on_error=on_error, clock=clock
        )
        self.health.add_listener(self._on_snapshot)

    # -- configuration ---------------------------------------------------------------------------

    @property
    def interval_s(self) -> float | None:
        return self.health.interval_s

    def set_interval(self, interval_s: float | None) -> None:
        """Poll every ``interval_s`` seconds from now on; None pauses (refresh still works)."""
        self.health.set_interval(interval_s)
        if interval_s is not None and self._resumed and self.health.suspended:
            self.health.resume(refresh=False)

    @property
    def rounds(self) -> int:
        return self.health.rounds

    @property
    def suspended(self) -> bool:
        """No usable connection (the owner called :meth:`suspend`, or never :meth:`resume`)."""
        return not self._resumed

    def add_sample_listener(self, listener: SampleListener) -> None:
        self._listeners.append(listener)

    def remove_sample_listener(self, listener: SampleListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    # -- running ---------------------------------------------------------------------------------

    def resume(self, *, refresh: bool = True) -> None:
        """The connection is usable: poll (at once if ``refresh``). While paused (no interval)
        nothing is read unless ``refresh`` asks for one round."""
        self._resumed = True
        if refresh or self.interval_s is not None:
            self.health.resume(refresh=refresh)

    def suspend(self) -> None:
        self._resumed = False
        self.health.suspend()

    async def start(self) -> None:
        self.resume()

    async def refresh_now(self) -> list[Sample]:
        """Read once now (or wait for the round under way); the samples it gave, if any."""
        snapshot = await self.health.refresh_now()
        return [] if snapshot is None else self._samples(snapshot)

    async def aclose(self) -> None:
        await self.health.aclose()
        self._listeners.clear()

    def _samples(self, snapshot: HealthSnapshot) -> list[Sample]:
        # The round's monotonic end, expressed on the wall clock the stream samples use.
        t = self._wall_clock() - max(0.0, self._clock() - snapshot.finished_at)
        return samples_from_snapshot(snapshot, self.channels, t)

    def _on_snapshot(self, snapshot: HealthSnapshot) -> None:
        samples = self._samples(snapshot)
        if not samples:
            return
        self.samples += len(samples)
        for listener in list(self._listeners):
            try:
                listener(samples)
            except Exception:
                log.exception("telemetry sample listener failed")
