"""Small plots of what each sensor sent while it was verified: the evidence, seen at a glance.

One plot per channel (channels of one sensor have different units and scales), three to a row,
drawn once when verification ends: there is no live data here, so no redraw timer either.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

from commissioner.core.commissioning.run_model import ChannelTrace

COLUMNS = 3
ROW_HEIGHT = 130
COLOURS = ("#3b82f6", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#ec4899")


class TracePlots(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = pg.GraphicsLayoutWidget()
        self.view.ci.setSpacing(4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.traces: list[ChannelTrace] = []
        self.plots: list[pg.PlotItem] = []
        self.hide()

    def show_traces(self, traces: Sequence[ChannelTrace]) -> None:
        self.traces = [t for t in traces if t.values]
        self.view.clear()
        self.plots = []
        for index, trace in enumerate(self.traces):
            plot = self.view.addPlot(row=index // COLUMNS, col=index % COLUMNS)
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.showGrid(x=True, y=True, alpha=0.2)
            pen = pg.mkPen(COLOURS[trace.port % len(COLOURS)], width=2)
            plot.plot(list(trace.times), list(trace.values), pen=pen, symbol="o", symbolSize=4)
            self.plots.append(plot)
        rows = (len(self.traces) + COLUMNS - 1) // COLUMNS
        self.setFixedHeight(rows * ROW_HEIGHT)
        self.setVisible(bool(self.traces))
        self.apply_palette()

    def apply_palette(self) -> None:
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        muted = QColor(text)
        muted.setAlpha(150)
        self.view.setBackground(base)
        for plot, trace in zip(self.plots, self.traces, strict=True):
            unit = f" ({trace.unit})" if trace.unit else ""
            title = f"Port {trace.port} {trace.channel}{unit}"
            plot.setTitle(title, size="8pt", color=text)
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setPen(pg.mkPen(muted))
                axis.setTextPen(pg.mkPen(text))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self.apply_palette()
        super().changeEvent(event)
