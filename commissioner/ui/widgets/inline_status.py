"""A one-line message next to the control it concerns: working, done, or what failed and what next.

Colours come from the palette's roles plus a fixed hue per level, chosen to read on both light and
dark palettes; the level is also spelled out in text, never by colour alone.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtWidgets import QLabel, QWidget


class Level(StrEnum):
    NONE = "none"
    WORKING = "working"
    OK = "ok"
    WARNING = "warning"
    ERROR = "error"


COLOURS = {
    Level.WORKING: "#2f7bd8",
    Level.OK: "#2e9d4f",
    Level.WARNING: "#c77d00",
    Level.ERROR: "#d64545",
}
PREFIX = {Level.WORKING: "… ", Level.OK: "✔ ", Level.WARNING: "⚠ ", Level.ERROR: "✖ "}


class InlineStatus(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.level = Level.NONE
        self.clear_status()

    def show_status(self, level: Level, text: str) -> None:
        self.level = level
        colour = COLOURS.get(level)
        self.setStyleSheet(f"color: {colour};" if colour else "")
        self.setText(PREFIX.get(level, "") + text)
        self.setVisible(bool(text))

    def working(self, text: str) -> None:
        self.show_status(Level.WORKING, text)

    def ok(self, text: str) -> None:
        self.show_status(Level.OK, text)

    def warning(self, text: str) -> None:
        self.show_status(Level.WARNING, text)

    def error(self, text: str) -> None:
        self.show_status(Level.ERROR, text)

    def clear_status(self) -> None:
        self.show_status(Level.NONE, "")
