"""The connection state in the status bar: a coloured dot and words, never colour alone."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from commissioner.core.connection.session import ConnectionState

STATE_STYLE = {
    ConnectionState.DISCONNECTED: ("#8a8a8a", "Disconnected"),
    ConnectionState.CONNECTING: ("#2f7bd8", "Connecting"),
    ConnectionState.CONNECTED: ("#2e9d4f", "Connected"),
    ConnectionState.LOST: ("#d64545", "Lost"),
    ConnectionState.RECONNECTING: ("#c77d00", "Reconnecting"),
}


class StatusIndicator(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dot = QLabel("●")
        self.state_label = QLabel()
        self.detail_label = QLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self.dot)
        layout.addWidget(self.state_label)
        layout.addWidget(self.detail_label, 1)
        self.show_state(ConnectionState.DISCONNECTED, "Not connected")

    def show_state(self, state: ConnectionState, detail: str) -> None:
        colour, word = STATE_STYLE[state]
        self.dot.setStyleSheet(f"color: {colour}; font-size: 14pt;")
        self.state_label.setText(f"<b>{word}</b>")
        self.detail_label.setText(detail)
        self.setToolTip(detail)
