"""A fixed-size numpy ring of (time, value) samples per channel, for plots and statistics.

Values are stored twice (at ``i`` and ``i + capacity``) so the newest ``n`` samples are always one
contiguous slice: :meth:`RingBuffer.arrays` is a single copy, and :meth:`RingBuffer.extend` is at
most four slice assignments whatever the batch size.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

RATE_WINDOW_S = 10.0


@dataclass(frozen=True)
class ChannelStats:
    """Over what the ring holds; NaN when it is empty. ``rate_hz`` is over the last ~10 s."""

    count: int
    minimum: float
    maximum: float
    mean: float
    rate_hz: float


class RingBuffer:
    """The newest ``capacity`` samples of one channel (float64 times and values)."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("a ring buffer needs room for at least one sample")
        self.capacity = capacity
        self.total = 0  # samples ever appended, including those overwritten
        self._t = np.zeros(2 * capacity, dtype=np.float64)
        self._v = np.zeros(2 * capacity, dtype=np.float64)
        self._w = 0  # next write position in [0, capacity)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def clear(self) -> None:
        self._w = 0
        self._n = 0

    def append(self, t: float, v: float) -> None:
        w, cap = self._w, self.capacity
        self._t[w] = self._t[w + cap] = t
        self._v[w] = self._v[w + cap] = v
        self._w = (w + 1) % cap
        self._n = min(self._n + 1, cap)
        self.total += 1

    def extend(
        self, ts: FloatArray | Sequence[float] | float, vs: FloatArray | Sequence[float]
    ) -> None:
        """Append many samples; ``ts`` may be one time for all (a chunk's arrival time)."""
        values = np.asarray(vs, dtype=np.float64).ravel()
        count = len(values)
        if count == 0:
            return
        if isinstance(ts, int | float | np.floating):
            times = np.full(count, float(ts), dtype=np.float64)
        else:
            times = np.asarray(ts, dtype=np.float64).ravel()
            if len(times) != count:
                raise ValueError(f"{len(times)} times for {count} values")
        self.total += count
        cap = self.capacity
        if count > cap:
            times, values = times[-cap:], values[-cap:]
            count = cap
        w = self._w
        first = min(count, cap - w)
        for buf, src in ((self._t, times), (self._v, values)):
            buf[w : w + first] = src[:first]
            buf[w + cap : w + cap + first] = src[:first]
            rest = count - first
            if rest:
                buf[:rest] = src[first:]
                buf[cap : cap + rest] = src[first:]
        self._w = (w + count) % cap
        self._n = min(self._n + count, cap)

    def _window(self) -> slice:
        end = self._w + self.capacity
        return slice(end - self._n, end)

    def views(self) -> tuple[FloatArray, FloatArray]:
        """(times, values), oldest first, as views of the ring's storage: no copy.

        Valid only until the ring next changes; copy what must be kept. Plots use this to slice
        a visible window out of a million points without copying the rest.
        """
        window = self._window()
        return self._t[window], self._v[window]

    def arrays(self) -> tuple[FloatArray, FloatArray]:
        """Copies of (times, values), oldest first."""
        window = self._window()
        return self._t[window].copy(), self._v[window].copy()

    def latest(self) -> tuple[float, float] | None:
        if not self._n:
            return None
        i = (self._w - 1) % self.capacity
        return float(self._t[i]), float(self._v[i])

    def stats(self) -> ChannelStats:
        n = self._n
        if n == 0:
            return ChannelStats(0, math.nan, math.nan, math.nan, 0.0)
        window = self._window()
        values = self._v[window]
        finite = values[np.isfinite(values)]
        if len(finite):
            lo, hi, mean = float(finite.min()), float(finite.max()), float(finite.mean())
        else:
            lo = hi = mean = math.nan
        return ChannelStats(n, lo, hi, mean, _rate(self._t[window]))


def _rate(times: FloatArray) -> float:
    """Samples per second over the last ``RATE_WINDOW_S`` seconds of ``times`` (oldest first)."""
    last = float(times[-1])
    start = int(np.searchsorted(times, last - RATE_WINDOW_S, side="left"))
    recent = times[start:]
    span = last - float(recent[0])
    if len(recent) < 2 or span <= 0:
        return 0.0
    return (len(recent) - 1) / span
