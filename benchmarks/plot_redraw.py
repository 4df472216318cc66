"""Plots page redraw time with 8 channels of 1,000,000 points each, offscreen.

Target (issue): a redraw under 16 ms. A redraw here is what the page's timer does, plus a forced
repaint: ``PlotsPage.tick()`` (curves given the visible range's data, one channel's statistics,
every few ticks the table), then ``QWidget.grab()`` of the plot widget so Qt really paints it.
Wall-clock figures decide; this thread's CPU time is printed beside them (a shared machine's wall
clock also counts waiting for a core).

Scenarios, each timed over many redraws, one plot with all 8 channels unless said:
  * live, all history shown: new values arrive between redraws (every curve gets new data);
  * live, last 10 s shown;
  * zoomed into old history, 1 s (raw samples) and 5 min (buckets), a new range each redraw;
    the first redraw of old raw samples copies each ring once (the "max" figure);
  * a forced full tick (every curve re-sliced, all statistics, the table);
  * live, stacked: one plot per channel with linked time.

Then memory: resident set size before and after appending another few million points per
channel, to show the rings (and their level-of-detail copies) keep it flat.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/plot_redraw.py [--redraws N]``
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PySide6.QtWidgets import QApplication

from commissioner.core.connection.session import ThreadSession
from commissioner.ui.pages.plots import PlotsPage
from commissioner.ui.pages.plots.plot_area import Layout
from commissioner.ui.session_model import SessionModel

CHANNELS = 8
POINTS = 1_000_000
RATE_HZ = 1000.0  # each channel's sample rate: 1,000,000 points = about 17 minutes
CHUNK = 50  # new values per channel between live redraws (50 ms at 1 kHz)
TARGET_MS = 16.0


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def signal(i: int, t: np.ndarray) -> np.ndarray:
    rng = np.random.default_rng(i)
    return 10 * i + np.sin(t / (20 + 7 * i)) * 3 + rng.normal(0, 0.3, len(t))


class Feed:
    """Appends values to every channel as if they had arrived, starting ``start`` seconds ago."""

    def __init__(self, page: PlotsPage, start: float) -> None:
        self.page = page
        self.t = start

    def push(self, per_channel: int) -> None:
        times = self.t + np.arange(per_channel) / RATE_HZ
        self.t = float(times[-1]) + 1 / RATE_HZ
        for i in range(CHANNELS):
            self.page.store.add_values("bench", f"ch{i}", times, signal(i, times))


def time_redraws(
    app: QApplication,
    page: PlotsPage,
    n: int,
    before: Callable[[], None] | None = None,
    *,
    force: bool = False,
) -> tuple[list[float], list[float]]:
    wall, cpu = [], []
    for _ in range(n):
        if before is not None:
            before()
        t0, c0 = time.perf_counter(), time.thread_time()
        page.tick(force=force)
        page.plot.grab()  # the plot widget as shown: the scroll area clips stacked plots
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
        app.processEvents()
    return wall, cpu


def _figures(ms: list[float]) -> tuple[float, float, float]:
    ms = sorted(ms)
    return statistics.median(ms), ms[max(0, int(len(ms) * 0.95) - 1)], ms[-1]


def report(name: str, timings: tuple[list[float], list[float]]) -> bool:
    """Wall-clock figures decide; CPU time of this thread is shown too, since on a shared
    machine the wall clock also counts time spent waiting for a core."""
    wall, cpu = timings
    median, p95, worst = _figures(wall)
    cpu_median, cpu_p95, _ = _figures(cpu)
    ok = p95 < TARGET_MS
    print(
        f"  {name:<46} median {median:6.2f}  p95 {p95:6.2f}  max {worst:7.2f} ms"
        f"  | CPU median {cpu_median:5.2f}  p95 {cpu_p95:5.2f} ms  {'OK' if ok else 'OVER'}"
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redraws", type=int, default=120)
    parser.add_argument(
        "--extra",
        type=int,
        default=3_000_000,
        help="points per channel appended for the memory check",
    )
    args = parser.parse_args()

    app = QApplication.instance() or QApplication([])
    model = SessionModel(ThreadSession())
    page = PlotsPage(model, capacity=POINTS)
    page.set_telemetry_interval(None)
    page.timer.stop()  # the benchmark drives redraws itself
    page.resize(1300, 850)
    page.show()
    app.processEvents()

    rss_empty = rss_mb()
    t0 = time.perf_counter()
    feed = Feed(page, time.time() - POINTS / RATE_HZ)
    for _ in range(POINTS // 100_000):
        feed.push(100_000)
    fill_s = time.perf_counter() - t0
    page.tick(force=True)
    app.processEvents()
    rss_full = rss_mb()
    width = int(page.plot.master.getViewBox().width()) if page.plot.master else 0
    print(
        f"Plots page offscreen, {CHANNELS} channels x {POINTS:,} points "
        f"({CHANNELS * POINTS:,} values), plot {width} px wide"
    )
    print(
        f"  filled in {fill_s:.2f} s ({CHANNELS * POINTS / fill_s / 1e6:.1f} M values/s appended)"
    )
    print(
        f"Redraw = PlotsPage.tick() + QWidget.grab() of the plots; {args.redraws} each; "
        f"target p95 < {TARGET_MS:.0f} ms; load average {os.getloadavg()[0]:.2f} "
        f"on {os.cpu_count()} CPUs"
    )

    results = []
    page.layout_combo.setCurrentIndex(page.layout_combo.findData(Layout.SINGLE))
    page.window_combo.setCurrentIndex(page.window_combo.findData(None))
    time_redraws(app, page, 10, lambda: feed.push(CHUNK))  # warm up
    results.append(
        report(
            "live, all 1,000,000 points shown",
            time_redraws(app, page, args.redraws, lambda: feed.push(CHUNK)),
        )
    )
    page.window_combo.setCurrentIndex(page.window_combo.findData(10.0))
    results.append(
        report(
            "live, last 10 s shown (10,000 points)",
            time_redraws(app, page, args.redraws, lambda: feed.push(CHUNK)),
        )
    )
    # Zoomed into old history: the user zooms in (following stops), each redraw a new range.
    page.plot.set_follow(False)
    vb = page.plot.master.getViewBox()  # type: ignore[union-attr]
    start = feed.t - POINTS / RATE_HZ
    spans = iter(range(10_000))

    def zoom() -> None:
        k = next(spans)
        x0 = start + 100 + k * 0.2
        vb.setXRange(x0, x0 + 1.0, padding=0)  # 1 s = 1,000 raw points per channel

    results.append(
        report(
            "zoomed into old history (1 s, raw points), panning",
            time_redraws(app, page, args.redraws, zoom),
        )
    )

    def zoom_wide() -> None:
        k = next(spans)
        x0 = start + 50 + k * 2
        vb.setXRange(x0, x0 + 300.0, padding=0)  # 300,000 points per channel

    results.append(
        report(
            "zoomed to 5 min of old history, panning",
            time_redraws(app, page, args.redraws, zoom_wide),
        )
    )

    results.append(
        report(
            "forced full tick (all curves, stats, table)",
            time_redraws(app, page, args.redraws, force=True),
        )
    )

    page.window_combo.setCurrentIndex(page.window_combo.findData(None))
    page.plot.set_follow(True)
    page.tick(force=True)
    page.layout_combo.setCurrentIndex(page.layout_combo.findData(Layout.STACKED))
    results.append(
        report(
            "live, stacked plots (8 x 1,000,000 points)",
            time_redraws(app, page, args.redraws, lambda: feed.push(CHUNK)),
        )
    )
    page.layout_combo.setCurrentIndex(page.layout_combo.findData(Layout.SINGLE))

    # Memory stays flat: a few million more points per channel go through the same rings.
    page.plot.set_follow(True)
    gc.collect()
    before = rss_mb()
    for _ in range(args.extra // 100_000):
        feed.push(100_000)
        page.tick()
    gc.collect()
    after = rss_mb()
    held = sum(len(s.ring) for s in page.store)
    print(
        f"Memory (RSS): {rss_empty:.0f} MB empty page, {rss_full:.0f} MB with {CHANNELS}x{POINTS:,} points; "
        f"{before:.0f} MB before and {after:.0f} MB after appending {args.extra:,} more per channel "
        f"({after - before:+.0f} MB); points held: {held:,}"
    )
    print("RESULT:", "all scenarios under target" if all(results) else "some scenarios over target")


if __name__ == "__main__":
    main()
