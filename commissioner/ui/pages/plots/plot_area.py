"""The plots themselves: one plot with every channel, or one plot per channel with linked time.

Nothing here is called by I/O. :meth:`PlotArea.redraw` runs from the page's fixed-rate timer: it
moves the time window along while following live data, then gives each curve only what the
visible range needs (see :mod:`.lod`: clipped to the view, at most a min/max pair per pixel
column), and only when its data or the range changed. Grid lines are opaque, at major ticks only
and behind the curves, and axes are cached as pixmaps: translucent or minor grid lines and
re-rendered labels cost more than the curves themselves.

Zoom and pan are pyqtgraph's (wheel, drag; right-drag zooms per axis); any of them stops following
live data (:attr:`PlotArea.sig_follow_changed`) so the view holds still while the user looks. A
vertical cursor follows the mouse across all plots; the page shows each channel's value there.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QGraphicsItem, QScrollArea, QVBoxLayout, QWidget

from commissioner.ui.pages.plots.series import Series, SeriesStore

# Distinct hues readable on both the light and the dark palette.
COLOURS = (
    "#3b82f6",
    "#f59e0b",
    "#10b981",
    "#ef4444",
    "#8b5cf6",
    "#ec4899",
    "#14b8a6",
    "#84cc16",
    "#f97316",
    "#06b6d4",
    "#a855f7",
    "#eab308",
)

# pyqtgraph's own clip-to-view and peak downsampling would redo, on every view change, what the
# level-of-detail copy already did (clip to the visible range, min/max per pixel column): measured
# at +0.8 ms per redraw for 8 curves, with nothing gained. One switch turns them back on.
PYQTGRAPH_REDUCTION = False
LEGEND_MAX = 6
STACK_MIN_HEIGHT = 90  # pixels per plot when stacked
MIN_POINTS = 300
OVERSCAN = 0.25  # data prepared beyond each side of the view, so panning between redraws is smooth


def colour_for(index: int) -> str:
    return COLOURS[index % len(COLOURS)]


def _time_axis() -> pg.DateAxisItem:
    """Local time of day; seconds with milliseconds only below a few seconds' span (pyqtgraph
    otherwise labels a 10 s window "07.000", "08.000", without hours and minutes)."""
    axis = pg.DateAxisItem()
    axis.zoomLevels = OrderedDict(
        (0.1 if spacing == 1 else spacing, level) for spacing, level in axis.zoomLevels.items()
    )
    return axis


def _corner_label(plot: pg.PlotItem, text: str) -> pg.LabelItem:
    """The channel's name in the top-left corner of its plot (a rotated axis title would not
    fit a short plot)."""
    label = pg.LabelItem(text, size="8pt", justify="left")
    label.setParentItem(plot.getViewBox())
    label.anchor(itemPos=(0, 0), parentPos=(0, 0), offset=(6, 2))
    label.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)  # rich text: lay out once
    return label


class Layout(StrEnum):
    STACKED = "One plot per channel, linked time"
    SINGLE = "One plot, all channels"


@dataclass
class _Curve:
    series: Series
    item: pg.PlotDataItem
    plot: pg.PlotItem
    drawn: _Prepared | None = None


class _Prepared(NamedTuple):
    """What a curve was last given: the data version, the time span and the point budget."""

    version: int
    lo: float
    hi: float
    max_points: int


def _still_good(
    drawn: _Prepared | None, version: int, x0: float, x1: float, max_points: int
) -> bool:
    """Whether a curve prepared as ``drawn`` still serves the view ``[x0, x1]``: same data,
    view inside the prepared span, and about the same zoom."""
    if drawn is None or drawn.version != version or drawn.max_points != max_points:
        return False
    prepared_width = (drawn.hi - drawn.lo) / (1 + 2 * OVERSCAN)
    inside = drawn.lo <= x0 and x1 <= drawn.hi
    return inside and abs((x1 - x0) - prepared_width) <= 0.1 * prepared_width


class _View(pg.GraphicsLayoutWidget):  # type: ignore[misc]
    sig_left = Signal()

    def leaveEvent(self, event: QEvent) -> None:
        self.sig_left.emit()
        super().leaveEvent(event)


class PlotArea(QWidget):
    """Curves for the visible channels; redraw with :meth:`redraw` from a timer."""

    sig_follow_changed = Signal(bool)
    sig_cursor_moved = Signal(object)  # float (epoch seconds) or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = _View()
        self.view.setAntialiasing(False)
        self.view.ci.setContentsMargins(4, 4, 8, 4)
        self.view.ci.setSpacing(2)
        # Stacked plots keep a readable height each; past what fits, the plots scroll.
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(self.view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll_area)
        self.layout_mode = Layout.STACKED  # channels rarely share a unit or a scale
        self.window_s: float | None = 60.0  # while following: the newest this many seconds
        self.follow = True
        self.plots: list[pg.PlotItem] = []
        self.curves: dict[str, _Curve] = {}
        self.cursor_x: float | None = None
        self._cursor_lines: list[pg.InfiniteLine] = []
        self._legend: pg.LegendItem | None = None
        self._titles: list[tuple[pg.LabelItem, Series]] = []
        self._keys: tuple[str, ...] = ()
        self._redraws = 0
        self.view.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.view.sig_left.connect(lambda: self._set_cursor(None))
        self.setMinimumSize(320, 200)

    # -- structure ------------------------------------------------------------------------------

    @property
    def master(self) -> pg.PlotItem | None:
        return self.plots[0] if self.plots else None

    def set_layout_mode(self, mode: Layout | str) -> None:
        mode = Layout(mode)  # a combo box hands enum members back as plain strings
        if mode is not self.layout_mode:
            self.layout_mode = mode
            self._rebuild(list(s for s in (c.series for c in self.curves.values())))

    def set_series(self, visible: list[Series]) -> None:
        """Show exactly these channels (in this order); rebuilds only if the set changed."""
        keys = tuple(s.key for s in visible)
        if keys != self._keys or not self.plots:
            self._rebuild(visible)

    def _new_plot(self, row: int) -> pg.PlotItem:
        plot = self.view.addPlot(row=row, col=0, axisItems={"bottom": _time_axis()})
        if PYQTGRAPH_REDUCTION:
            plot.setDownsampling(auto=True, mode="peak")
            plot.setClipToView(True)
        # Opaque grid lines at major ticks only: translucent and minor lines cost ~10 ms a frame.
        plot.showGrid(x=True, y=True, alpha=1.0)
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setStyle(maxTickLevel=0)
            # Replaying an axis's labels costs about a millisecond; cached, an unchanged axis
            # (the value axes, mostly) is a blit. Halves the cost of stacked plots.
            axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            axis.setZValue(-1)  # grid lines (opaque, for speed) behind the curves, not over them
        for name in ("left", "bottom", "right", "top"):
            # No axis has a label, so there is no SI prefix to pick (the scale stays 1); with
            # auto-prefixing on, every range change re-renders the hidden label's HTML anyway.
            plot.getAxis(name).enableAutoSIPrefix(False)
        plot.hideButtons()
        plot.getAxis("left").setWidth(64)
        vb = plot.getViewBox()
        vb.sigRangeChangedManually.connect(self._on_manual_range)
        line = pg.InfiniteLine(angle=90, movable=False)
        line.setVisible(self.cursor_x is not None)
        if self.cursor_x is not None:
            line.setPos(self.cursor_x)
        plot.addItem(line, ignoreBounds=True)
        self._cursor_lines.append(line)
        return plot

    def _rebuild(self, visible: list[Series]) -> None:
        old_range = self.master.getViewBox().viewRange()[0] if self.master else None
        self.view.clear()
        self.plots = []
        self.curves = {}
        self._cursor_lines = []
        self._legend = None
        self._keys = tuple(s.key for s in visible)
        self._titles = []
        stacked = self.layout_mode is Layout.STACKED and len(visible) > 1
        self.view.setMinimumHeight(STACK_MIN_HEIGHT * len(visible) + 30 if stacked else 0)
        if self.layout_mode is Layout.SINGLE or not visible:
            plot = self._new_plot(0)
            self.plots.append(plot)
            if 0 < len(visible) <= LEGEND_MAX:  # more would hide the data; the table has them
                self._legend = plot.addLegend(offset=(8, 8), labelTextSize="8pt")
            for series in visible:
                self._add_curve(series, plot)
        else:
            for row, series in enumerate(visible):
                plot = self._new_plot(row)
                if self.plots:
                    plot.setXLink(self.plots[0])
                plot.showAxis("bottom", row == len(visible) - 1)
                self._titles.append((_corner_label(plot, series.label), series))
                self.plots.append(plot)
                self._add_curve(series, plot)
        if old_range is not None and not self.follow:
            self.master.setXRange(*old_range, padding=0)  # type: ignore[union-attr]
        self.apply_palette()

    def _add_curve(self, series: Series, plot: pg.PlotItem) -> None:
        pen = pg.mkPen(colour_for(series.index), width=1)  # wider lines cost ~2 ms per curve
        item = plot.plot(pen=pen, name=series.label)
        if PYQTGRAPH_REDUCTION:
            item.setDownsampling(auto=True, method="peak")
            item.setClipToView(True)
        self.curves[series.key] = _Curve(series, item, plot)

    # -- following and the visible range ----------------------------------------------------------

    def set_follow(self, follow: bool) -> None:
        if follow == self.follow:
            return
        self.follow = follow
        if follow:
            for plot in self.plots:
                plot.getViewBox().enableAutoRange(axis=pg.ViewBox.YAxis)
        self.sig_follow_changed.emit(follow)

    def set_window(self, seconds: float | None) -> None:
        """While following, show the newest ``seconds`` (None: everything held)."""
        self.window_s = seconds

    def _on_manual_range(self, *args: object) -> None:
        self.set_follow(False)

    def x_range(self) -> tuple[float, float] | None:
        if self.master is None:
            return None
        x0, x1 = self.master.getViewBox().viewRange()[0]
        return float(x0), float(x1)

    def _follow_range(self, store: SeriesStore) -> None:
        if self.master is None:
            return
        span = store.time_span(self._keys) if self._keys else None
        if span is None:  # nothing yet: show the window up to now, so the axis reads as times
            now = time.time()
            span = (now - (self.window_s or 60.0), now)
        oldest, newest = span
        start = oldest if self.window_s is None else newest - self.window_s
        if self.window_s is None and newest - start < 1.0:
            start = newest - 1.0
        end = newest if self.window_s is None else max(newest, start + self.window_s)
        current = self.x_range()
        if current is None or abs(current[0] - start) > 1e-6 or abs(current[1] - end) > 1e-6:
            self.master.getViewBox().setXRange(start, end, padding=0)

    # -- drawing ----------------------------------------------------------------------------------

    def redraw(self, store: SeriesStore, *, force: bool = False) -> int:
        """Bring the curves up to date; returns how many were given new data."""
        if self.master is None:
            return 0
        if self.follow:
            self._follow_range(store)
        span = self.x_range()
        if span is None:
            return 0
        x0, x1 = span
        width = max(1.0, x1 - x0)
        pixels = max(1.0, float(self.master.getViewBox().width()))
        max_points = max(MIN_POINTS, int(2 * pixels * (1 + 2 * OVERSCAN)))
        lo, hi = x0 - width * OVERSCAN, x1 + width * OVERSCAN
        changed = 0
        for curve in self.curves.values():
            series = curve.series
            if not force and _still_good(curve.drawn, series.version, x0, x1, max_points):
                continue  # same data, and the range moved within what was prepared around it
            curve.drawn = _Prepared(series.version, lo, hi, max_points)
            if not len(series.ring):
                curve.item.setData([], [])
                continue
            x, y = series.view(lo, hi, max_points)
            finite = not series.has_nonfinite
            curve.item.setData(x, y, skipFiniteCheck=finite, connect="all" if finite else "finite")
            changed += 1
        self._redraws += 1
        return changed

    # -- cursor -----------------------------------------------------------------------------------

    def _on_mouse_moved(self, pos: QPointF) -> None:
        for plot in self.plots:
            vb = plot.getViewBox()
            if vb.sceneBoundingRect().contains(pos):
                self._set_cursor(float(vb.mapSceneToView(pos).x()))
                return
        self._set_cursor(None)

    def _set_cursor(self, x: float | None) -> None:
        if x is not None and not math.isfinite(x):
            x = None
        if x == self.cursor_x:
            return
        self.cursor_x = x
        for line in self._cursor_lines:
            line.setVisible(x is not None)
            if x is not None:
                line.setPos(x)
        self.sig_cursor_moved.emit(x)

    def set_cursor(self, x: float | None) -> None:
        """Put the cursor at ``x`` (epoch seconds) as if the mouse were there (tests, keys)."""
        self._set_cursor(x)

    # -- looks ------------------------------------------------------------------------------------

    def apply_palette(self) -> None:
        """Background, axes, grid and legend from the widget's palette (light or dark)."""
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        muted = _mix(text, base, 0.22)  # opaque: grid lines use the axis pen
        self.view.setBackground(base)
        for plot in self.plots:
            for name in ("left", "bottom", "right", "top"):
                axis = plot.getAxis(name)
                axis.setPen(pg.mkPen(muted))
                axis.setTextPen(pg.mkPen(text))
        cursor = QColor(text)
        cursor.setAlpha(140)
        for line in self._cursor_lines:
            line.setPen(pg.mkPen(cursor, width=1, style=Qt.PenStyle.DashLine))
        for label, series in self._titles:
            label.setText(series.label, color=colour_for(series.index), size="8pt", bold=True)
        if self._legend is not None:
            fill = QColor(base)
            fill.setAlpha(200)
            self._legend.setBrush(pg.mkBrush(fill))
            self._legend.setPen(pg.mkPen(muted))
            self._legend.setLabelTextColor(text)
            for _sample, label in self._legend.items:
                label.setText(label.text, color=text)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self.apply_palette()
        super().changeEvent(event)


def _mix(a: QColor, b: QColor, share_of_a: float) -> QColor:
    k = share_of_a
    return QColor(
        round(a.red() * k + b.red() * (1 - k)),
        round(a.green() * k + b.green() * (1 - k)),
        round(a.blue() * k + b.blue() * (1 - k)),
    )
