"""A table of verification items: what was checked, PASS/FAIL/WARN/SKIPPED, and the evidence.

Used by the Verify and Confirm steps and for the read-back after a rollback, so every proof the
wizard shows reads the same way as in the report.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from commissioner.core.commissioning.run_model import CheckResult, CheckStatus
from commissioner.ui.pages.commission.marks import CHECK_TEXT, check_colour

HEADERS = ("Item", "Result", "Evidence")


def compact(table: QTableWidget) -> None:
    """Rows one line high: installers need to see many rows at once on a laptop screen."""
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)


C_ITEM, C_RESULT, C_EVIDENCE = range(3)


class ChecksTable(QTableWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(HEADERS), parent)
        self.setHorizontalHeaderLabels(HEADERS)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        compact(self)
        header = self.horizontalHeader()
        header.setSectionResizeMode(C_ITEM, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(C_RESULT, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(C_EVIDENCE, QHeaderView.ResizeMode.Stretch)
        self.checks: list[CheckResult] = []

    def set_checks(self, checks: Sequence[CheckResult]) -> None:
        self.checks = list(checks)
        self.setRowCount(len(self.checks))
        bold = QFont(self.font())
        bold.setBold(True)
        for row, check in enumerate(self.checks):
            item = QTableWidgetItem(check.label)
            item.setToolTip(check.key)
            result = QTableWidgetItem(CHECK_TEXT[check.status])
            result.setFont(bold)
            result.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            colour = check_colour(check.status)
            if colour is not None:
                result.setForeground(colour)
            evidence = QTableWidgetItem(check.evidence)
            evidence.setToolTip(check.evidence)
            self.setItem(row, C_ITEM, item)
            self.setItem(row, C_RESULT, result)
            self.setItem(row, C_EVIDENCE, evidence)

    def status_of(self, key: str) -> CheckStatus | None:
        """The shown status of the check with ``key`` (tests and the scan banner use it)."""
        return next((c.status for c in self.checks if c.key == key), None)

    def summary(self) -> str:
        failed = sum(1 for c in self.checks if c.status is CheckStatus.FAIL)
        warned = sum(1 for c in self.checks if c.status is CheckStatus.WARN)
        passed = sum(1 for c in self.checks if c.status is CheckStatus.PASS)
        parts = [f"{passed} passed", f"{failed} failed"]
        if warned:
            parts.append(f"{warned} to look at")
        return ", ".join(parts)
