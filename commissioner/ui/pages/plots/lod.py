"""Level-of-detail copies of a channel's history, so a redraw costs the same for 1,000 or 10,000,000
points.

A screen a thousand pixels wide cannot show more than a thousand columns, so the plot is given at
most two points (the minimum and the maximum) per column. Working those out from a million raw
samples on every redraw would cost milliseconds per channel; instead each appended chunk is folded
once into a pyramid of min/max buckets (16 samples, 64, 256, ... per bucket), kept in fixed-size
numpy rings beside the raw ring buffer. A redraw then picks the level whose buckets match the
visible range and slices only the visible buckets: its cost depends on the plot's width, not on
the history's length. The most recent raw samples are kept too (a small ring), so zooming into
live data shows every sample, and the newest, not yet complete, bucket is drawn from them.

Pure numpy (no Qt), so it is tested and benchmarked on its own.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

FIRST_BUCKET = 16  # raw samples per bucket of the finest level
FACTOR = 4  # each coarser level merges this many buckets of the level below
LEVELS = 6  # 16, 64, 256, 1024, 4096, 16384 samples per bucket
TAIL = 65_536  # newest raw samples kept for zoomed-in live views (>= the coarsest bucket)


class ColumnRing:
    """A fixed-capacity ring of rows stored as separate float64 columns, column 0 sorted (time).

    Columns are separate contiguous arrays so that ``np.searchsorted`` on the time column never
    copies it. Rows are addressed by logical index, 0 being the oldest kept.
    """

    def __init__(self, capacity: int, columns: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._cols = [np.zeros(capacity) for _ in range(columns)]
        self._start = 0
        self._len = 0

    def __len__(self) -> int:
        return self._len

    def clear(self) -> None:
        self._start = 0
        self._len = 0

    def extend(self, cols: Sequence[Array]) -> None:
        k = len(cols[0])
        if k == 0:
            return
        cap = self.capacity
        if k >= cap:
            for dst, src in zip(self._cols, cols, strict=True):
                dst[:] = src[-cap:]
            self._start, self._len = 0, cap
            return
        end = (self._start + self._len) % cap
        first = min(k, cap - end)
        for dst, src in zip(self._cols, cols, strict=True):
            dst[end : end + first] = src[:first]
            if first < k:
                dst[: k - first] = src[first:]
        total = self._len + k
        if total > cap:
            self._start = (self._start + total - cap) % cap
            self._len = cap
        else:
            self._len = total

    def _split(self) -> tuple[int, int]:
        """Lengths of the two physical segments holding the rows, oldest first."""
        first = min(self._len, self.capacity - self._start)
        return first, self._len - first

    def search(self, t: float, side: str = "left") -> int:
        """Logical index where ``t`` would be inserted in the time column."""
        n1, n2 = self._split()
        times = self._cols[0]
        s = self._start
        if n2 and t >= times[0]:
            i = int(np.searchsorted(times[:n2], t, side=side))  # type: ignore[call-overload]
            return n1 + i
        return int(np.searchsorted(times[s : s + n1], t, side=side))  # type: ignore[call-overload]

    def slice(self, i0: int, i1: int) -> list[Array]:
        """Copies of the columns for logical rows ``[i0, i1)`` (clamped)."""
        i0 = max(0, i0)
        i1 = min(self._len, i1)
        if i1 <= i0:
            return [np.empty(0) for _ in self._cols]
        a = (self._start + i0) % self.capacity
        b = (self._start + i1) % self.capacity
        if a < b or b == 0:
            stop = b if b else self.capacity
            return [c[a:stop].copy() for c in self._cols]
        return [np.concatenate((c[a:], c[:b])) for c in self._cols]

    def row(self, i: int) -> tuple[float, ...]:
        j = (self._start + i) % self.capacity
        return tuple(float(c[j]) for c in self._cols)

    def last(self) -> tuple[float, ...] | None:
        return None if self._len == 0 else self.row(self._len - 1)

    def first(self) -> tuple[float, ...] | None:
        return None if self._len == 0 else self.row(0)


class _Level:
    """Buckets of ``size`` raw samples: first time, last time, minimum, maximum (NaN ignored
    unless the whole bucket is NaN)."""

    def __init__(self, size: int, factor: int, capacity: int) -> None:
        self.size = size
        self.factor = factor  # input rows per bucket
        self.ring = ColumnRing(capacity, 4)
        self._pending: list[Array] = [np.empty(0) for _ in range(4)]

    def clear(self) -> None:
        self.ring.clear()
        self._pending = [np.empty(0) for _ in range(4)]

    def push(self, t0: Array, t1: Array, lo: Array, hi: Array) -> list[Array]:
        """Fold input rows in; returns the buckets completed by them (for the next level)."""
        if len(self._pending[0]):
            t0, t1, lo, hi = (
                np.concatenate((p, c)) for p, c in zip(self._pending, (t0, t1, lo, hi), strict=True)
            )
        f = self.factor
        full = len(t0) // f * f
        self._pending = [c[full:].copy() for c in (t0, t1, lo, hi)]
        if full == 0:
            return [np.empty(0) for _ in range(4)]
        out = [
            t0[:full:f].copy(),
            t1[f - 1 : full : f].copy(),
            np.fmin.reduce(lo[:full].reshape(-1, f), axis=1),
            np.fmax.reduce(hi[:full].reshape(-1, f), axis=1),
        ]
        self.ring.extend(out)
        return out


class LevelOfDetail:
    """Min/max pyramid plus the newest raw samples of one channel (times must not decrease)."""

    def __init__(self, capacity: int, *, tail: int = TAIL, levels: int = LEVELS) -> None:
        self.capacity = capacity
        self.tail = ColumnRing(max(1, min(tail, capacity)), 2)
        self.levels: list[_Level] = []
        size = FIRST_BUCKET
        for index in range(levels):
            factor = FIRST_BUCKET if index == 0 else FACTOR
            self.levels.append(_Level(size, factor, capacity // size + 2))
            size *= FACTOR
        self.total = 0  # samples ever appended (since the last clear)

    def clear(self) -> None:
        self.tail.clear()
        for level in self.levels:
            level.clear()
        self.total = 0

    def extend(self, t: Array, v: Array) -> None:
        t = np.asarray(t, dtype=np.float64)
        v = np.asarray(v, dtype=np.float64)
        if len(t) == 0:
            return
        # Searching needs times that never decrease; a clock stepped back is drawn as a pause.
        newest = self.newest_time()
        if (newest is not None and t[0] < newest) or np.any(t[1:] < t[:-1]):
            t = np.maximum.accumulate(
                np.concatenate(([newest if newest is not None else t[0]], t))
            )[1:]
        self.total += len(t)
        self.tail.extend((t, v))
        rows = [t, t, v, v]
        for level in self.levels:
            rows = level.push(*rows)
            if len(rows[0]) == 0:
                break

    def newest_time(self) -> float | None:
        last = self.tail.last()
        return None if last is None else last[0]

    def oldest_time(self) -> float | None:
        """The oldest time kept (from the finest buckets once the tail no longer holds it all:
        at most a bucket or two older than the oldest raw sample)."""
        if len(self.tail) == self.total:
            first = self.tail.first()
        else:
            first = self.levels[0].ring.first() or self.tail.first()
        return None if first is None else first[0]

    def count_between(self, x0: float, x1: float) -> int:
        """About how many raw samples lie in ``[x0, x1]`` (exact within the raw tail)."""
        if self.tail_covers(x0):
            return self.tail.search(x1, "right") - self.tail.search(x0)
        finest = self.levels[0].ring
        count = (finest.search(x1, "right") - finest.search(x0)) * self.levels[0].size
        last = finest.last()
        if last is not None and x1 > last[1]:  # newest samples, not yet in a finest bucket
            start = max(x0, last[1])
            count += self.tail.search(x1, "right") - self.tail.search(start, "right")
        return count

    def tail_covers(self, x0: float) -> bool:
        first = self.tail.first()
        return first is not None and (first[0] <= x0 or len(self.tail) == self.total)

    def raw_tail(self, x0: float, x1: float) -> tuple[Array, Array]:
        """Raw samples of the tail in ``[x0, x1]`` plus one either side (so lines reach the edges)."""
        i0 = self.tail.search(x0) - 1
        i1 = self.tail.search(x1, "right") + 1
        t, v = self.tail.slice(i0, i1)
        return t, v

    def level_for(self, count: int, max_points: int) -> _Level:
        """The finest level drawing ``count`` samples in at most ``max_points`` points."""
        for level in self.levels:
            if 2 * count / level.size <= max_points:
                return level
        return self.levels[-1]

    def decimated(self, x0: float, x1: float, max_points: int) -> tuple[Array, Array]:
        """Min/max points for ``[x0, x1]``: the best level's buckets, then the newest samples
        not yet in a bucket of that level (from the tail), as (times, values)."""
        count = self.count_between(x0, x1)
        level = self.level_for(count, max_points)
        ring = level.ring
        i0 = ring.search(x0) - 1
        i1 = ring.search(x1, "right") + 1
        t0, t1, lo, hi = ring.slice(i0, i1)
        x = np.empty(2 * len(t0))
        y = np.empty(2 * len(t0))
        x[0::2], x[1::2] = t0, t1
        y[0::2], y[1::2] = lo, hi
        last = ring.last()
        done_until = last[1] if last is not None else -np.inf
        if i1 >= len(ring) and len(self.tail):
            # The newest samples, not yet in a complete bucket of this level.
            start = self.tail.search(done_until, "right")
            tt, tv = self.tail.slice(start, len(self.tail))
            if len(tt):
                px, py = _peaks(tt, tv, level.size)
                x = np.concatenate((x, px))
                y = np.concatenate((y, py))
        return x, y

    def view(self, x0: float, x1: float, max_points: int) -> tuple[Array, Array] | None:
        """What to draw for ``[x0, x1]``: raw samples when few enough are visible and the tail
        holds them, else min/max buckets. None when raw samples older than the tail are needed
        (the caller takes them from the full ring buffer)."""
        count = self.count_between(x0, x1)
        if count <= max_points:
            if self.tail_covers(x0):
                return self.raw_tail(x0, x1)
            return None
        return self.decimated(x0, x1, max_points)


def _peaks(t: Array, v: Array, size: int) -> tuple[Array, Array]:
    """Min/max pairs per ``size`` samples (the last group may be shorter; NaN ignored)."""
    n = len(t)
    starts = np.arange(0, n, size)
    ends = np.minimum(starts + size, n) - 1
    lo = np.fmin.reduceat(v, starts)
    hi = np.fmax.reduceat(v, starts)
    x = np.empty(2 * len(starts))
    y = np.empty(2 * len(starts))
    x[0::2], x[1::2] = t[starts], t[ends]
    y[0::2], y[1::2] = lo, hi
    return x, y


def raw_window(t: Array, v: Array, x0: float, x1: float) -> tuple[Array, Array]:
    """Samples of sorted ``t`` in ``[x0, x1]`` plus one either side."""
    i0 = max(0, int(np.searchsorted(t, x0)) - 1)
    i1 = int(np.searchsorted(t, x1, side="right")) + 1
    return t[i0:i1], v[i0:i1]
