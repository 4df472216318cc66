"""Plots page data (no widgets): the level-of-detail pyramid against brute force, ring wrap-round,
series lookups and re-judging, the pause queue, and CSV export of uneven channels."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from commissioner.core.streams.acceptance import Acceptance, Verdict
from commissioner.ui.pages.plots.export import ExportColumn, write_csv
from commissioner.ui.pages.plots.lod import ColumnRing, LevelOfDetail
from commissioner.ui.pages.plots.series import Series, SeriesStore


def test_column_ring_wraps_and_searches_in_time_order() -> None:
    """After wrapping, rows come back oldest first and searches see one sorted column."""
    ring = ColumnRing(5, 2)
    for start in range(0, 12, 3):
        t = np.arange(start, start + 3, dtype=float)
        ring.extend((t, t * 10))
    assert len(ring) == 5
    times, values = ring.slice(0, 5)
    assert list(times) == [7, 8, 9, 10, 11] and list(values) == [70, 80, 90, 100, 110]
    assert ring.search(9.5) == 3 and ring.search(7) == 0 and ring.search(99) == 5
    assert ring.first() == (7.0, 70.0) and ring.last() == (11.0, 110.0)
    ring.extend((np.arange(100.0, 120.0), np.zeros(20)))  # more than it holds
    assert ring.first() == (115.0, 0.0) and len(ring) == 5


@pytest.mark.parametrize("chunk", [1, 7, 5000])
def test_decimated_view_keeps_every_extreme(chunk: int) -> None:
    """Whatever the chunking, the drawn min/max over a range equal the data's (peaks survive)."""
    rng = np.random.default_rng(chunk)
    n = 40_000 if chunk > 1 else 6_000
    t = np.arange(n) * 0.01
    v = rng.normal(size=n)
    v[n // 3] = 50.0  # a single spike must show at every zoom level
    lod = LevelOfDetail(n, tail=1024)
    for i in range(0, n, chunk):
        lod.extend(t[i : i + chunk], v[i : i + chunk])
    for x0, x1 in [(t[0], t[-1]), (t[100], t[n // 2]), (t[n // 3 - 500], t[n // 3 + 500])]:
        x, y = lod.view(x0, x1, 400) or (np.empty(0), np.empty(0))
        inside = (t >= x0) & (t <= x1)
        assert len(x) <= 400 + 64
        assert np.all(np.diff(x) >= 0)
        assert y.max() == v[inside].max() == 50.0
        assert y.min() <= v[inside].min()
        assert x[0] <= x0 and x[-1] >= x1 - 0.01


def test_few_visible_points_are_drawn_raw() -> None:
    """Zoomed in on recent data: the exact samples (plus one each side), not buckets."""
    lod = LevelOfDetail(100_000, tail=2048)
    t = np.arange(10_000, dtype=float)
    lod.extend(t, t * 2)
    x, y = lod.view(9_000.5, 9_010.5, 400) or (np.empty(0), np.empty(0))
    assert list(x) == list(range(9_000, 9_012)) and list(y) == [2 * i for i in range(9_000, 9_012)]
    assert lod.view(10.0, 20.0, 400) is None  # older than the tail: the caller uses the ring
    assert lod.oldest_time() == 0.0 and lod.newest_time() == 9_999.0


def test_times_going_backwards_do_not_break_searching() -> None:
    """A clock stepped back is drawn as a pause rather than scrambling the order."""
    lod = LevelOfDetail(1000)
    lod.extend(np.array([10.0, 11.0, 12.0]), np.array([1.0, 2.0, 3.0]))
    lod.extend(np.array([5.0, 6.0]), np.array([4.0, 5.0]))
    x, y = lod.view(0, 20, 100) or (np.empty(0), np.empty(0))
    assert list(x) == [10, 11, 12, 12, 12] and list(y) == [1, 2, 3, 4, 5]


def test_series_value_at_and_old_history_from_the_ring() -> None:
    """The value at a time is the newest at or before it, inside or before the raw tail."""
    series = Series("s", "x", "V", capacity=50_000)
    series.lod = LevelOfDetail(50_000, tail=100)
    t = np.arange(5_000, dtype=float)
    series.extend(t, t + 0.5)
    assert series.value_at(4_999.9) == 4_999.5  # in the tail
    assert series.value_at(10.2) == 10.5  # before it: from the ring
    assert series.value_at(-1) is None
    x, y = series.view(100.0, 110.0, 400)
    assert list(x) == list(range(99, 112)) and y[1] == 100.5
    # Values appended after a view are seen by the next one.
    more = np.arange(5_000, 5_050, dtype=float)
    series.extend(more, more + 0.5)
    x, y = series.view(4_900.0, 5_040.0, 400)
    assert x[-1] >= 5_040.0 and y[list(x).index(5_040.0)] == 5_040.5
    assert list(x) == list(range(4_899, 5_042)) and y[-1] == 5_041.5


def test_changing_acceptance_rejudges_the_history_held() -> None:
    """A new range counts the values already held against it."""
    series = Series("s", "x", capacity=100)
    values = np.array([1.0, 5.0, 9.0])
    series.judge_values(3.0, values)
    series.extend(np.array([1.0, 2.0, 3.0]), values)
    series.set_acceptance(Acceptance(maximum=4.0))
    verdict, reason = series.verdict(3.5)
    assert verdict is Verdict.OUT_OF_RANGE and "2 of 3 values" in reason
    series.set_acceptance(Acceptance(maximum=10.0))
    assert series.verdict(3.5)[0] is Verdict.PASS


def test_pause_queues_values_and_judges_them_live() -> None:
    """Paused: rings unchanged, judges updated; resume adds the queued values in order."""
    store = SeriesStore(capacity=1000)
    store.add_values("a", "x", np.array([1.0]), np.array([1.0]))
    store.pause()
    store.add_values("a", "x", np.array([2.0, 3.0]), np.array([2.0, 3.0]))
    store.add_values("a", "y", np.array([2.5]), np.array([7.0]))
    x = store.get("a/x")
    y = store.get("a/y")
    assert x is not None and y is not None
    assert len(x.ring) == 1 and len(y.ring) == 0 and store.waiting_values == 3
    assert x.judge.last_value == 3.0 and y.verdict(2.6)[0] is Verdict.PASS
    store.resume()
    assert list(x.ring.arrays()[1]) == [1.0, 2.0, 3.0] and len(y.ring) == 1
    assert store.time_span() == (1.0, 3.0)


def test_csv_rows_align_channels_by_time(tmp_path: Path) -> None:
    """Values sharing a time share a row; a channel without one leaves the cell empty; values
    received together in one chunk (same time) keep a row each."""
    a = ExportColumn("a", np.array([1.0, 1.0, 2.0]), np.array([1.0, 2.0, 3.0]))
    b = ExportColumn("b (V)", np.array([1.0, 2.5]), np.array([10.0, np.nan]))
    path = tmp_path / "out.csv"
    assert write_csv(path, [a, b]) == 4
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows == [
        ["time_utc", "epoch_s", "a", "b (V)"],
        ["1970-01-01T00:00:01.000Z", "1.000000", "1", "10"],
        ["1970-01-01T00:00:01.000Z", "1.000000", "2", ""],
        ["1970-01-01T00:00:02.000Z", "2.000000", "3", ""],
        ["1970-01-01T00:00:02.500Z", "2.500000", "", ""],
    ]
