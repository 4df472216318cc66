"""Progress of a job that sends the THREAD away (sleep, update): phase text, bar, Stop waiting.

It stays visible and its button stays enabled while the THREAD is away, unlike the group's other
controls, because that is exactly when the user wants to see what is happening or stop waiting.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from commissioner.core.system import Progress

STEPS = 1000


class AwayProgress(QWidget):
    sig_stop_requested = Signal()

    def __init__(self, stop_text: str = "Stop waiting", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel("")
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(12)
        self.stop_button = QPushButton(stop_text)
        self.stop_button.setToolTip(
            "Stops this app waiting. The THREAD carries on by itself; the app reconnects when it "
            "answers."
        )
        self.stop_button.clicked.connect(self.sig_stop_requested)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bar, 1)
        row.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addLayout(row)
        self.last: Progress | None = None
        self.setVisible(False)

    @property
    def active(self) -> bool:
        return self.stop_button.isEnabled() and not self.isHidden()

    def begin(self, text: str) -> None:
        self.last = None
        self.label.setText(text)
        self.bar.setRange(0, 0)  # busy until a fraction is known
        self.stop_button.setEnabled(True)
        self.setVisible(True)

    def show_progress(self, progress: Progress) -> None:
        self.last = progress
        self.label.setText(progress.text)
        fraction = progress.fraction
        if fraction is None:
            self.bar.setRange(0, 0)
        else:
            self.bar.setRange(0, STEPS)
            self.bar.setValue(round(fraction * STEPS))

    def finish(self) -> None:
        """Done, failed or stopped: the group's status line carries the outcome from here."""
        self.stop_button.setEnabled(False)
        self.setVisible(False)
