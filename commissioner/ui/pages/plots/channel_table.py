"""The table beside the plots: one row per channel with its colour and visibility, its value at
the cursor (or the latest), min, max, mean and rate, the editable acceptance (expected low, high
and interval) and the resulting verdict with its reason.

The table never reads data by itself; the page pushes rows at a few hertz. Edits come back as
:attr:`ChannelTable.sig_acceptance_edited` and :attr:`ChannelTable.sig_visibility_changed`.
"""

from __future__ import annotations

import math
from enum import IntEnum

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from commissioner.core.streams.acceptance import Acceptance, Verdict
from commissioner.ui.pages.plots.plot_area import colour_for
from commissioner.ui.pages.plots.series import Series, fmt_number
from commissioner.ui.widgets.inline_status import COLOURS, Level


class Col(IntEnum):
    CHANNEL = 0
    VALUE = 1
    MIN = 2
    MAX = 3
    MEAN = 4
    RATE = 5
    LOW = 6
    HIGH = 7
    EVERY = 8
    RESULT = 9


HEADERS = {
    Col.CHANNEL: ("Channel", "Tick to plot; the colour is the curve's"),
    Col.VALUE: ("Latest", "The newest value, or the value at the cursor while it is on a plot"),
    Col.MIN: ("Min", "Smallest value held"),
    Col.MAX: ("Max", "Largest value held"),
    Col.MEAN: ("Mean", "Mean of the values held"),
    Col.RATE: ("Rate", "Values per second over the last 10 s"),
    Col.LOW: ("Low", "Expected minimum (empty: none). Double-click to edit"),
    Col.HIGH: ("High", "Expected maximum (empty: none). Double-click to edit"),
    Col.EVERY: ("Every s", "A value expected at least this often, in seconds (empty: any)"),
    Col.RESULT: ("Result", "Pass, out of range or stale; hover for the reason"),
}
EDITABLE = (Col.LOW, Col.HIGH, Col.EVERY)

VERDICT_LOOK: dict[Verdict, tuple[str, Level]] = {
    Verdict.PASS: ("✔ pass", Level.OK),
    Verdict.OUT_OF_RANGE: ("✖ out of range", Level.ERROR),
    Verdict.STALE: ("⚠ stale", Level.WARNING),
    Verdict.NO_DATA: ("— no data", Level.NONE),
}
KEY_ROLE = Qt.ItemDataRole.UserRole


