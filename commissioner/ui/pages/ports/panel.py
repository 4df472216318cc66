"""One device port's tab: every setting as a row, and the port's measured voltage and current.

The panel draws what the page's workspace holds and forwards the user's actions to the page;
it never talks to the THREAD itself, so the page can keep one task runner for every request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from commissioner.core.edge.rules import USB_PORTS, PortMode
from commissioner.core.ports.apply import FieldVerdict
from commissioner.core.ports.device_state import PortDeviceState
from commissioner.core.ports.fields import FIELD_ORDER, USB_FIELDS, PortField
from commissioner.core.ports.staging import PortReview
from commissioner.ui.pages.ports.rows import EditHandler, FieldHandler, FieldRow, FieldStatus
from commissioner.ui.widgets.inline_status import InlineStatus

PortHandler = Callable[[int], None]


class PortPanel(QWidget):
    def __init__(
        self,
        port: int,
        *,
        on_edit: Callable[[int, PortField, Any], None],
        on_undo: Callable[[int, PortField], None],
        on_remove: Callable[[int, PortField], None],
        on_measure: PortHandler,
        on_loop_current: PortHandler,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.port = port
        edit: EditHandler = lambda f, v: on_edit(port, f, v)  # noqa: E731
        undo: FieldHandler = lambda f: on_undo(port, f)  # noqa: E731
        remove: FieldHandler = lambda f: on_remove(port, f)  # noqa: E731
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        for column, title in enumerate(("Setting", "Staged value", "On the THREAD", "Status")):
            header = QLabel(f"<b>{title}</b>")
            grid.addWidget(header, 0, column)
        self.rows: dict[PortField, FieldRow] = {}
        for index, field in enumerate(FIELD_ORDER, start=1):
            self.rows[field] = FieldRow(
                port, field, grid, index, self, on_edit=edit, on_undo=undo, on_remove=remove
            )
        grid.setColumnStretch(2, 2)
        grid.setColumnStretch(3, 3)
        grid.setColumnMinimumWidth(1, 150)

        self.measured_label = QLabel("Voltage and current: not measured yet")
        self.loop_label = QLabel("4-20 mA loop: not read yet")
        self.measure_button = QPushButton("Measure V / I")
        self.measure_button.setToolTip(f"Read port {port}'s output voltage and current")
        self.measure_button.clicked.connect(lambda: on_measure(port))
        self.loop_button = QPushButton("Read 4-20 mA")
        self.loop_button.setToolTip(
            "The THREAD briefly configures the port for 4-20 mA to take this reading, then "
            "sets the port back to default (Edge API). With a serial device attached, check "
            "its data afterwards."
        )
        self.loop_button.clicked.connect(lambda: on_loop_current(port))
        self.measure_status = InlineStatus()
        measure_box = QGroupBox(f"Port {port} measurements")
        box = QGridLayout(measure_box)
        box.addWidget(self.measured_label, 0, 0)
        box.addWidget(self.measure_button, 0, 1)
        box.addWidget(self.loop_label, 1, 0)
        box.addWidget(self.loop_button, 1, 1)
        box.addWidget(self.measure_status, 2, 0, 1, 2)
        box.setColumnStretch(0, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        bottom = QHBoxLayout()
        bottom.addWidget(measure_box, 1)
        layout.addLayout(bottom)
        layout.addStretch(1)

    # -- what tests and the page reach for ------------------------------------------------------

    def _editor(self, field: PortField) -> QWidget:
        return self.rows[field].editor

    @property
    def mode_combo(self) -> QComboBox:
        return self._combo(PortField.MODE)

    @property
    def voltage_combo(self) -> QComboBox:
        return self._combo(PortField.VOLTAGE)

    @property
    def baud_combo(self) -> QComboBox:
        return self._combo(PortField.BAUD_RATE)

    @property
    def data_bits_combo(self) -> QComboBox:
        return self._combo(PortField.DATA_BITS)

    @property
    def parity_combo(self) -> QComboBox:
        return self._combo(PortField.PARITY_BIT)

    @property
    def delimiters_edit(self) -> QLineEdit:
        return self._line(PortField.DELIMITERS_HEX)

    @property
    def host_edit(self) -> QLineEdit:
        return self._line(PortField.HOST)

    @property
    def tcp_port_edit(self) -> QLineEdit:
        return self._line(PortField.PORT)

    @property
    def connection_check(self) -> QCheckBox:
        editor = self._editor(PortField.DEVICE_CONNECTION)
        assert isinstance(editor, QCheckBox)
        return editor

    def _combo(self, field: PortField) -> QComboBox:
        editor = self._editor(field)
        assert isinstance(editor, QComboBox)
        return editor

    def _line(self, field: PortField) -> QLineEdit:
        editor = self._editor(field)
        assert isinstance(editor, QLineEdit)
        return editor

    def field_status(self, name: str | PortField) -> FieldStatus:
        return self.rows[PortField(name)].status

    def diff_text(self, name: str | PortField) -> str:
        return self.rows[PortField(name)].diff_label.text()

    # -- drawing --------------------------------------------------------------------------------

    def render(
        self,
        device: PortDeviceState | None,
        edits: dict[PortField, Any],
        review: PortReview,
        verdicts: dict[PortField, FieldVerdict],
        *,
        editable: bool,
        can_measure: bool,
    ) -> None:
        mode = review.targets.get(PortField.MODE)
        if mode is None and device is not None:
            mode = device.mode.value
        usb = self.port in USB_PORTS and mode is PortMode.USB
        for field, row in self.rows.items():
            row_editable = editable and (usb or field not in USB_FIELDS)
            row.render(device, edits, review, verdicts.get(field), editable=row_editable)
            if field in USB_FIELDS:
                row.editor.setToolTip(
                    "" if usb else "Used only in USB mode, which only port 1 supports"
                )
        self.measure_button.setEnabled(can_measure)
        self.loop_button.setEnabled(can_measure)
        self._show_measurements(device)

    def _show_measurements(self, device: PortDeviceState | None) -> None:
        measurement = device.measurement if device is not None else None
        if measurement is not None:
            volts = measurement.voltage.value
            milliamps = measurement.current.value * 1000
            self.measured_label.setText(
                f"Measured: <b>{volts:.2f} V</b>, <b>{milliamps:.1f} mA</b>"
            )
        loop = device.loop_current if device is not None else None
        if loop is not None:
            milliamps = loop.value * 1000
            note = " — below 4 mA: open loop or no transmitter?" if milliamps < 3.5 else ""
            self.loop_label.setText(f"4-20 mA loop: <b>{milliamps:.2f} mA</b>{note}")
