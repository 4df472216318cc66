"""Send a line of text to the device on a port (1-3), with an optional line ending.

Sensors usually act on a command only once its line ending arrives, so the ending is a visible
choice rather than something the user has to type as an escape sequence.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from commissioner.core.edge import rules
from commissioner.core.edge.errors import EdgeValidationError
from commissioner.core.system import explanations
from commissioner.ui.pages.system.group import ActionGroup, Confirm, describe_error, explanation
from commissioner.ui.session_model import SessionModel

ENDINGS: tuple[tuple[str, str], ...] = (
    ("no ending", ""),
    ("CR", "\r"),
    ("LF", "\n"),
    ("CR LF", "\r\n"),
)


class MessageGroup(ActionGroup):
    def __init__(self, model: SessionModel, confirm: Confirm, parent: QWidget | None = None):
        super().__init__("Message", model, confirm, parent)
        self.port_box = QComboBox()
        for number in rules.PORTS:
            self.port_box.addItem(f"Port {number}", number)
        self.text_edit = QLineEdit()
        self.text_edit.setPlaceholderText("text to send to the device")
        self.text_edit.returnPressed.connect(self._on_send_clicked)
        self.ending_box = QComboBox()
        for name, _ending in ENDINGS:
            self.ending_box.addItem(name)
        self.send_button = QPushButton("Se&nd")
        self.send_button.clicked.connect(self._on_send_clicked)
        self.controls = [self.port_box, self.text_edit, self.ending_box, self.send_button]
        row = QHBoxLayout()
        row.addWidget(self.port_box)
        row.addWidget(self.text_edit, 1)
        row.addWidget(QLabel("ending:"))
        row.addWidget(self.ending_box)
        row.addWidget(self.send_button)
        self.layout_.addWidget(explanation(explanations.MESSAGE))
        self.layout_.addLayout(row)
        self.layout_.addWidget(self.status)

    def set_port(self, number: int) -> None:
        self.port_box.setCurrentIndex(self.port_box.findData(number))

    @property
    def port(self) -> int:
        return int(self.port_box.currentData())

    def message(self) -> str:
        """The text with its ending, validated; raises EdgeValidationError with the reason."""
        text = self.text_edit.text()
        if not text:
            raise EdgeValidationError("message", "is empty: type what to send")
        return rules.message_text(text + ENDINGS[self.ending_box.currentIndex()][1])

    def _on_send_clicked(self) -> None:
        if not self.send_button.isEnabled():
            return
        try:
            message = self.message()
        except EdgeValidationError as exc:
            self.status.error(describe_error(exc))
            return
        port = self.port
        self.start(self._send(port, message), f"Sending to port {port}…")

    async def _send(self, port: int, message: str) -> None:
        await self.model.require_client().send_message(port, message)
        count = len(message)
        self.status.ok(f"Sent {count} character{'s' if count != 1 else ''} to port {port}.")
