"""The run's steps down the left side: where the run is, what is done, what failed.

A step can be opened for review once reached; steps not yet reached cannot be chosen, so the list
is also a map of the procedure for someone doing it the first time.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from commissioner.core.commissioning.run_model import Stage
from commissioner.ui.pages.commission.marks import SYMBOL, Mark, mark_colour

STEPS: tuple[tuple[Stage, str], ...] = (
    (Stage.CONNECT, "Connect & identify"),
    (Stage.SNAPSHOT, "Snapshot"),
    (Stage.PLAN, "Plan"),
    (Stage.APPLY, "Apply"),
    (Stage.VERIFY, "Verify"),
    (Stage.REGISTER, "Register"),
    (Stage.CONFIRM, "Confirm"),
    (Stage.REPORT, "Report"),
)
ORDER = [stage for stage, _ in STEPS]


def index_of(stage: Stage) -> int:
    return ORDER.index(stage) if stage in ORDER else len(ORDER) - 1


class StepList(QListWidget):
    sig_step_chosen = Signal(object)  # Stage the user clicked (only reached steps)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("commissionSteps")
        self.setFixedWidth(190)
        self.setSpacing(3)
        self.marks: dict[Stage, Mark] = {stage: Mark.PENDING for stage in ORDER}
        self.current = Stage.CONNECT
        self.viewing = Stage.CONNECT
        for number, (_stage, title) in enumerate(STEPS, start=1):
            item = QListWidgetItem(f"{number}. {title}")
            self.addItem(item)
        self.itemClicked.connect(self._on_clicked)
        self._paint()

    def set_mark(self, stage: Stage, mark: Mark) -> None:
        self.marks[stage] = mark
        self._paint()

    def set_current(self, stage: Stage) -> None:
        self.current = stage
        self.viewing = stage
        self._paint()

    def set_viewing(self, stage: Stage) -> None:
        self.viewing = stage
        self._paint()

    def reset(self) -> None:
        self.marks = {stage: Mark.PENDING for stage in ORDER}
        self.set_current(Stage.CONNECT)

    def reachable(self, stage: Stage) -> bool:
        return index_of(stage) <= index_of(self.current) or self.marks[stage] is not Mark.PENDING

    def text_of(self, stage: Stage) -> str:
        item = self.item(index_of(stage))
        return item.text() if item is not None else ""

    def _on_clicked(self, item: QListWidgetItem) -> None:
        stage = ORDER[self.row(item)]
        if self.reachable(stage):
            self.sig_step_chosen.emit(stage)
        self._paint()

    def _paint(self) -> None:
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText)
        text = self.palette().color(QPalette.ColorRole.Text)
        for number, (stage, title) in enumerate(STEPS, start=1):
            item = self.item(number - 1)
            if item is None:
                continue
            mark = self.marks[stage]
            if stage == self.current and mark is Mark.PENDING:
                mark = Mark.RUNNING
            item.setText(f"{SYMBOL[mark]}  {number}. {title}")
            font = QFont(self.font())
            font.setBold(stage == self.current)
            item.setFont(font)
            colour = None if mark is Mark.RUNNING else mark_colour(mark)
            if colour is None:  # the current step is carried by its bold text
                colour = muted if mark in (Mark.PENDING, Mark.SKIPPED) else text
            item.setForeground(colour)
            flags = Qt.ItemFlag.ItemIsEnabled
            if self.reachable(stage):
                flags |= Qt.ItemFlag.ItemIsSelectable
            item.setFlags(flags)
        self.blockSignals(True)
        self.setCurrentRow(index_of(self.viewing))
        self.blockSignals(False)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        palette_events = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
        if event.type() in palette_events and hasattr(self, "marks"):
            self._paint()
