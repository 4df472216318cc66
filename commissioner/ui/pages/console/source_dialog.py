"""Choose what a new console reads: a THREAD port, or a local serial port with its settings.

The serial list comes from the page's :class:`PortWatcher` and follows adapters being plugged in
and out while the dialog is open; any other path (a pseudo-terminal) can be typed. The dialog is
shown with ``open()`` (not ``exec()``, which would stall the asyncio loop) and read with
:meth:`SourceDialog.source`.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from commissioner.core.serial.errors import SerialSettingsError
from commissioner.core.serial.ports import PortChange, PortInfo, PortWatcher
from commissioner.core.serial.settings import (
    COMMON_BAUD_RATES,
    DATA_BITS,
    STOP_BITS,
    Parity,
    SerialSettings,
)
from commissioner.ui.pages.console.sources import THREAD_PORTS, ConsoleSource
from commissioner.ui.widgets.inline_status import InlineStatus

LINE_CHOICES: tuple[tuple[str, bool | None], ...] = (
    ("leave as opened", None),
    ("on", True),
    ("off", False),
)


class SourceDialog(QDialog):
    def __init__(
        self,
        *,
        thread_available: bool,
        thread_name: str = "",
        watcher: PortWatcher | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New console")
        self.watcher = watcher
        self.thread_radio = QRadioButton("THREAD &port")
        self.serial_radio = QRadioButton("&Local serial port")
        group = QButtonGroup(self)
        group.addButton(self.thread_radio)
        group.addButton(self.serial_radio)
        self.thread_combo = QComboBox()
        for port in THREAD_PORTS:
            self.thread_combo.addItem(f"Port {port}", port)
        thread_note = QLabel(
            f"Streams the device on this port of {thread_name or 'the connected THREAD'}."
            if thread_available
            else "Connect to a THREAD on the Connection page to open its ports."
        )
        thread_note.setWordWrap(True)
        self.thread_radio.setEnabled(thread_available)
        self.thread_combo.setEnabled(thread_available)

        self.port_combo = QComboBox()
        self.port_combo.setEditable(True)
        self.port_combo.setMinimumWidth(340)
        line_edit = self.port_combo.lineEdit()
        if line_edit is not None:
            line_edit.setPlaceholderText("/dev/ttyUSB0, COM3, or a path")
        self.port_combo.setToolTip("Adapters appear and disappear here as they are plugged in")
        self.ports_note = QLabel("Looking for serial ports…")
        self.baud_combo = QComboBox()
        self.baud_combo.setEditable(True)
        for baud in COMMON_BAUD_RATES:
            self.baud_combo.addItem(str(baud), baud)
        self.baud_combo.setCurrentText("9600")
        self.data_bits_combo = QComboBox()
        for bits in DATA_BITS:
            self.data_bits_combo.addItem(str(bits), bits)
        self.data_bits_combo.setCurrentText("8")
        self.parity_combo = QComboBox()
        for parity in Parity:
            self.parity_combo.addItem(parity.value.capitalize(), parity)
        self.stop_bits_combo = QComboBox()
        for stop in STOP_BITS:
            self.stop_bits_combo.addItem(f"{stop:g}", stop)
        self.rtscts_box = QCheckBox("RTS/CTS")
        self.xonxoff_box = QCheckBox("XON/XOFF")
        self.dtr_combo = QComboBox()
        self.rts_combo = QComboBox()
        for combo in (self.dtr_combo, self.rts_combo):
            for text, value in LINE_CHOICES:
                combo.addItem(text, value)
        self.rtscts_box.toggled.connect(self._on_rtscts)

        serial_form = QFormLayout()
        serial_form.addRow("Port", self.port_combo)
        serial_form.addRow("", self.ports_note)
        frame = QHBoxLayout()
        for label, widget in (
            ("Baud", self.baud_combo),
            ("Data bits", self.data_bits_combo),
            ("Parity", self.parity_combo),
            ("Stop bits", self.stop_bits_combo),
        ):
            frame.addWidget(QLabel(label))
            frame.addWidget(widget)
        frame.addStretch(1)
        serial_form.addRow("Framing", frame)
        flow = QHBoxLayout()
        flow.addWidget(self.rtscts_box)
        flow.addWidget(self.xonxoff_box)
        flow.addStretch(1)
        serial_form.addRow("Flow control", flow)
        lines = QHBoxLayout()
        lines.addWidget(QLabel("DTR"))
        lines.addWidget(self.dtr_combo)
        lines.addWidget(QLabel("RTS"))
        lines.addWidget(self.rts_combo)
        lines.addStretch(1)
        serial_form.addRow("Lines", lines)
        self.serial_widgets: list[QWidget] = [
            self.port_combo, self.baud_combo, self.data_bits_combo, self.parity_combo,
            self.stop_bits_combo, self.rtscts_box, self.xonxoff_box, self.dtr_combo, self.rts_combo,
        ]  # fmt: skip

        grid = QGridLayout()
        grid.addWidget(self.thread_radio, 0, 0)
        grid.addWidget(self.thread_combo, 0, 1)
        grid.addWidget(thread_note, 1, 1)
        grid.addWidget(self.serial_radio, 2, 0)
        grid.addLayout(serial_form, 3, 1)
        grid.setColumnStretch(1, 1)
        self.status = InlineStatus()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

        self.thread_radio.toggled.connect(self._on_kind)
        (self.thread_radio if thread_available else self.serial_radio).setChecked(True)
        self._on_kind()
        if watcher is not None:
            watcher.add_listener(self._on_ports_changed)
            if watcher.ports:
                self.set_ports(watcher.ports)
        self.finished.connect(self._detach)

    # -- ports ----------------------------------------------------------------------------------

    def _on_ports_changed(self, change: PortChange) -> None:
        self.set_ports(change.ports, change)

    def set_ports(
        self, ports: tuple[PortInfo, ...] | list[PortInfo], change: PortChange | None = None
    ) -> None:
        typed = self.port_combo.currentText().strip()
        current = self.port_combo.currentData() or typed
        self.port_combo.clear()
        for info in ports:
            self.port_combo.addItem(info.label, info.device)
            self.port_combo.setItemData(self.port_combo.count() - 1, info.hwid or info.device, 3)
        index = self.port_combo.findData(current)
        if index >= 0:
            self.port_combo.setCurrentIndex(index)
        elif current:
            self.port_combo.setEditText(current)
        note = f"{len(ports)} port" + ("" if len(ports) == 1 else "s") + " found"
        if change is not None and change.added and len(change.added) < len(ports):
            note += "; plugged in: " + ", ".join(p.device for p in change.added)
        if change is not None and change.removed:
            note += "; unplugged: " + ", ".join(p.device for p in change.removed)
        self.ports_note.setText(
            note if ports else "No serial ports found; plug in an adapter or type a path."
        )

    def _detach(self) -> None:
        if self.watcher is not None:
            self.watcher.remove_listener(self._on_ports_changed)

    # -- choice ---------------------------------------------------------------------------------

    def _on_kind(self) -> None:
        serial = self.serial_radio.isChecked()
        for widget in self.serial_widgets:
            widget.setEnabled(serial)
        if serial:
            self._on_rtscts(self.rtscts_box.isChecked())
        self.thread_combo.setEnabled(not serial and self.thread_radio.isEnabled())

    def _on_rtscts(self, on: bool) -> None:
        if on:
            self.rts_combo.setCurrentIndex(0)  # flow control drives RTS
        self.rts_combo.setEnabled(not on and self.serial_radio.isChecked())

    def serial_device(self) -> str:
        index = self.port_combo.currentIndex()
        text = self.port_combo.currentText().strip()
        if index >= 0 and text == self.port_combo.itemText(index):
            return str(self.port_combo.itemData(index))
        return text

    def source(self) -> ConsoleSource:
        """The chosen source; SerialSettingsError (its text is for people) when a setting is wrong."""
        if self.thread_radio.isChecked():
            return ConsoleSource.thread(int(self.thread_combo.currentData()))
        baud_text = self.baud_combo.currentText().strip()
        try:
            baud = int(baud_text)
        except ValueError:
            raise SerialSettingsError("baud", f"'{baud_text}' is not a whole number") from None
        settings = SerialSettings(
            port=self.serial_device(),
            baud=baud,
            data_bits=int(self.data_bits_combo.currentData()),
            parity=Parity(self.parity_combo.currentData()),
            stop_bits=float(self.stop_bits_combo.currentData()),
            rtscts=self.rtscts_box.isChecked(),
            xonxoff=self.xonxoff_box.isChecked(),
            dtr=self.dtr_combo.currentData(),
            rts=None if self.rtscts_box.isChecked() else self.rts_combo.currentData(),
        )
        return ConsoleSource.local(settings)

    def _accept(self) -> None:
        try:
            self.source()
        except SerialSettingsError as exc:
            self.status.error(f"{exc}.")
            return
        self.accept()
