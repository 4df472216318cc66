"""Step 4: the writes, one by one in a safe order, and what to do when one fails.

A failed write stops the run with the THREAD's answer, the advice for it, and the three honest
choices: try it again, leave it out, or put everything back as it was.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from commissioner.core.commissioning.actions import Action
from commissioner.core.commissioning.session import ApplyOutcome, RunEvent
from commissioner.ui.pages.commission.marks import SYMBOL, Mark, mark_colour
from commissioner.ui.widgets.inline_status import COLOURS, Level

INTRO = (
    "Writes go in a safe order: serial properties, then the interface mode, then the output "
    "voltage, and the device connection last. Each one is journaled before it is sent."
)


class ApplyStep(QWidget):
    sig_retry = Signal()
    sig_skip = Signal()
    sig_rollback = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setFormat("%v of %m writes")
        self.writes = QListWidget()
        self.planned: list[Action] = []
        self.marks: list[Mark] = []

        self.failure = QFrame()
        self.failure.setFrameShape(QFrame.Shape.StyledPanel)
        self.failure.setObjectName("applyFailure")
        self.failure.setStyleSheet(
            f"#applyFailure {{ border: 1px solid {COLOURS[Level.ERROR]}; border-radius: 4px; }}"
        )
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet(f"color: {COLOURS[Level.ERROR]}; font-weight: bold;")
        self.advice = QLabel()
        self.advice.setWordWrap(True)
        self.retry_button = QPushButton("Retry")
        self.retry_button.setToolTip("Send the failed write again")
        self.skip_button = QPushButton("Skip this write")
        self.skip_button.setToolTip("Leave it out (journaled as skipped) and carry on")
        self.rollback_button = QPushButton("Roll back to snapshot")
        self.rollback_button.setToolTip("Put every setting back as it was before the run")
        buttons = QHBoxLayout()
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.skip_button)
        buttons.addWidget(self.rollback_button)
        buttons.addStretch(1)
        box = QVBoxLayout(self.failure)
        box.addWidget(self.reason)
        box.addWidget(self.advice)
        box.addLayout(buttons)
        self.failure.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.progress)
        layout.addWidget(self.failure)
        layout.addWidget(self.writes, 1)
        self.retry_button.clicked.connect(self.sig_retry.emit)
        self.skip_button.clicked.connect(self.sig_skip.emit)
        self.rollback_button.clicked.connect(self.sig_rollback.emit)

    def set_actions(self, actions: Sequence[Action], done: int = 0) -> None:
        """The planned writes; the first ``done`` are already on the THREAD (a resumed run)."""
        self.planned = list(actions)
        self.marks = [Mark.DONE if i < done else Mark.PENDING for i in range(len(self.planned))]
        self.writes.clear()
        for action in self.planned:
            self.writes.addItem(QListWidgetItem(action.description))
        self.progress.setRange(0, max(1, len(self.planned)))
        self.progress.setValue(done)
        self.progress.setFormat("%v of %m writes" if self.planned else "nothing to write")
        self.hide_failure()
        self._paint()

    def on_event(self, event: RunEvent) -> None:
        if event.total != len(self.planned) or not self.planned:
            return
        for i in range(min(event.done, len(self.marks))):
            if self.marks[i] in (Mark.PENDING, Mark.RUNNING, Mark.FAILED):
                self.marks[i] = Mark.DONE
        if event.done < len(self.marks):
            self.marks[event.done] = Mark.FAILED if event.result == "failed" else Mark.RUNNING
        self.progress.setValue(event.done)
        self._paint()

    def mark_skipped(self, index: int) -> None:
        if 0 <= index < len(self.marks):
            self.marks[index] = Mark.SKIPPED
            self._paint()

    def finished(self) -> None:
        self.marks = [Mark.SKIPPED if m is Mark.SKIPPED else Mark.DONE for m in self.marks]
        self.progress.setValue(len(self.planned))
        self.hide_failure()
        self._paint()

    def show_failure(self, outcome: ApplyOutcome) -> None:
        what = outcome.failed.description if outcome.failed else "A write"
        if outcome.done < len(self.marks):
            self.marks[outcome.done] = Mark.FAILED
        self.progress.setValue(outcome.done)
        self.reason.setText(f"✖ {what} failed: {outcome.error}")
        self.advice.setText(
            "Fix the cause if you can (cable, power, the THREAD's answer above), then: Retry "
            "sends this write again; Skip leaves it out and carries on (the report shows it); "
            "Roll back puts the THREAD back as it was in the snapshot."
        )
        self.failure.show()
        self._paint()

    def hide_failure(self) -> None:
        self.failure.hide()

    def set_buttons_enabled(self, enabled: bool) -> None:
        for button in (self.retry_button, self.skip_button, self.rollback_button):
            button.setEnabled(enabled)

    def _paint(self) -> None:
        for i, mark in enumerate(self.marks):
            item = self.writes.item(i)
            if item is None:
                continue
            item.setText(f"{SYMBOL[mark]}  {self.planned[i].description}")
            colour = mark_colour(mark)
            item.setForeground(colour if colour is not None else self.palette().text().color())
