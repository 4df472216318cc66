"""One setting's line in a port panel: its editor, "device: X → pending: Y", status, undo, remove.

The row never holds state of its own: the page's workspace owns edits, device values and
verdicts, and :meth:`FieldRow.render` redraws the row from them. Editors report only user
actions (``activated``, ``textEdited``, ``clicked``), so redrawing never loops back as an edit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from commissioner.core.ports.apply import FieldVerdict, Verdict
from commissioner.core.ports.device_state import PortDeviceState, Source
from commissioner.core.ports.fields import (
    REMOVABLE_FIELDS,
    REMOVE,
    PortField,
    choices,
    format_value,
)
from commissioner.core.ports.staging import PortReview
from commissioner.ui.widgets.inline_status import COLOURS, Level

EditHandler = Callable[[PortField, Any], None]
FieldHandler = Callable[[PortField], None]

PLACEHOLDERS = {
    PortField.DELIMITERS_HEX: "e.g. 0D0A, 0D",
    PortField.HOST: "e.g. 192.168.254.3",
    PortField.PORT: "e.g. 1212",
}
CHANGED_STYLE = (
    "background-color: rgba(199, 125, 0, 0.22); border-left: 3px solid #c77d00;"
    " padding: 1px 4px; font-weight: bold;"
)
VERDICT_LOOK: dict[Verdict, tuple[Level, str]] = {
    Verdict.VERIFIED: (Level.OK, "✔"),
    Verdict.ACCEPTED: (Level.OK, "✔"),
    Verdict.FAILED: (Level.ERROR, "✖"),
    Verdict.UNVERIFIED: (Level.WARNING, "⚠"),
    Verdict.NOT_SENT: (Level.WARNING, "⚠"),
}
SOURCE_STATE = {
    Source.INFERRED: "inferred",
    Source.LAST_APPLIED: "last applied",
    Source.UNKNOWN: "unknown",
}


@dataclass(frozen=True)
class FieldStatus:
    """What a field's status column says: a short state word and the full sentence."""

    state: str
    text: str


