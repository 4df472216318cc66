"""The steps of the running (or last) apply, each with its mark: to do, running, done, failed.

Shown under the port tabs so the user sees what has reached the THREAD so far, which matters
most when an apply fails or is cancelled halfway.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from commissioner.core.ports.apply import StepEvent, StepStatus
from commissioner.core.ports.plan import ApplyPlan

MARKS = {
    StepStatus.PENDING: "·",
    StepStatus.RUNNING: "…",
    StepStatus.DONE: "✔",
    StepStatus.FAILED: "✖",
}


class StepsView(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._lines: list[tuple[StepStatus, str]] = []
        self._errors: dict[int, str] = {}
        self._note = ""
        self.setVisible(False)

    @property
    def lines(self) -> list[str]:
        return self.text().splitlines()

    def start(self, plan: ApplyPlan) -> None:
        self._lines = [(StepStatus.PENDING, step.description) for step in plan.steps]
        self._errors.clear()
        self._note = ""
        self._draw()

    def update_step(self, event: StepEvent) -> None:
        if 0 <= event.index < len(self._lines):
            self._lines[event.index] = (event.status, event.step.description)
            if event.error:
                self._errors[event.index] = event.error
            self._draw()

    def cancelled(self) -> None:
        self._lines = [
            (StepStatus.PENDING if s is StepStatus.RUNNING else s, text) for s, text in self._lines
        ]
        self._note = "Cancelled: steps not marked ✔ were not confirmed by the THREAD."
        self._draw()

    def _draw(self) -> None:
        rows = [f"Apply: {len(self._lines)} step(s)"]
        for index, (status, text) in enumerate(self._lines):
            line = f"  {MARKS[status]} {index + 1}. {text}"
            if index in self._errors:
                line += f" — {self._errors[index]}"
            rows.append(line)
        if self._note:
            rows.append(self._note)
        self.setText("\n".join(rows))
        self.setVisible(bool(self._lines))
