"""Record a console to a capture (raw ``.bin`` + timestamped ``.log``); the replay speed choice.

The capture itself is the pipeline's: it gets every byte (whatever the display drops), continues
across reconnects and marks the gaps. These controls only choose the file, start and stop it,
and show its size. The file dialog is an attribute (``ask_save_path``) so tests replace it
with a plain callable.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

from platformdirs import user_documents_dir
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from commissioner.ui.pages.console.counters_bar import human_bytes

SPEEDS: tuple[tuple[str, float], ...] = (
    ("Real time", 1.0),
    ("10× faster", 10.0),
    ("100× faster", 100.0),
    ("As fast as possible", 0.0),
)
CAPTURE_FILTER = "Console captures (*.log);;All files (*)"


def default_capture_name(title: str, now: float | None = None) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", title).strip("-") or "console"
    return f"{safe}-{time.strftime('%Y%m%d-%H%M%S', time.localtime(now))}.log"


def capture_base(path: Path) -> Path:
    """The base path the capture writer wants (``x.log``/``x.bin`` -> ``x``)."""
    return path.with_suffix("") if path.suffix.lower() in (".log", ".bin") else path


def speed_label(speed: float) -> str:
    return next((text for text, value in SPEEDS if value == speed), f"{speed:g}×")


class SpeedCombo(QComboBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for text, value in SPEEDS:
            self.addItem(text, value)
        self.setToolTip("How fast a capture is replayed (its original timing, scaled)")

    @property
    def speed(self) -> float:
        return float(self.currentData())

    def set_speed(self, speed: float) -> None:
        index = self.findData(speed)
        if index < 0:
            self.addItem(f"{speed:g}× faster", speed)
            index = self.count() - 1
        self.setCurrentIndex(index)


class CaptureControls(QWidget):
    """Record… / Stop recording, and the capture's name and size."""

    def __init__(
        self,
        title: Callable[[], str],
        on_start: Callable[[Path], None],
        on_stop: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._title = title
        self._on_start = on_start
        self._on_stop = on_stop
        self.folder = Path(user_documents_dir())
        self.ask_save_path: Callable[[str], Path | None] = self._ask_save
        self.record_button = QPushButton("● &Record…")
        self.record_button.setToolTip(
            "Save everything received and sent: raw bytes (.bin) and a timestamped log (.log). "
            "Recording continues across reconnects; gaps are marked."
        )
        self.record_button.clicked.connect(self.toggle_recording)
        self.size_label = QLabel("")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.size_label)
        layout.addWidget(self.record_button)
        self.recording = False

    def _ask_save(self, suggested: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Record console to", str(self.folder / suggested), CAPTURE_FILTER
        )
        return Path(name) if name else None

    def toggle_recording(self) -> None:
        if self.recording:
            self._on_stop()
            return
        path = self.ask_save_path(default_capture_name(self._title()))
        if path is None:
            return
        self.folder = path.parent
        self._on_start(capture_base(path))

    def show_capture(self, path: Path | None, size: int) -> None:
        """Called at the counters' rate: what is being recorded, and how much so far."""
        self.recording = path is not None
        self.record_button.setText("■ Stop &recording" if self.recording else "● &Record…")
        if path is None:
            return
        self.size_label.setText(f"● Recording to {path.name} ({human_bytes(size)})")
        self.size_label.setStyleSheet("color: #d64545;")
        self.size_label.setToolTip(str(path))

    def show_stopped(self, path: Path | None, size: int) -> None:
        self.show_capture(None, 0)
        self.size_label.setStyleSheet("")
        if path is not None:
            self.size_label.setText(f"Saved {path.name} ({human_bytes(size)})")
