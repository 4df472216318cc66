"""The Plots page's control bar: layout, time window, live, pause, clear, THREAD telemetry
interval and exports. Widgets only; the page connects them."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from commissioner.ui.pages.plots.plot_area import Layout

WINDOWS: tuple[tuple[str, float | None], ...] = (
    ("Last 10 s", 10.0),
    ("Last 1 min", 60.0),
    ("Last 10 min", 600.0),
    ("Last 1 h", 3600.0),
    ("All held", None),
)
DEFAULT_WINDOW_S = 60.0
TELEMETRY_INTERVALS: tuple[tuple[str, float | None], ...] = (
    ("Off", None),
    ("every 1 s", 1.0),
    ("every 2 s", 2.0),
    ("every 5 s", 5.0),
    ("every 10 s", 10.0),
    ("every 30 s", 30.0),
    ("every 60 s", 60.0),
)
DEFAULT_TELEMETRY_S = 5.0

LIVE_TEXT = {True: "● &Live", False: "Go &live"}


class PlotControls(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_combo = QComboBox()
        for mode in Layout:
            self.layout_combo.addItem(mode.value, mode)
        self.layout_combo.setToolTip("All channels on one plot, or one plot each with linked time")
        self.window_combo = QComboBox()
        for text, seconds in WINDOWS:
            self.window_combo.addItem(text, seconds)
        self.window_combo.setCurrentIndex([w for _, w in WINDOWS].index(DEFAULT_WINDOW_S))
        self.window_combo.setToolTip("How much history to show while following live data")
        self.live_button = QPushButton(LIVE_TEXT[True])
        self.live_button.setCheckable(True)
        self.live_button.setChecked(True)
        self.live_button.setToolTip(
            "Follow the newest data. Zooming or panning (wheel, drag) stops following; "
            "press again to catch up"
        )
        self.pause_button = QPushButton("&Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip(
            "Hold the plots, statistics and exports still; new values are kept and added on resume"
        )
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Forget every value held (channels and acceptance stay)")
        self.telemetry_combo = QComboBox()
        for text, seconds in TELEMETRY_INTERVALS:
            self.telemetry_combo.addItem(text, seconds)
        self.telemetry_combo.setCurrentIndex(
            [s for _, s in TELEMETRY_INTERVALS].index(DEFAULT_TELEMETRY_S)
        )
        self.telemetry_combo.setToolTip(
            "How often to read the THREAD's voltages, currents, battery, temperature and pressure"
        )
        telemetry_label = QLabel("THREAD &telemetry")
        telemetry_label.setBuddy(self.telemetry_combo)
        self.csv_button = QPushButton("Export &CSV…")
        self.csv_button.setToolTip("Save the plotted channels' values as CSV (one row per time)")
        self.png_button = QPushButton("Export P&NG…")
        self.png_button.setToolTip("Save the plots as an image")

        bar = QHBoxLayout(self)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.layout_combo)
        bar.addWidget(self.window_combo)
        bar.addWidget(self.live_button)
        bar.addWidget(self.pause_button)
        bar.addWidget(self.clear_button)
        bar.addSpacing(16)
        bar.addWidget(telemetry_label)
        bar.addWidget(self.telemetry_combo)
        bar.addStretch(1)
        bar.addWidget(self.csv_button)
        bar.addWidget(self.png_button)
