"""What the Plots page holds per channel, and how samples reach it (no Qt here).

Sample listeners (called by stream pipelines and the telemetry poller on the event loop) only
append to numpy rings: the full history in a :class:`RingBuffer`, its level-of-detail copy for
drawing, and the acceptance judge. Widgets are never touched there; the page's redraw timer reads
these objects at a fixed rate.

While the display is paused, new values wait in a bounded queue instead of entering the rings,
so the plots, statistics and exports hold still; verdicts keep being judged live, because the
commissioning workflow asks about the device, not about the screen.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from commissioner.core.streams.acceptance import Acceptance, ChannelJudge, Verdict
from commissioner.core.streams.parsers import Sample
from commissioner.core.streams.ring import RATE_WINDOW_S, ChannelStats, RingBuffer
from commissioner.ui.pages.plots.lod import Array, LevelOfDetail, raw_window

DEFAULT_CAPACITY = 1_000_000
PAUSE_QUEUE_LIMIT = 8_000_000  # values held while paused, over all channels
ARRAYS_KEEP_S = 10.0  # kept for callers of Series.drop_cache (the history is no longer copied)


def channel_key(source: str, name: str) -> str:
    return f"{source}/{name}"


def _stats_of(ring: RingBuffer) -> ChannelStats:
    """:meth:`RingBuffer.stats` for a ring holding only finite values, without its copies.

    The ring's own version first copies out the finite values (a boolean mask over the whole
    history: about 7 ms per million); with none to drop, min, max and mean run on a view of the
    history (well under a millisecond) and give exactly the same numbers.
    """
    if not len(ring):
        return ring.stats()
    times, values = ring.views()
    last = float(times[-1])
    start = int(np.searchsorted(times, last - RATE_WINDOW_S, side="left"))
    recent = len(times) - start
    span = last - float(times[start])
    rate = (recent - 1) / span if recent >= 2 and span > 0 else 0.0
    return ChannelStats(
        len(ring), float(values.min()), float(values.max()), float(values.mean()), rate
    )


class Series:
    """One channel: its history, a drawable copy of it, its statistics and its judge."""

    def __init__(
        self,
        source: str,
        name: str,
        unit: str = "",
        *,
        capacity: int = DEFAULT_CAPACITY,
        acceptance: Acceptance | None = None,
        index: int = 0,
    ) -> None:
        self.source = source
        self.name = name
        self.unit = unit
        self.key = channel_key(source, name)
        self.index = index  # order of appearance: picks its colour
        self.ring = RingBuffer(capacity)
        self.lod = LevelOfDetail(capacity)
        self.judge = ChannelJudge(acceptance, unit)
        self.version = 0  # bumped whenever the rings change
        self.has_nonfinite = False  # NaN or inf ever held: the plot must check for them
        self.stats: ChannelStats = self.ring.stats()
        self.stats_version = -1
        self._arrays: tuple[Array, Array] | None = None
        self._arrays_used = 0.0

    @property
    def label(self) -> str:
        return f"{self.key} ({self.unit})" if self.unit else self.key

    @property
    def acceptance(self) -> Acceptance:
        return self.judge.acceptance

    def judge_values(self, t: float, values: Array) -> None:
        self.judge.update_values(t, values)

    def extend(self, t: Array, values: Array) -> None:
        if not self.has_nonfinite and not np.isfinite(values).all():
            self.has_nonfinite = True
        self.ring.extend(t, values)
        self.lod.extend(t, values)
        self.version += 1

    def clear(self) -> None:
        self.ring.clear()
        self.lod.clear()
        self.judge.reset()
        self.has_nonfinite = False
        self._arrays = None
        self.version += 1

    def set_acceptance(self, acceptance: Acceptance) -> None:
        """Judge against ``acceptance`` from now on, re-judging the history held."""
        judge = ChannelJudge(acceptance, self.unit)
        times, values = self.ring.arrays()
        if len(values):
            judge.update_values(float(times[-1]), values)
            if self.judge.last_t is not None and self.judge.last_t > times[-1]:
                # Values judged while paused are not in the ring yet; keep the newest one.
                judge.update_values(self.judge.last_t, [self.judge.last_value])
        elif self.judge.last_t is not None:
            judge.update_values(self.judge.last_t, [self.judge.last_value])
        self.judge = judge

    def verdict(self, now: float) -> tuple[Verdict, str]:
        return self.judge.verdict(now)

    def refresh_stats(self) -> bool:
        """Recompute min, max, mean and rate if the history changed; whether it did."""
        if self.stats_version == self.version:
            return False
        self.stats = self.ring.stats() if self.has_nonfinite else _stats_of(self.ring)
        self.stats_version = self.version
        return True

    def newest_time(self) -> float | None:
        return self.lod.newest_time()

    def oldest_time(self) -> float | None:
        return self.lod.oldest_time() if len(self.ring) else None

    def _history(self) -> tuple[Array, Array]:
        """The whole history, for views of samples older than the raw tail: views of the ring
        (see :meth:`RingBuffer.views`), so valid only until the next append; callers copy what they
        keep. Nothing is copied up front, so zooming into old history costs no ring copy."""
        self._arrays_used = time.monotonic()
        return self.ring.views()

    def drop_cache(self, unused_for_s: float = ARRAYS_KEEP_S) -> None:
        """Kept for callers: the history is viewed in place now, so nothing is cached."""
        if self._arrays is not None and time.monotonic() - self._arrays_used > unused_for_s:
            self._arrays = None

    def view(self, x0: float, x1: float, max_points: int) -> tuple[Array, Array]:
        """What to draw for ``[x0, x1]`` in at most about ``max_points`` points."""
        drawn = self.lod.view(x0, x1, max_points)
        if drawn is not None:
            return drawn
        times, values = self._history()
        old_t, old_v = raw_window(times, values, x0, x1)
        # Copies: the curve keeps them, and the ring reuses its memory on the next appends.
        return old_t.copy(), old_v.copy()

    def value_at(self, t: float) -> float | None:
        """The newest value at or before ``t`` (what the channel read then), or None."""
        tail = self.lod.tail
        if self.lod.tail_covers(t):
            i = tail.search(t, "right") - 1
            return None if i < 0 else tail.row(i)[1]
        if not len(self.ring):
            return None
        times, values = self._history()
        i = int(np.searchsorted(times, t, side="right")) - 1
        return None if i < 0 else float(values[i])


@dataclass
class _Waiting:
    series: Series
    t: Array
    values: Array


class SeriesStore:
    """Every channel the page knows, in order of appearance, and the sample listeners' entry."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self.series: dict[str, Series] = {}
        self.paused = False
        self.paused_at: float | None = None
        self.waiting: deque[_Waiting] = deque()
        self.waiting_values = 0
        self.dropped_while_paused = 0
        self.units: dict[str, Callable[[str], str]] = {}  # source -> unit of a channel name

    def __len__(self) -> int:
        return len(self.series)

    def __iter__(self) -> Iterator[Series]:
        return iter(list(self.series.values()))

    def get(self, key: str) -> Series | None:
        return self.series.get(key)

    def ensure(self, source: str, name: str) -> Series:
        key = channel_key(source, name)
        series = self.series.get(key)
        if series is None:
            unit_of = self.units.get(source)
            unit = unit_of(name) if unit_of is not None else ""
            series = Series(source, name, unit, capacity=self.capacity, index=len(self.series))
            self.series[key] = series
        return series

    # -- what sample listeners call ---------------------------------------------------------------

    def add_values(self, source: str, name: str, t: Array, values: Array) -> None:
        """Values of one channel, times oldest first (arrays of equal length)."""
        if not len(values):
            return
        series = self.ensure(source, name)
        series.judge_values(float(t[-1]), values)
        if self.paused:
            self._wait(series, t, values)
        else:
            series.extend(t, values)

    def add_samples(self, source: str, samples: Iterable[Sample]) -> None:
        by_channel: dict[str, tuple[list[float], list[float]]] = {}
        for sample in samples:
            times, values = by_channel.setdefault(sample.channel, ([], []))
            times.append(sample.t)
            values.append(sample.value)
        for name, (times, values) in by_channel.items():
            self.add_values(source, name, np.asarray(times), np.asarray(values))

    def add_columns(self, source: str, t: float, columns: Mapping[str, Array]) -> None:
        """One chunk's values, one array per channel, all received at ``t``."""
        for name, values in columns.items():
            arr = np.asarray(values, dtype=np.float64)
            self.add_values(source, name, np.full(len(arr), t), arr)

    # -- pausing ----------------------------------------------------------------------------------

    def _wait(self, series: Series, t: Array, values: Array) -> None:
        self.waiting.append(_Waiting(series, t, values))
        self.waiting_values += len(values)
        while self.waiting_values > PAUSE_QUEUE_LIMIT and len(self.waiting) > 1:
            old = self.waiting.popleft()
            self.waiting_values -= len(old.values)
            self.dropped_while_paused += len(old.values)

    def pause(self) -> None:
        if not self.paused:
            self.paused = True
            self.paused_at = time.time()

    def resume(self) -> None:
        """Add everything that arrived while paused, in order."""
        self.paused = False
        self.paused_at = None
        waiting, self.waiting = self.waiting, deque()
        self.waiting_values = 0
        for item in waiting:
            item.series.extend(item.t, item.values)

    def clear_source(self, source: str) -> None:
        """Forget the values of one source (its channels stay), including any waiting."""
        kept = deque(w for w in self.waiting if w.series.source != source)
        self.waiting_values = sum(len(w.values) for w in kept)
        self.waiting = kept
        for series in self.series.values():
            if series.source == source:
                series.clear()

    def clear(self) -> None:
        self.waiting.clear()
        self.waiting_values = 0
        for series in self.series.values():
            series.clear()

    # -- reading ----------------------------------------------------------------------------------

    def time_span(self, keys: Iterable[str] | None = None) -> tuple[float, float] | None:
        chosen = self.series.values() if keys is None else [self.series[k] for k in keys]
        newest = [t for s in chosen if (t := s.newest_time()) is not None]
        if not newest:
            return None
        oldest = [t for s in chosen if (t := s.oldest_time()) is not None]
        return min(oldest), max(newest)

    def verdicts(self, now: float | None = None) -> dict[str, tuple[Verdict, str]]:
        when = time.time() if now is None else now
        return {key: s.verdict(when) for key, s in self.series.items()}


def fmt_number(value: float | None, decimals: int = 4) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:.{decimals}g}"