class FieldRow:
    def __init__(
        self,
        port: int,
        field: PortField,
        grid: QGridLayout,
        row: int,
        parent: QWidget,
        *,
        on_edit: EditHandler,
        on_undo: FieldHandler,
        on_remove: FieldHandler,
    ) -> None:
        self.port, self.field = port, field
        self._on_edit = on_edit
        self.name_label = QLabel(field.label, parent)
        self.editor = self._make_editor(parent)
        self.diff_label = QLabel(parent)
        self.diff_label.setWordWrap(True)
        self.status_label = QLabel(parent)
        self.status_label.setWordWrap(True)
        self.status_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.undo_button = QToolButton(parent)
        self.undo_button.setText("↺")
        self.undo_button.setToolTip(f"Drop the pending edit of {field.label}")
        self.undo_button.clicked.connect(lambda: on_undo(field))
        self.remove_button: QToolButton | None = None
        grid.addWidget(self.name_label, row, 0)
        grid.addWidget(self.editor, row, 1)
        grid.addWidget(self.diff_label, row, 2)
        grid.addWidget(self.status_label, row, 3)
        grid.addWidget(self.undo_button, row, 4)
        if field in REMOVABLE_FIELDS:
            self.remove_button = QToolButton(parent)
            self.remove_button.setText("Remove")
            self.remove_button.setToolTip(f"Stage removing {field.value} from the port")
            self.remove_button.clicked.connect(lambda: on_remove(field))
            grid.addWidget(self.remove_button, row, 5)
        self.status = FieldStatus("", "")

    def _make_editor(self, parent: QWidget) -> QWidget:
        field = self.field
        options = choices(self.port, field)
        if options:
            combo = QComboBox(parent)
            for value in options:
                combo.addItem(format_value(field, value), value)
            combo.activated.connect(lambda i: self._on_edit(field, combo.itemData(i)))
            return combo
        if field is PortField.DEVICE_CONNECTION:
            check = QCheckBox("enabled", parent)
            check.clicked.connect(lambda checked: self._on_edit(field, bool(checked)))
            return check
        if field is PortField.COMM_TYPE:
            label = QLabel("follows the mode", parent)
            label.setEnabled(False)
            return label
        edit = QLineEdit(parent)
        edit.setPlaceholderText(PLACEHOLDERS.get(field, ""))
        edit.textEdited.connect(lambda text: self._on_edit(field, text))
        return edit

    # -- drawing --------------------------------------------------------------------------------

    def render(
        self,
        device: PortDeviceState | None,
        edits: dict[PortField, Any],
        review: PortReview,
        verdict: FieldVerdict | None,
        *,
        editable: bool,
    ) -> None:
        field = self.field
        edited = field in edits
        error = review.errors.get(field)
        change = review.changes.get(field)
        current = device.value(field) if device is not None else None
        known = device is not None and device.is_known(field)
        target = review.targets.get(field, current) if error is None else None
        self._show_editor(edits.get(field), target, known, error is not None)
        self.editor.setEnabled(editable)
        self.undo_button.setVisible(edited)
        self.undo_button.setEnabled(edited and editable and field != PortField.COMM_TYPE)
        if self.remove_button is not None:
            removing = edits.get(field) is REMOVE
            self.remove_button.setText("Keep" if removing else "Remove")
            self.remove_button.setEnabled(editable and (removing or current is not None))
        device_text = (
            "not read yet"
            if device is None
            else format_value(field, current)
            if known
            else "unknown"
        )
        if change is not None or error is not None:
            pending = "invalid" if change is None else format_value(field, change.target)
            self.diff_label.setText(f"device: {device_text} → pending: {pending}")
            self.diff_label.setStyleSheet(CHANGED_STYLE)
            self.name_label.setText(f"● {field.label}")
        else:
            self.diff_label.setText(f"device: {device_text}")
            self.diff_label.setStyleSheet("")
            self.name_label.setText(field.label)
        self._show_status(device, error, verdict)

    def _show_editor(self, raw: Any, target: Any, known: bool, invalid: bool) -> None:
        editor = self.editor
        if isinstance(editor, QComboBox):
            index = editor.findData(target) if target is not None and target is not REMOVE else -1
            editor.setCurrentIndex(index)
            editor.setPlaceholderText(
                "removed" if target is REMOVE else "not set" if known else "unknown"
            )
        elif isinstance(editor, QCheckBox):
            editor.setChecked(bool(target))
        elif isinstance(editor, QLineEdit):
            if isinstance(raw, str):
                text = raw
            elif target is None or target is REMOVE:
                text = ""
            else:
                text = format_value(self.field, target)
            if editor.text() != text:
                editor.setText(text)
            editor.setPlaceholderText("removed" if raw is REMOVE else PLACEHOLDERS[self.field])
            colour = COLOURS[Level.ERROR]
            editor.setStyleSheet(f"QLineEdit {{ border: 2px solid {colour}; }}" if invalid else "")

    def _show_status(
        self, device: PortDeviceState | None, error: str | None, verdict: FieldVerdict | None
    ) -> None:
        if error is not None:
            self._set_status(Level.ERROR, "invalid", f"✖ invalid: {error}")
        elif verdict is not None:
            level, mark = VERDICT_LOOK[verdict.verdict]
            text = f"{mark} {verdict.verdict.value}: {verdict.message}"
            self._set_status(level, verdict.verdict.value, text, tip=verdict.detail)
        elif device is not None and self.field in (PortField.MODE, PortField.VOLTAGE):
            known = device.source(self.field)
            state = SOURCE_STATE.get(known.source, "")
            note = known.note if known.note.startswith(state) else f"{state}: {known.note}"
            self._set_status(Level.NONE, state, note, note=True)
        else:
            self._set_status(Level.NONE, "", "")

    def _set_status(
        self, level: Level, state: str, text: str, *, note: bool = False, tip: str = ""
    ) -> None:
        """``note``: an explanation of where a value comes from, set in italics, not a result."""
        self.status = FieldStatus(state, text)
        self.status_label.setText(text)
        self.status_label.setToolTip(tip or text)
        colour = COLOURS.get(level)
        style = f"color: {colour};" if colour else ""
        self.status_label.setStyleSheet(style + (" font-style: italic;" if note else ""))
