"""Plain-words cloud errors and the small dialogs of the Cloud page (preview, JSON edit, secret).

The error text says what happened and what to do next; cloud errors already carry a sentence
meant for people, so they are passed through with the next step added where it is not obvious.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from commissioner.core.cloud.errors import (
    CloudAuthError,
    CloudConfigError,
    CloudError,
    CloudForbidden,
    CloudRateLimited,
    CloudUnavailable,
    CloudValidationError,
    FieldProblem,
    SecretUnavailable,
)


def describe_cloud_error(exc: BaseException) -> str:
    """What failed, in words, with the next step."""
    if isinstance(exc, CloudValidationError):
        return f"{exc} Correct the rows marked in red and try again."
    if isinstance(exc, CloudForbidden):
        return (
            f"{exc} Ask the asset's administrator for the IoT Creator role, or pick another asset."
        )
    if isinstance(exc, CloudAuthError):
        return str(exc)
    if isinstance(exc, CloudRateLimited | CloudUnavailable | SecretUnavailable | CloudConfigError):
        return str(exc)
    if isinstance(exc, CloudError):
        return f"{exc} Try again; if it repeats, note this for support."
    if isinstance(exc, TimeoutError):
        return "The cloud did not answer in time. Check the internet connection and try again."
    if isinstance(exc, OSError):
        return f"Could not reach the cloud ({exc}). Check the internet connection and try again."
    return f"Unexpected error: {exc!r}. Try again; if it repeats, report it with the log."


def problem_text(problem: FieldProblem) -> str:
    return f"{problem.target}: {problem.message}" if problem.target else problem.message


def monospace_editor(text: str, *, read_only: bool) -> QPlainTextEdit:
    editor = QPlainTextEdit(text)
    editor.setReadOnly(read_only)
    editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    return editor


class PreviewDialog(QDialog):
    """The exact request body that would be sent, and what local validation says of it."""

    def __init__(
        self,
        request: dict[str, Any],
        problems: Sequence[FieldProblem],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preview of the registration request")
        self.resize(720, 640)
        self.json_view = monospace_editor(json.dumps(request, indent=2), read_only=True)
        self.problem_list = QListWidget()
        for problem in problems:
            self.problem_list.addItem(problem_text(problem))
        summary = (
            "No problems found: this is exactly what Register sends."
            if not problems
            else f"{len(problems)} problem(s) to fix before registering:"
        )
        self.summary = QLabel(summary)
        self.summary.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Request body (JSON, read-only):"))
        layout.addWidget(self.json_view, 3)
        layout.addWidget(self.summary)
        layout.addWidget(self.problem_list, 1)
        self.problem_list.setVisible(bool(problems))
        layout.addWidget(buttons)


class JsonEditDialog(QDialog):
    """Edit a queued registration's request as JSON; ``validate`` must pass before saving."""

    def __init__(
        self,
        data: dict[str, Any],
        validate: Callable[[dict[str, Any]], list[str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit queued registration")
        self.resize(720, 640)
        self._validate = validate
        self.result_data: dict[str, Any] | None = None
        self.editor = monospace_editor(json.dumps(data, indent=2), read_only=False)
        self.problems = QLabel("")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #d64545;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("The request body; it is checked before it is saved."))
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.problems)
        layout.addWidget(self.buttons)

    def try_accept(self) -> bool:
        try:
            data = json.loads(self.editor.toPlainText())
        except ValueError as exc:
            self.problems.setText(f"Not valid JSON: {exc}")
            return False
        if not isinstance(data, dict):
            self.problems.setText("The request must be a JSON object.")
            return False
        problems = self._validate(data)
        if problems:
            self.problems.setText("Not saved:\n" + "\n".join(problems))
            return False
        self.result_data = data
        self.accept()
        return True


def ask_secret(parent: QWidget, what: str, persistent: bool, hint: str = "") -> str | None:
    """Ask for a client secret or API key (masked); None when the user cancels."""
    where = (
        "It will be stored in the system keyring."
        if persistent
        else "There is no system keyring: it is kept in memory for this session only."
    )
    text = f"Enter the {what}. {where}"
    if hint:
        text += f"\n{hint}"
    value, ok = QInputDialog.getText(parent, f"Cloud {what}", text, QLineEdit.EchoMode.Password)
    value = value.strip()
    return value if ok and value else None