def _swatch(colour: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawRoundedRect(1, 1, 10, 10, 3, 3)
    painter.end()
    return QIcon(pixmap)


def acceptance_text(acceptance: Acceptance, column: Col) -> str:
    value = {
        Col.LOW: acceptance.minimum,
        Col.HIGH: acceptance.maximum,
        Col.EVERY: acceptance.max_interval_s,
    }[column]
    return "" if value is None else f"{value:g}"


def rate_text(rate_hz: float) -> str:
    if not math.isfinite(rate_hz) or rate_hz <= 0:
        return "—"
    if rate_hz < 1:
        return f"{60 * rate_hz:.3g}/min"
    return f"{rate_hz:.3g}/s"


class ChannelTable(QTableWidget):
    sig_acceptance_edited = Signal(str, int, str)  # channel key, Col, text
    sig_visibility_changed = Signal(str, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(Col), parent)
        for col, (title, tip) in HEADERS.items():
            item = QTableWidgetItem(title)
            item.setToolTip(tip)
            self.setHorizontalHeaderItem(col, item)
        # Fixed widths (measured once): resizing to contents re-measures every row on every
        # change, which made each cell update cost a fifth of a millisecond.
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Col.RESULT, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        metrics = self.fontMetrics()
        samples = {
            Col.CHANNEL: "THREAD/Port 3 voltage (V)  ",
            Col.VALUE: "-1234.567 hPa ",
            Col.MIN: "-1234.56 ",
            Col.MAX: "-1234.56 ",
            Col.MEAN: "-1234.56 ",
            Col.RATE: "999/min ",
            Col.LOW: "-1234.5",
            Col.HIGH: "-1234.5",
            Col.EVERY: "Every s ",
        }
        for col, text in samples.items():
            self.setColumnWidth(col, metrics.horizontalAdvance(text) + 16 + (24 if col == 0 else 0))
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # keep the channel's own name
        self._rows: dict[str, int] = {}
        self._updating = False
        self.itemChanged.connect(self._on_item_changed)

    # -- rows -------------------------------------------------------------------------------------

    def keys(self) -> list[str]:
        return list(self._rows)

    def has(self, key: str) -> bool:
        return key in self._rows

    def row_of(self, key: str) -> int:
        return self._rows[key]

    def add_series(self, series: Series, visible: bool = True) -> None:
        if series.key in self._rows:
            return
        self._updating = True
        try:
            row = self.rowCount()
            self.insertRow(row)
            self._rows[series.key] = row
            name = QTableWidgetItem(series.label)
            name.setData(KEY_ROLE, series.key)
            name.setIcon(_swatch(colour_for(series.index)))
            name.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsUserCheckable
                | Qt.ItemFlag.ItemIsSelectable
            )
            name.setCheckState(Qt.CheckState.Checked if visible else Qt.CheckState.Unchecked)
            name.setToolTip(f"{series.label}: tick to plot")
            self.setItem(row, Col.CHANNEL, name)
            for col in Col:
                if col is Col.CHANNEL:
                    continue
                item = QTableWidgetItem("")
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                if col in EDITABLE:
                    flags |= Qt.ItemFlag.ItemIsEditable
                    item.setText(acceptance_text(series.acceptance, col))
                    item.setToolTip(HEADERS[col][1])
                if col is not Col.RESULT:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                item.setFlags(flags)
                self.setItem(row, col, item)
        finally:
            self._updating = False

    def is_visible(self, key: str) -> bool:
        item = self.item(self._rows[key], Col.CHANNEL)
        return item is not None and item.checkState() == Qt.CheckState.Checked

    def set_visible(self, key: str, visible: bool) -> None:
        item = self.item(self._rows[key], Col.CHANNEL)
        if item is not None:
            item.setCheckState(Qt.CheckState.Checked if visible else Qt.CheckState.Unchecked)

    def text(self, key: str, col: Col) -> str:
        item = self.item(self._rows[key], col)
        return item.text() if item is not None else ""

    def set_cell(self, key: str, col: Col, text: str, tooltip: str | None = None) -> None:
        item = self.item(self._rows[key], col)
        if item is None:
            return
        self._updating = True
        try:
            if item.text() != text:
                item.setText(text)
            if tooltip is not None and item.toolTip() != tooltip:
                item.setToolTip(tooltip)
        finally:
            self._updating = False

    # -- content the page pushes ------------------------------------------------------------------

    def show_value_header(self, at_cursor: bool) -> None:
        item = self.horizontalHeaderItem(Col.VALUE)
        title = "At cursor" if at_cursor else "Latest"
        if item is not None and item.text() != title:
            item.setText(title)

    def show_stats(self, series: Series) -> None:
        stats = series.stats
        key = series.key
        self.set_cell(key, Col.MIN, fmt_number(stats.minimum, 6))
        self.set_cell(key, Col.MAX, fmt_number(stats.maximum, 6))
        self.set_cell(key, Col.MEAN, fmt_number(stats.mean, 6))
        self.set_cell(key, Col.RATE, rate_text(stats.rate_hz), f"{stats.count} values held")

    def show_value(self, series: Series, value: float | None) -> None:
        text = fmt_number(value, 6)
        if value is not None and series.unit:
            text = f"{text} {series.unit}"
        self.set_cell(series.key, Col.VALUE, text)

    def show_acceptance(self, series: Series) -> None:
        for col in EDITABLE:
            self.set_cell(series.key, col, acceptance_text(series.acceptance, col))

    def show_verdict(self, key: str, verdict: Verdict, reason: str) -> None:
        word, level = VERDICT_LOOK[verdict]
        text = f"{word}: {reason}" if reason else word
        item = self.item(self._rows[key], Col.RESULT)
        if item is None:
            return
        self._updating = True
        try:
            if item.text() != text:
                item.setText(text)
                colour = COLOURS.get(level)
                item.setForeground(QBrush(QColor(colour)) if colour else QBrush())
            if item.toolTip() != reason:
                item.setToolTip(reason)
        finally:
            self._updating = False

    # -- edits ------------------------------------------------------------------------------------

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._updating:
            return
        row = item.row()
        key_item = self.item(row, Col.CHANNEL)
        if key_item is None:
            return
        key = str(key_item.data(KEY_ROLE))
        col = Col(item.column())
        if col is Col.CHANNEL:
            self.sig_visibility_changed.emit(key, item.checkState() == Qt.CheckState.Checked)
        elif col in EDITABLE:
            self.sig_acceptance_edited.emit(key, int(col), item.text())


def edited_acceptance(current: Acceptance, column: Col, text: str) -> Acceptance:
    """``current`` with the low, high or interval cell's new text; ValueError says what is wrong
    (not a number, minimum above maximum, interval not positive)."""
    number = _parse_optional(text)
    values = {
        "minimum": current.minimum,
        "maximum": current.maximum,
        "max_interval_s": current.max_interval_s,
    }
    values[{Col.LOW: "minimum", Col.HIGH: "maximum", Col.EVERY: "max_interval_s"}[column]] = number
    return Acceptance(**values)


def _parse_optional(text: str) -> float | None:
    stripped = text.strip().replace(",", ".")
    if not stripped:
        return None
    try:
        value = float(stripped)
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{text.strip()!r} is not a finite number")
    return value
