"""Step 8: how the run ended, the report files, and (after a rollback) the proof of the undo.

The headline is the run's status in words and colour; the report is opened with the desktop's
own viewer. After a rollback the THREAD's read-back is listed check by check, because "rolled
back" is only worth something if the THREAD was read again and matched the snapshot.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from commissioner.core.commissioning.run_model import RunRecord, RunStatus
from commissioner.core.commissioning.session import RollbackOutcome
from commissioner.ui.pages.commission.checks_table import ChecksTable
from commissioner.ui.widgets.inline_status import COLOURS, Level

HEADLINE = {
    RunStatus.PASSED: ("✔ Commissioning passed", Level.OK),
    RunStatus.FAILED: ("✖ Commissioning failed", Level.ERROR),
    RunStatus.ROLLED_BACK: ("↶ Rolled back to the snapshot", Level.WARNING),
    RunStatus.IN_PROGRESS: ("Run in progress", Level.WORKING),
    RunStatus.ABANDONED: ("Run abandoned", Level.WARNING),
}


class ReportStep(QWidget):
    sig_open = Signal(str)  # "pdf" | "html" | "folder"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headline = QLabel("The report is written when the run is finished.")
        self.headline.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.files = QLabel()
        self.files.setWordWrap(True)
        self.summary.hide()
        self.files.hide()
        self.open_pdf_button = QPushButton("Open PDF")
        self.open_html_button = QPushButton("Open HTML")
        self.show_folder_button = QPushButton("Show folder")
        buttons = QHBoxLayout()
        for button in (self.open_pdf_button, self.open_html_button, self.show_folder_button):
            buttons.addWidget(button)
            button.setEnabled(False)
        buttons.addStretch(1)
        self.rollback_box = QGroupBox("Rollback: the THREAD read back")
        self.rollback_label = QLabel()
        self.rollback_label.setWordWrap(True)
        self.rollback_table = ChecksTable()
        box = QVBoxLayout(self.rollback_box)
        box.addWidget(self.rollback_label)
        box.addWidget(self.rollback_table, 1)
        self.rollback_box.hide()
        self.checks_box = QGroupBox("Every check in the report")
        self.checks_table = ChecksTable()
        QVBoxLayout(self.checks_box).addWidget(self.checks_table)
        self.checks_box.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.summary)
        layout.addWidget(self.files)
        layout.addLayout(buttons)
        layout.addWidget(self.rollback_box, 1)
        layout.addWidget(self.checks_box, 1)
        self.open_pdf_button.clicked.connect(lambda: self.sig_open.emit("pdf"))
        self.open_html_button.clicked.connect(lambda: self.sig_open.emit("html"))
        self.show_folder_button.clicked.connect(lambda: self.sig_open.emit("folder"))

    def reset(self) -> None:
        self.headline.setStyleSheet("")
        self.headline.setText("The report is written when the run is finished.")
        self.summary.clear()
        self.summary.hide()
        self.files.clear()
        self.files.hide()
        self.rollback_box.hide()
        self.checks_box.hide()
        for button in (self.open_pdf_button, self.open_html_button, self.show_folder_button):
            button.setEnabled(False)

    def show_record(self, record: RunRecord) -> None:
        text, level = HEADLINE[record.status]
        self.headline.setText(f"{text} — THREAD {record.identity.serial}, run {record.run_id}")
        self.headline.setStyleSheet(f"color: {COLOURS[level]}; font-size: 16pt; font-weight: bold;")
        failed = [c for c in record.checks if not c.passed]
        cloud = record.cloud.status if record.cloud else "not registered"
        parts = [
            f"{len(record.checks)} checks, {len(failed)} failed",
            f"{len(record.changes)} settings changed",
            f"cloud: {cloud}",
        ]
        if record.config_hash:
            algorithm, _, digest = record.config_hash.rpartition(":")
            parts.append(f"configuration hash ({algorithm or 'sha256'}) {digest[:16]}")
        summary = "; ".join(parts) + "."
        if record.failure:
            summary += f"\nWhy: {record.failure}"
        self.summary.setText(summary)
        self.summary.show()
        if self.rollback_box.isHidden():  # after a rollback its read-back is the evidence shown
            self.checks_table.set_checks(record.checks)
            self.checks_box.show()

    def show_files(self, html: Path, pdf: Path) -> None:
        self.files.setText(f"Report written:\n{pdf}\n{html}")
        self.files.show()
        for button in (self.open_pdf_button, self.open_html_button, self.show_folder_button):
            button.setEnabled(True)

    def show_rollback(self, outcome: RollbackOutcome) -> None:
        text, level = HEADLINE[RunStatus.ROLLED_BACK]
        self.headline.setText(f"{text}. Write the report to record it.")
        self.headline.setStyleSheet(f"color: {COLOURS[level]}; font-size: 16pt; font-weight: bold;")
        passed = sum(1 for c in outcome.checks if c.passed)
        text = (
            f"All {len(outcome.checks)} settings read back as in the snapshot."
            if outcome.ok
            else f"{passed} of {len(outcome.checks)} settings read back as in the snapshot: "
            "check the failed ones on the Ports page."
        )
        if outcome.not_restorable:
            text += (
                "\nLeft as they are now, because the snapshot could not know them: "
                + "; ".join(outcome.not_restorable)
                + "."
            )
        self.rollback_label.setText(text)
        self.rollback_table.set_checks(outcome.checks)
        self.rollback_box.show()
