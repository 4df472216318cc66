"""Who we are talking to: the THREAD's Connect Code, versions and address.

Reads go through the core Edge client on the asyncio loop; the widget only shows results, so a
slow or absent THREAD never freezes the window.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFormLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.errors import EdgeError


class IdentityPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._client: EdgeClient | None = None
        self._task: asyncio.Task[None] | None = None
        title = QLabel("Connected THREAD")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        self.serial_label = self._value_label()
        serial_font = QFont("monospace")
        serial_font.setStyleHint(QFont.StyleHint.Monospace)
        serial_font.setPointSizeF(font.pointSizeF() * 1.3)
        serial_font.setBold(True)
        self.serial_label.setFont(serial_font)
        self.url_label = self._value_label()
        self.application_label = self._value_label()
        self.firmware_label = self._value_label()
        self.hardware_label = self._value_label()
        self.message_label = QLabel("")
        self.message_label.setWordWrap(True)
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.clicked.connect(self._on_refresh_clicked)

        form = QFormLayout()
        form.addRow("THREAD Connect Code:", self.serial_label)
        form.addRow("Address:", self.url_label)
        form.addRow("Application:", self.application_label)
        form.addRow("Firmware:", self.firmware_label)
        form.addRow("Hardware:", self.hardware_label)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.message_label)
        layout.addWidget(self.refresh_button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)

    @staticmethod
    def _value_label() -> QLabel:
        label = QLabel("—")
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def set_client(self, client: EdgeClient | None) -> None:
        self._client = client
        self.url_label.setText(client.base_url if client else "—")
        self.refresh_button.setEnabled(client is not None)
        if client is None:
            self.message_label.setText(
                "No THREAD connected. Start with --demo to use the built-in simulated THREAD, or "
                "use 'commissioner edge --url http://<thread>' from a terminal."
            )

    def _on_refresh_clicked(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self.refresh())

    async def refresh(self) -> str | None:
        """Read identity; returns the serial number, or None with the reason shown."""
        client = self._client
        if client is None:
            return None
        self.message_label.setText("Reading identity…")
        try:
            serial, versions = await asyncio.gather(client.serial_number(), client.versions())
        except EdgeError as exc:
            self.message_label.setText(str(exc))
            return None
        self.serial_label.setText(serial)
        self.application_label.setText(versions.application)
        self.firmware_label.setText(versions.firmware)
        self.hardware_label.setText(versions.hardware)
        self.message_label.setText("")
        return serial
