"""Steps 1 and 2: who the THREAD is (and any run of it left unfinished), then what it holds now.

The snapshot table says how each value is known, because the Edge API cannot read a port's mode
or voltage back: an installer deciding whether to trust an undo needs to see that.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from commissioner.core.commissioning.actions import setting_text
from commissioner.core.commissioning.journal import RunSummary
from commissioner.core.commissioning.run_model import ThreadIdentity, ThreadSnapshot
from commissioner.core.connection.session import ConnectionState
from commissioner.core.connection.session import ThreadIdentity as LinkIdentity
from commissioner.core.edge.rules import PortVoltage
from commissioner.core.ports.fields import PortField, format_value
from commissioner.ui.pages.commission.checks_table import compact
from commissioner.ui.widgets.inline_status import InlineStatus

INTRO = (
    "This wizard takes the connected THREAD from as-found to configured, proven and registered, "
    "and ends with a report. Every setting is saved before anything is written, so the install "
    "can be rolled back at any point."
)


def _wrapped(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class ConnectStep(QWidget):
    sig_resume = Signal(int)  # run id
    sig_open_connection = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.link = InlineStatus()
        self.open_connection_button = QPushButton("Open the Connection page")
        self.open_connection_button.clicked.connect(self.sig_open_connection.emit)
        box = QGroupBox("THREAD")
        form = QFormLayout(box)
        self.fields: dict[str, QLabel] = {}
        for key, title in (
            ("serial", "Serial number"),
            ("application", "Application"),
            ("firmware", "Firmware"),
            ("hardware", "Hardware"),
            ("address", "Address"),
        ):
            self.fields[key] = QLabel("—")
            form.addRow(title, self.fields[key])
        self.resume_box = QGroupBox("Unfinished run")
        self.resume_layout = QVBoxLayout(self.resume_box)
        self.resume_buttons: dict[int, QPushButton] = {}
        self.resume_box.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(_wrapped(INTRO))
        layout.addWidget(self.link)
        layout.addWidget(self.open_connection_button)
        layout.addWidget(box)
        layout.addWidget(self.resume_box)
        layout.addStretch(1)

    def show_link(self, state: ConnectionState, identity: LinkIdentity | None) -> None:
        """The app's connection, before a run has identified the THREAD itself."""
        connected = state is ConnectionState.CONNECTED and identity is not None
        self.open_connection_button.setVisible(not connected)
        if identity is not None and state.attached:
            versions = identity.versions
            self._fill(
                identity.serial_number,
                versions.application,
                versions.firmware,
                versions.hardware,
                identity.base_url,
            )
        if connected:
            self.link.ok("Connected. Press Start new run to begin.")
        elif state.attached:
            self.link.warning("The THREAD is not answering; the run waits until it is back.")
        else:
            self.link.warning("Not connected: connect to a THREAD on the Connection page first.")

    def show_identity(self, identity: ThreadIdentity) -> None:
        self._fill(
            identity.serial,
            identity.application,
            identity.firmware,
            identity.hardware,
            identity.address,
        )

    def _fill(self, *values: str) -> None:
        for label, value in zip(self.fields.values(), values, strict=True):
            label.setText(value or "—")

    def show_unfinished(self, runs: Sequence[RunSummary]) -> None:
        """Offer to resume each unfinished run of this THREAD (newest first, at most three)."""
        while self.resume_layout.count():
            item = self.resume_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.resume_buttons.clear()
        shown = list(runs)[:3]
        self.resume_box.setVisible(bool(shown))
        if not shown:
            return
        self.resume_layout.addWidget(
            _wrapped(
                "This THREAD has a run that did not end (a closed laptop, a lost cable or a "
                "crash). Resume it to carry on where it stopped, or start a new run (the "
                "unfinished one is then marked abandoned; its snapshot stays in the journal)."
            )
        )
        for run in shown:
            started = datetime.fromtimestamp(run.started_at).strftime("%Y-%m-%d %H:%M")
            profile = f", profile {run.profile_name}" if run.profile_name else ""
            button = QPushButton(f"Resume run {run.run_id} (stopped at {run.stage.label})")
            button.setToolTip(f"Started {started}{profile}")
            button.clicked.connect(lambda _c=False, rid=run.run_id: self.sig_resume.emit(rid))
            self.resume_buttons[run.run_id] = button
            self.resume_layout.addWidget(button)


SNAPSHOT_HEADERS = ("Setting", "Value", "How it is known")


class SnapshotStep(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.saved = InlineStatus()
        self.table = QTableWidget(0, len(SNAPSHOT_HEADERS))
        self.table.setHorizontalHeaderLabels(SNAPSHOT_HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        compact(self.table)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.addWidget(
            _wrapped(
                "Every setting of the THREAD as found, read before anything is written. "
                "Roll back puts these values back."
            )
        )
        layout.addWidget(self.saved)
        layout.addWidget(self.table, 1)

    def show_snapshot(self, snapshot: ThreadSnapshot, run_id: int | None) -> None:
        rows: list[tuple[str, str, str]] = [
            ("Cloud connection", setting_text(snapshot.cloud_connection), "read"),
            ("Interface priority", snapshot.interface_priority, "read"),
            ("Battery saver", setting_text(snapshot.battery_saver), "read"),
        ]
        for port in snapshot.ports:
            n = port.port
            voltage = (
                format_value(PortField.VOLTAGE, PortVoltage(port.voltage))
                if port.voltage is not None
                else "unknown"
            )
            if port.measured_v is not None:
                voltage += f" ({port.measured_v:.2f} V measured)"
            rows += [
                (f"Port {n} interface mode", port.mode or "unknown", port.mode_source),
                (f"Port {n} output voltage", voltage, port.voltage_source),
                (f"Port {n} device connection", "on" if port.device_connection else "off", "read"),
            ]
            for key, value in port.properties.items():
                rows.append((f"Port {n} {key}", format_value(PortField.BAUD_RATE, value), "read"))
        self.table.setRowCount(len(rows))
        for row, values in enumerate(rows):
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        where = f" (run {run_id})" if run_id is not None else ""
        taken = datetime.fromtimestamp(snapshot.taken_at).strftime("%H:%M:%S")
        self.saved.ok(
            f"Taken at {taken} and saved to the journal{where}: this install can be undone."
        )
