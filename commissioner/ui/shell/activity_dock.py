"""The activity log panel: every request to the THREAD, filterable, exportable.

Entries arrive from the core log as requests complete; the table is refreshed from a timer
(at most 5 times a second) so a burst of requests never floods the event loop with repaints.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from commissioner.core.activity import ActivityEntry, ActivityLog, export
from commissioner.ui.widgets.inline_status import COLOURS, Level

COLUMNS = ("Time", "Request", "Sent", "Status", "ms", "Result")
Index = QModelIndex | QPersistentModelIndex


class ActivityTableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ActivityEntry] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        entry = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            values = (
                entry.time_text,
                f"{entry.method} {entry.path}",
                entry.request,
                "" if entry.status is None else str(entry.status),
                f"{entry.elapsed_ms:.0f}",
                entry.outcome,
            )
            return values[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and not entry.ok:
            return QBrush(QColor(COLOURS[Level.ERROR]))
        if role == Qt.ItemDataRole.ToolTipRole:
            return entry.outcome
        return None

    def set_rows(self, rows: list[ActivityEntry]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()


class ActivityDock(QDockWidget):
    def __init__(self, log: ActivityLog, parent: QWidget | None = None) -> None:
        super().__init__("Activity log", parent)
        self.setObjectName("activity_dock")
        self.log = log
        self._dirty = True
        self.ask_export_path: Callable[[], Path | None] = self._ask_path
        self.table_model = ActivityTableModel()
        self.table = QTableView()
        self.table.setModel(self.table_model)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter (e.g. configure 400)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._mark_dirty)
        self.failures_only = QCheckBox("Failures only")
        self.failures_only.toggled.connect(self._mark_dirty)
        self.heartbeats = QCheckBox("Heartbeats")
        self.heartbeats.setToolTip(
            "Show the connection checks sent every few seconds (failed ones always show)"
        )
        self.heartbeats.toggled.connect(self._mark_dirty)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip(
            "Save the shown entries as CSV or JSON (secrets are never logged)"
        )
        self.export_button.clicked.connect(self._on_export)
        self.clear_button = QPushButton("Clear")
        self.clear_button.clicked.connect(self._on_clear)
        self.count_label = QLabel()
        bar = QHBoxLayout()
        bar.addWidget(self.filter_edit, 1)
        bar.addWidget(self.failures_only)
        bar.addWidget(self.heartbeats)
        bar.addWidget(self.count_label)
        bar.addWidget(self.export_button)
        bar.addWidget(self.clear_button)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        self.setWidget(body)
        log.add_listener(lambda _entry: self._mark_dirty())
        self._timer = QTimer(self)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self.refresh_if_needed)
        self._timer.start()

    def _mark_dirty(self, *_args: object) -> None:
        self._dirty = True

    def refresh_if_needed(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        rows = self.log.filtered(
            self.filter_edit.text(), self.failures_only.isChecked(), self.heartbeats.isChecked()
        )
        at_bottom = (
            self.table.verticalScrollBar().value() >= self.table.verticalScrollBar().maximum() - 2
        )
        self.table_model.set_rows(rows)
        total = len(self.log.entries)
        self.count_label.setText(
            f"{len(rows)} of {total}"
            + (f" ({self.log.dropped} older dropped)" if self.log.dropped else "")
        )
        if at_bottom:
            self.table.scrollToBottom()

    def _ask_path(self) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export activity log", "activity-log.csv", "CSV (*.csv);;JSON (*.json)"
        )
        return Path(name) if name else None

    def _on_export(self) -> None:
        path = self.ask_export_path()
        if path is None:
            return
        try:
            count = export(self.table_model.rows, path)
        except OSError as exc:
            self.count_label.setText(f"Could not export: {exc}")
            return
        self.count_label.setText(f"Exported {count} entries to {path.name}")

    def _on_clear(self) -> None:
        self.log.clear()
        self._mark_dirty()
