"""Ring buffers: order after wraparound, batch appends, and statistics."""

from __future__ import annotations

import math

import numpy as np
import pytest

from commissioner.core.streams.ring import RingBuffer


def test_append_wraps_and_keeps_newest_oldest_first() -> None:
    """After more appends than capacity, the newest samples remain, oldest first."""
    ring = RingBuffer(4)
    for i in range(10):
        ring.append(float(i), float(i * 10))
    times, values = ring.arrays()
    assert times.tolist() == [6.0, 7.0, 8.0, 9.0]
    assert values.tolist() == [60.0, 70.0, 80.0, 90.0]
    assert len(ring) == 4 and ring.total == 10
    assert ring.latest() == (9.0, 90.0)


@pytest.mark.parametrize("batch", [1, 3, 4, 5, 11])
def test_extend_matches_appending_one_by_one(batch: int) -> None:
    """extend() in batches of any size (including over capacity) equals append() one by one."""
    one, many = RingBuffer(4), RingBuffer(4)
    ts = np.arange(23, dtype=np.float64)
    vs = ts * 2
    for t, v in zip(ts, vs, strict=True):
        one.append(float(t), float(v))
    for start in range(0, len(ts), batch):
        many.extend(ts[start : start + batch], vs[start : start + batch])
    for a, b in zip(one.arrays(), many.arrays(), strict=True):
        assert a.tolist() == b.tolist()
    assert many.total == 23


def test_extend_with_one_time_for_all_values() -> None:
    """A chunk's values can share one arrival time."""
    ring = RingBuffer(10)
    ring.extend(5.0, [1.0, 2.0, 3.0])
    times, values = ring.arrays()
    assert times.tolist() == [5.0, 5.0, 5.0] and values.tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(ValueError):
        ring.extend([1.0], [1.0, 2.0])


def test_arrays_are_copies() -> None:
    """What arrays() returns does not change when more samples arrive."""
    ring = RingBuffer(2)
    ring.append(1.0, 1.0)
    _, values = ring.arrays()
    ring.extend([2.0, 3.0], [2.0, 3.0])
    assert values.tolist() == [1.0]


def test_stats_and_rate_over_last_ten_seconds() -> None:
    """Stats cover what the ring holds (ignoring NaN); the rate covers the last ~10 s."""
    ring = RingBuffer(1000)
    ring.extend(np.arange(0, 30, 0.5), np.full(60, 1.0))  # 2 Hz for 30 s
    ring.extend(np.arange(30, 40, 0.1), np.linspace(-5, 5, 100))  # then 10 Hz for 10 s
    ring.append(40.0, math.nan)
    stats = ring.stats()
    assert stats.count == 161
    assert stats.minimum == -5.0 and stats.maximum == 5.0
    assert stats.mean == pytest.approx((60 + 0.0) / 160)
    assert stats.rate_hz == pytest.approx(10.0, rel=0.05)


def test_empty_and_cleared_ring() -> None:
    """An empty ring has NaN statistics and a zero rate; clear() empties it."""
    ring = RingBuffer(3)
    assert math.isnan(ring.stats().mean) and ring.stats().rate_hz == 0.0 and ring.latest() is None
    ring.append(1.0, 2.0)
    ring.clear()
    assert len(ring) == 0 and ring.arrays()[0].tolist() == []
    with pytest.raises(ValueError):
        RingBuffer(0)


def test_views_match_arrays_without_copying() -> None:
    """views() gives the same oldest-first contents as arrays(), sharing the ring's memory."""
    ring = RingBuffer(4)
    for i in range(7):
        ring.append(float(i), float(i) * 10)
    t, v = ring.views()
    ta, va = ring.arrays()
    assert list(t) == list(ta) == [3.0, 4.0, 5.0, 6.0] and list(v) == list(va)
    assert t.base is not None  # a view, not a copy
