"""Audit view: every commissioning run in the journal, the steps of the selected one, and exports.

Thin on purpose: rows come from :func:`audit_export.run_rows` and ``journal.events`` and the
files from :func:`audit_export.export_runs_csv`/``export_runs_json``, so what support staff see
here is exactly what the CLI and the support bundle export. Nothing is cached beyond one refresh.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from commissioner.core.commissioning import audit_export
from commissioner.core.commissioning.journal import CommissioningJournal, JournalEvent
from commissioner.ui.widgets.inline_status import InlineStatus

RUN_HEADERS = ("Run", "Started (UTC)", "THREAD", "Technician", "Site", "Profile", "Status", "Stage")
EVENT_HEADERS = (
    "Time (UTC)",
    "Stage",
    "Kind",
    "Key / description",
    "Before",
    "After",
    "Result",
    "Detail",
)
_FILTERS = {"csv": "CSV (*.csv)", "json": "JSON (*.json)"}


def _table(headers: tuple[str, ...], stretch: int) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def _fill_row(table: QTableWidget, row: int, values: tuple[str, ...], key: int) -> None:
    for column, text in enumerate(values):
        cell = QTableWidgetItem(text)
        cell.setToolTip(text)
        cell.setData(Qt.ItemDataRole.UserRole, key)
        table.setItem(row, column, cell)


def _value(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, default=str)


class AuditView(QWidget):
    """Runs (filterable by THREAD serial), the selected run's events, and CSV/JSON exports.

    ``export_path_provider`` (``kind`` is "csv" or "json") replaces the file dialog in tests.
    """

    def __init__(self, journal: CommissioningJournal, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.journal = journal
        self.export_path_provider: Callable[[str], Path | None] = self._ask_path
        self.rows: list[dict[str, Any]] = []
        self.events: list[JournalEvent] = []
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by THREAD serial number")
        self.filter_edit.setClearButtonEnabled(True)
        self.refresh_button = QPushButton("Refresh")
        self.csv_button = QPushButton("Export CSV…")
        self.json_button = QPushButton("Export JSON…")
        self.count_label = QLabel()
        self.runs_table = _table(RUN_HEADERS, 5)
        self.events_table = _table(EVENT_HEADERS, 7)
        self.status = InlineStatus()

        top = QHBoxLayout()
        top.addWidget(QLabel("THREAD:"))
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.csv_button)
        top.addWidget(self.json_button)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.runs_table)
        splitter.addWidget(self.events_table)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.count_label)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)

        self.refresh_button.clicked.connect(self.refresh)
        self.filter_edit.textChanged.connect(self.refresh)
        self.runs_table.itemSelectionChanged.connect(self._on_run_selected)
        self.csv_button.clicked.connect(lambda: self.export("csv"))
        self.json_button.clicked.connect(lambda: self.export("json"))
        self.refresh()

    # -- showing -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the runs from the journal, keeping the selected run selected if still listed."""
        selected = self.selected_run_id()
        self.rows = audit_export.run_rows(self.journal, serial=self.filter_edit.text() or None)
        self.runs_table.blockSignals(True)
        self.runs_table.clearSelection()
        self.runs_table.setRowCount(len(self.rows))
        for row, run in enumerate(self.rows):
            values = (
                str(run["run_id"]),
                run["started"].replace("T", " ").removesuffix("Z"),
                run["serial"],
                run["technician"],
                run["site"],
                run["profile"],
                run["status"],
                run["stage"],
            )
            _fill_row(self.runs_table, row, values, run["run_id"])
            if run["run_id"] == selected:
                self.runs_table.selectRow(row)
        self.runs_table.blockSignals(False)
        total = self.journal.count_runs()
        self.count_label.setText(f"{len(self.rows)} of {total} run(s)")
        self._on_run_selected()

    def selected_run_id(self) -> int | None:
        items = self.runs_table.selectedItems()
        if not items:
            return None
        value = items[0].data(Qt.ItemDataRole.UserRole)
        return int(value) if value is not None else None

    def select_run(self, run_id: int) -> None:
        for row, run in enumerate(self.rows):
            if run["run_id"] == run_id:
                self.runs_table.selectRow(row)

    def _on_run_selected(self) -> None:
        run_id = self.selected_run_id()
        self.events = self.journal.events(run_id) if run_id is not None else []
        self.events_table.setRowCount(len(self.events))
        for row, event in enumerate(self.events):
            what = " — ".join(part for part in (event.key, event.description) if part)
            values = (
                audit_export.iso_utc(event.at).replace("T", " ").removesuffix("Z"),
                event.stage.value,
                event.kind.value,
                what,
                _value(event.before),
                _value(event.after),
                event.result,
                event.detail,
            )
            _fill_row(self.events_table, row, values, event.event_id)

    # -- exporting -----------------------------------------------------------------------------

    def export(self, kind: str) -> Path | None:
        """Export the listed runs (the selected one only, if a run is selected) as CSV or JSON."""
        path = self.export_path_provider(kind)
        if path is None:
            return None
        selected = self.selected_run_id()
        run_ids = [selected] if selected is not None else [r["run_id"] for r in self.rows]
        try:
            if kind == "csv":
                count = audit_export.export_runs_csv(self.journal, path, run_ids)
                what = f"{count} event(s) of {len(run_ids)} run(s)"
            else:
                count = audit_export.export_runs_json(self.journal, path, run_ids)
                what = f"{count} run(s)"
        except (OSError, KeyError) as exc:
            self.status.error(f"Could not export to {path}: {exc}")
            return None
        self.status.ok(f"Exported {what} to {path}")
        return path

    def _ask_path(self, kind: str) -> Path | None:
        selected = self.selected_run_id()
        default = f"commissioning-run-{selected}" if selected else "commissioning-runs"
        name, _ = QFileDialog.getSaveFileName(
            self, f"Export runs as {kind.upper()}", f"{default}.{kind}", _FILTERS[kind]
        )
        return Path(name) if name else None
