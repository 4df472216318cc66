"""Queue tab: every journaled registration, the flusher's state, and retry/edit/discard/send now.

The table is re-read from the journal on each flusher event, so what the installer sees is what
is stored (and will survive a restart), not a copy kept by the widget.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from commissioner.core.cloud.flusher import FlusherState, FlushEvent
from commissioner.core.cloud.journal import QueuedRegistration, RegistrationStatus
from commissioner.core.cloud.schema import validate_request
from commissioner.ui.pages.cloud.dialogs import JsonEditDialog, describe_cloud_error, problem_text
from commissioner.ui.pages.cloud.model import CloudModel
from commissioner.ui.tasks import TaskRunner
from commissioner.ui.widgets.inline_status import InlineStatus

HEADERS = ("#", "Created", "THREAD", "Status", "Attempts", "Last reason", "Connection (node)")
EDITABLE = (RegistrationStatus.PENDING, RegistrationStatus.FAILED)


class QueueTab(QWidget):
    def __init__(self, model: CloudModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.runner = TaskRunner(self._on_error, self)
        self.confirm: Callable[[str, str], bool] = self._ask
        self.rows: list[QueuedRegistration] = []
        self.state_label = QLabel("Queue: not open yet.")
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.retry_button = QPushButton("Retry")
        self.edit_button = QPushButton("Edit…")
        self.discard_button = QPushButton("Discard…")
        self.send_button = QPushButton("Send pending now")
        self.status = InlineStatus()
        buttons = QHBoxLayout()
        for button in (self.retry_button, self.edit_button, self.discard_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self._retry_at: float | None = None
        self._reason = ""
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._show_state)

        self.retry_button.clicked.connect(self.retry_selected)
        self.edit_button.clicked.connect(self.edit_selected)
        self.discard_button.clicked.connect(self.discard_selected)
        self.send_button.clicked.connect(self.send_now)
        self.table.itemSelectionChanged.connect(self._update_enabled)
        model.sig_queue_changed.connect(self._on_queue_changed)
        model.sig_workspace_changed.connect(self.reload)
        self.reload()

    # -- showing -------------------------------------------------------------------------------

    def reload(self) -> None:
        ws = self.model.workspace
        selected = self.selected_id()
        self.rows = list(reversed(ws.journal.list())) if ws is not None else []
        self.table.setRowCount(len(self.rows))
        for row, item in enumerate(self.rows):
            created = datetime.fromtimestamp(item.created_at).strftime("%Y-%m-%d %H:%M:%S")
            values = (
                str(item.id),
                created,
                item.thread_serial,
                item.status.value,
                str(item.attempts),
                item.last_error,
                item.node_id or "",
            )
            for column, text in enumerate(values):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                cell.setData(Qt.ItemDataRole.UserRole, item.id)
                self.table.setItem(row, column, cell)
            if item.id == selected:
                self.table.selectRow(row)
        self._show_state()
        self._update_enabled()

    def _on_queue_changed(self, event: FlushEvent | None) -> None:
        if event is not None:
            waiting = event.state is FlusherState.WAITING and event.retry_in_s is not None
            self._retry_at = time.monotonic() + (event.retry_in_s or 0) if waiting else None
            self._reason = event.reason
        self.reload()

    def _show_state(self) -> None:
        ws = self.model.workspace
        if ws is None:
            self.state_label.setText("Queue: no cloud profile open.")
            return
        pending = sum(1 for r in self.rows if r.status is RegistrationStatus.PENDING)
        state = ws.flusher.state
        text = f"Queue: {pending} pending. Sender: {state.value}"
        if state is FlusherState.WAITING and self._retry_at is not None:
            left = max(0, int(self._retry_at - time.monotonic() + 0.5))
            text += f", next try in {left} s"
            if self._reason:
                text += f" (last: {self._reason[:120]})"
            self._timer.start()
        else:
            self._timer.stop()
        self.state_label.setText(text + ".")

    def selected(self) -> QueuedRegistration | None:
        rid = self.selected_id()
        return next((r for r in self.rows if r.id == rid), None)

    def selected_id(self) -> int | None:
        items = self.table.selectedItems()
        if not items:
            return None
        value = items[0].data(Qt.ItemDataRole.UserRole)
        return int(value) if value is not None else None

    def select(self, registration_id: int) -> None:
        for row, item in enumerate(self.rows):
            if item.id == registration_id:
                self.table.selectRow(row)

    def _update_enabled(self) -> None:
        item = self.selected()
        editable = item is not None and item.status in EDITABLE
        for button in (self.retry_button, self.edit_button, self.discard_button):
            button.setEnabled(editable)
        self.send_button.setEnabled(self.model.workspace is not None)

    # -- actions -------------------------------------------------------------------------------

    def send_now(self) -> None:
        self.runner.run(self._flush())

    async def _flush(self) -> None:
        ws = await self.model.ensure_workspace()
        self.status.working("Sending pending registrations…")
        report = await ws.flusher.flush_now()
        self.reload()
        if report.stopped_by is not None:
            self.status.warning(
                f"Sent {report.sent}; stopped: {report.stopped_by.reason} They stay queued."
            )
        else:
            self.status.ok(f"Sent {report.sent} registration(s); nothing is waiting.")

    def retry_selected(self) -> None:
        item = self.selected()
        ws = self.model.workspace
        if item is None or ws is None:
            return
        if item.status is RegistrationStatus.FAILED:
            ws.journal.edit(item.id, item.request)  # back to pending, unchanged
        self.send_now()

    def edit_selected(self) -> None:
        item = self.selected()
        ws = self.model.workspace
        if item is None or ws is None:
            return

        def validate(data: dict[str, Any]) -> list[str]:
            return [problem_text(p) for p in validate_request(data, ws.catalogue())]

        dialog = JsonEditDialog(item.request, validate, self)
        self.edit_dialog = dialog
        dialog.accepted.connect(lambda: self._save_edit(item.id, dialog))
        dialog.open()

    def _save_edit(self, registration_id: int, dialog: JsonEditDialog) -> None:
        ws = self.model.workspace
        if ws is None or dialog.result_data is None:
            return
        try:
            ws.journal.edit(registration_id, dialog.result_data)
        except ValueError as exc:
            self.status.error(f"Not saved: {exc}")
            return
        self.status.ok(f"Registration #{registration_id} saved; it is pending again.")
        ws.flusher.wake()
        self.reload()

    def discard_selected(self) -> None:
        item = self.selected()
        ws = self.model.workspace
        if item is None or ws is None:
            return
        question = (
            f"Discard registration #{item.id} for THREAD {item.thread_serial}? It will not be "
            "sent; the row stays in the list as discarded."
        )
        if not self.confirm("Discard registration", question):
            return
        try:
            ws.journal.discard(item.id)
        except ValueError as exc:
            self.status.error(f"Not discarded: {exc}")
            return
        self.status.ok(f"Registration #{item.id} discarded.")
        self.reload()

    def _ask(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def _on_error(self, exc: BaseException) -> None:
        self.status.error(describe_cloud_error(exc))
