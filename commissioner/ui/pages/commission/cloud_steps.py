"""Steps 6 and 7: register the THREAD in the cloud (or queue it), then confirm it arrived.

The wizard uses the app's cloud workspace (the Cloud page's profile and sign-in; the embedded
cloud simulator in the demo), so a registration queued here is the same queue row the Cloud page
shows and delivers. Without a usable cloud the step says so and offers to queue or skip.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from commissioner.core.commissioning.profile_model import ProfileNames
from commissioner.core.commissioning.run_model import CheckResult, CloudRecord
from commissioner.ui.pages.commission.checks_table import ChecksTable, compact
from commissioner.ui.widgets.inline_status import InlineStatus

RECORD_TEXT = {
    "registered": "Registered",
    "queued": "Queued: it is sent automatically when the cloud can be reached",
    "failed": "Registration failed",
    "skipped": "Not registered (skipped)",
}
ID_HEADERS = ("Port", "Device name", "Sensor name", "Device id", "Sensor ids")


def _table(headers: Sequence[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    compact(table)
    return table


class RegisterStep(QWidget):
    sig_sign_in = Signal()
    sig_queue = Signal()
    sig_skip = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        intro = QLabel(
            "Register this THREAD and its sensors in the cloud with the profile's names, or "
            "queue the registration: it is sent once the laptop is online (Cloud page, Queue)."
        )
        intro.setWordWrap(True)
        self.cloud_label = QLabel("Cloud: not checked yet")
        self.cloud_label.setWordWrap(True)
        self.status = InlineStatus()
        self.sign_in_button = QPushButton("Sign in to the cloud simulator")
        self.sign_in_button.hide()
        self.queue_button = QPushButton("Queue for later")
        self.queue_button.setToolTip("Journal the registration now; it is sent when online")
        self.skip_button = QPushButton("Skip registration")
        buttons = QHBoxLayout()
        buttons.addWidget(self.sign_in_button)
        buttons.addWidget(self.queue_button)
        buttons.addWidget(self.skip_button)
        buttons.addStretch(1)
        self.node_label = QLabel()
        self.record_box = QGroupBox("Registration")
        form = QFormLayout(self.record_box)
        self.record_status = QLabel("—")
        self.record_status.setWordWrap(True)
        self.registration_label = QLabel("—")
        self.node_id_label = QLabel("—")
        self.node_id_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("Status", self.record_status)
        form.addRow("Queue row", self.registration_label)
        form.addRow("Connection (node) id", self.node_id_label)
        self.ids = _table(ID_HEADERS)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.cloud_label)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.node_label)
        layout.addWidget(self.ids, 1)
        layout.addWidget(self.record_box)
        self.sign_in_button.clicked.connect(self.sig_sign_in.emit)
        self.queue_button.clicked.connect(self.sig_queue.emit)
        self.skip_button.clicked.connect(self.sig_skip.emit)
        self.names: ProfileNames | None = None

    def show_cloud(self, text: str, *, can_sign_in: bool) -> None:
        self.cloud_label.setText(text)
        self.sign_in_button.setVisible(can_sign_in)

    def show_names(self, names: ProfileNames | None, registers: bool) -> None:
        """What will be created, before registering (ids are filled in afterwards)."""
        self.names = names
        if names is None or not registers:
            self.node_label.setText("This profile registers nothing in the cloud.")
            self.ids.setRowCount(0)
            return
        self.node_label.setText(f"Connection: {names.node}")
        self.ids.setRowCount(len(names.ports))
        for row, port in enumerate(names.ports):
            for column, text in enumerate((str(port.port), port.device, port.sensor, "", "")):
                self.ids.setItem(row, column, QTableWidgetItem(text))

    def clear(self) -> None:
        self.show_names(None, False)
        for label in (self.record_status, self.registration_label, self.node_id_label):
            label.setText("—")
        self.cloud_label.setText("Cloud: not checked yet")
        self.sign_in_button.hide()
        self.status.clear_status()

    def show_record(self, record: CloudRecord) -> None:
        text = RECORD_TEXT.get(record.status, record.status)
        if record.reason and record.status != "registered":
            text += f" ({record.reason})"
        self.record_status.setText(text)
        self.registration_label.setText(
            str(record.registration_id) if record.registration_id is not None else "—"
        )
        self.node_id_label.setText(record.node_id or "—")
        for row in range(self.ids.rowCount()):
            item = self.ids.item(row, 0)
            port = int(item.text()) if item is not None and item.text().isdigit() else None
            if port is None:
                continue
            self.ids.setItem(row, 3, QTableWidgetItem(record.device_ids.get(port, "")))
            sensors = ", ".join(record.sensor_ids.get(port, []))
            self.ids.setItem(row, 4, QTableWidgetItem(sensors))

    def set_buttons_enabled(self, enabled: bool) -> None:
        for button in (self.sign_in_button, self.queue_button, self.skip_button):
            button.setEnabled(enabled)


class ConfirmStep(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        intro = QLabel(
            "Closed-loop proof in the cloud: the registration is fetched back and compared, the "
            "readings captured while verifying are uploaded and must come back on the live "
            "connection, and the THREAD's connection must be reported reachable."
        )
        intro.setWordWrap(True)
        self.activity = QLabel()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(8)
        self.busy.hide()
        self.summary = QLabel()
        self.table = ChecksTable()
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.activity)
        layout.addWidget(self.busy)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def set_running(self, running: bool, text: str = "") -> None:
        self.busy.setVisible(running)
        self.activity.setText(text)

    def show_checks(self, checks: Sequence[CheckResult]) -> None:
        self.table.set_checks(checks)
        self.summary.setText(f"{len(checks)} checks: {self.table.summary()}.")
