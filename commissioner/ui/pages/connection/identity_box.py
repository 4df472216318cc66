"""Who answered: the THREAD Connect Code, versions, and how far its clock is from this laptop's."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QWidget

from commissioner.core.connection.session import ThreadIdentity
from commissioner.ui.widgets.inline_status import COLOURS, Level

CLOCK_WARN_S = 5.0


class IdentityBox(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Connected THREAD", parent)
        self.serial_label = QLabel("—")
        font = QFont(self.serial_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setFamily("monospace")
        self.serial_label.setFont(font)
        self.application_label = QLabel("—")
        self.firmware_label = QLabel("—")
        self.hardware_label = QLabel("—")
        self.address_label = QLabel("—")
        self.clock_label = QLabel("—")
        self.clock_label.setWordWrap(True)
        for label in (
            self.serial_label,
            self.application_label,
            self.firmware_label,
            self.hardware_label,
            self.address_label,
        ):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout(self)
        form.addRow("Connect Code:", self.serial_label)
        form.addRow("Application:", self.application_label)
        form.addRow("Firmware:", self.firmware_label)
        form.addRow("Hardware:", self.hardware_label)
        form.addRow("Address:", self.address_label)
        form.addRow("Clock:", self.clock_label)

    def show_identity(self, identity: ThreadIdentity | None) -> None:
        if identity is None:
            for label in (
                self.serial_label,
                self.application_label,
                self.firmware_label,
                self.hardware_label,
                self.address_label,
                self.clock_label,
            ):
                label.setText("—")
            self.clock_label.setStyleSheet("")
            return
        self.serial_label.setText(identity.serial_number)
        self.application_label.setText(identity.versions.application)
        self.firmware_label.setText(identity.versions.firmware)
        self.hardware_label.setText(identity.versions.hardware)
        self.address_label.setText(f"{identity.base_url} ({identity.target.kind.label})")
        offset = identity.clock_offset_s
        direction = "behind" if offset < 0 else "ahead of"
        text = f"{abs(offset):.1f} s {direction} this laptop"
        if not identity.time_accurate:
            text += "; THREAD clock sync not finished yet"
        warn = abs(offset) > CLOCK_WARN_S or not identity.time_accurate
        if abs(offset) > CLOCK_WARN_S:
            text += " — sync it from the Dashboard"
        self.clock_label.setText(text)
        self.clock_label.setStyleSheet(f"color: {COLOURS[Level.WARNING]};" if warn else "")
