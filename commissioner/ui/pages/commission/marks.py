"""The marks and colours of steps, writes and checks, shared by every part of the wizard.

Colours are the fixed hues of :mod:`commissioner.ui.widgets.inline_status` (readable on the light
and the dark palette); the state is also spelled by a mark, never by colour alone.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtGui import QColor

from commissioner.core.commissioning.run_model import CheckStatus
from commissioner.ui.widgets.inline_status import COLOURS, Level


class Mark(StrEnum):
    """The state of one step of the run or one write of the apply step."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    WARNING = "warning"
    SKIPPED = "skipped"


SYMBOL = {
    Mark.PENDING: "○",
    Mark.RUNNING: "▶",
    Mark.DONE: "✔",
    Mark.FAILED: "✖",
    Mark.WARNING: "⚠",
    Mark.SKIPPED: "↷",
}
_MARK_LEVEL = {
    Mark.RUNNING: Level.WORKING,
    Mark.DONE: Level.OK,
    Mark.FAILED: Level.ERROR,
    Mark.WARNING: Level.WARNING,
}
CHECK_TEXT = {
    CheckStatus.PASS: "PASS",
    CheckStatus.FAIL: "FAIL",
    CheckStatus.WARN: "WARN",
    CheckStatus.SKIPPED: "SKIPPED",
}
_CHECK_LEVEL = {
    CheckStatus.PASS: Level.OK,
    CheckStatus.FAIL: Level.ERROR,
    CheckStatus.WARN: Level.WARNING,
}


def mark_colour(mark: Mark) -> QColor | None:
    """The mark's hue; None for marks drawn in the palette's own (muted) text colour."""
    level = _MARK_LEVEL.get(mark)
    return QColor(COLOURS[level]) if level else None


def check_colour(status: CheckStatus) -> QColor | None:
    level = _CHECK_LEVEL.get(status)
    return QColor(COLOURS[level]) if level else None
