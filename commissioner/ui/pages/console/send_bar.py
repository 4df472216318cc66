"""The line editor that sends: history (Up/Down), line ending, hex input.

The bar only turns what was typed into bytes and hands them to the console (``on_send``); the
console sends them and reports the outcome in :attr:`SendBar.status`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from commissioner.ui.widgets.inline_status import InlineStatus

MAX_HISTORY = 100


class LineEnding(StrEnum):
    NONE = "none"
    CR = "cr"
    LF = "lf"
    CRLF = "crlf"

    @property
    def bytes(self) -> bytes:
        return {"none": b"", "cr": b"\r", "lf": b"\n", "crlf": b"\r\n"}[self.value]

    @property
    def label(self) -> str:
        return {"none": "No line ending", "cr": "CR", "lf": "LF", "crlf": "CR LF"}[self.value]


_HEX_SEPARATORS = re.compile(r"0x|[\s,:;-]", re.IGNORECASE)


def parse_hex(text: str) -> bytes:
    """``01 52 0D``, ``0x01,0x52``, ``01520d`` -> bytes; ValueError says what is wrong."""
    digits = _HEX_SEPARATORS.sub("", text)
    bad = re.search(r"[^0-9a-fA-F]", digits)
    if bad:
        raise ValueError(f"'{bad.group()}' is not a hex digit: type pairs like 01 52 0D")
    if len(digits) % 2:
        raise ValueError("hex input needs whole bytes (pairs of digits), e.g. 0D 0A")
    return bytes.fromhex(digits)


def encode_input(text: str, ending: LineEnding, hex_mode: bool) -> bytes:
    """What a typed line sends. In hex mode the bytes are exactly those typed (no ending added)."""
    if hex_mode:
        return parse_hex(text)
    return text.encode("utf-8") + ending.bytes


class History:
    """Sent lines, newest last, without consecutive duplicates; Up/Down walk it."""

    def __init__(self, limit: int = MAX_HISTORY) -> None:
        self.items: list[str] = []
        self.limit = limit
        self._pos = 0
        self._draft = ""

    def add(self, text: str) -> None:
        if text and (not self.items or self.items[-1] != text):
            self.items.append(text)
            del self.items[: -self.limit]
        self._pos = len(self.items)
        self._draft = ""

    def older(self, current: str) -> str:
        if self._pos == len(self.items):
            self._draft = current
        self._pos = max(0, self._pos - 1)
        return self.items[self._pos] if self.items else current

    def newer(self) -> str:
        self._pos = min(len(self.items), self._pos + 1)
        return self.items[self._pos] if self._pos < len(self.items) else self._draft


class SendBar(QWidget):
    def __init__(self, on_send: Callable[[bytes], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._on_send = on_send
        self.history = History()
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("Type a line to send, Enter sends (Up/Down: history)")
        self.edit.setAccessibleName("Line to send")
        self.edit.returnPressed.connect(self.send)
        self.edit.installEventFilter(self)
        self.ending_combo = QComboBox()
        for ending in LineEnding:
            self.ending_combo.addItem(ending.label, ending)
        self.ending_combo.setCurrentIndex(self.ending_combo.findData(LineEnding.CRLF))
        self.ending_combo.setToolTip("Appended to each line sent as text")
        self.hex_box = QCheckBox("He&x")
        self.hex_box.setToolTip("Type bytes as hex pairs (01 52 0D); nothing is appended")
        self.hex_box.toggled.connect(self._on_hex)
        self.send_button = QPushButton("&Send")
        self.send_button.clicked.connect(self.send)
        self.status = InlineStatus()

        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addWidget(self.ending_combo)
        row.addWidget(self.hex_box)
        row.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.status)

    @property
    def ending(self) -> LineEnding:
        return LineEnding(self.ending_combo.currentData())

    def set_ending(self, ending: LineEnding) -> None:
        self.ending_combo.setCurrentIndex(self.ending_combo.findData(ending))

    def _on_hex(self, on: bool) -> None:
        self.ending_combo.setEnabled(not on)
        self.edit.setPlaceholderText(
            "Hex bytes to send, e.g. 30 31 52 0D 0A" if on else "Type a line to send, Enter sends"
        )

    def send(self) -> None:
        text = self.edit.text()
        try:
            data = encode_input(text, self.ending, self.hex_box.isChecked())
        except ValueError as exc:
            self.status.error(f"Not sent: {exc}.")
            return
        if not data:
            self.status.warning("Nothing to send: type a line, or choose a line ending.")
            return
        self.history.add(text)
        self.edit.clear()
        self._on_send(data)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Up:
                self.edit.setText(self.history.older(self.edit.text()))
                return True
            if event.key() == Qt.Key.Key_Down:
                self.edit.setText(self.history.newer())
                return True
        return super().eventFilter(watched, event)
