"""The frame every System page group shares: a titled box, its own status line and task runner.

Each group runs at most one request at a time, says inline what it is doing and, on failure, what
happened and what to do next. Its controls are enabled only while the THREAD can be reached and
nothing else in the group is running, so nobody can double-send or send into the void.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from commissioner.core.edge.errors import (
    EdgeError,
    EdgeMalformedResponse,
    EdgeRejected,
    EdgeUnreachable,
    EdgeValidationError,
)
from commissioner.core.system import NotBackInTime
from commissioner.ui.session_model import SessionModel
from commissioner.ui.tasks import TaskRunner
from commissioner.ui.widgets.inline_status import InlineStatus

Confirm = Callable[[str, str], bool]


def describe_error(exc: BaseException) -> str:
    """What happened and what to do next, in one or two sentences."""
    if isinstance(exc, EdgeValidationError):
        return f"Not sent: {exc.field} {exc.message}. Correct it and try again."
    if isinstance(exc, EdgeUnreachable | NotBackInTime):
        return str(exc)  # these already say what to check
    if isinstance(exc, EdgeRejected):
        return f"{exc}. Check the value and try again; if it keeps failing, note this for support."
    if isinstance(exc, EdgeMalformedResponse):
        return f"{exc}. The change may have worked: read the value again to check."
    if isinstance(exc, EdgeError):
        return str(exc)
    return f"Unexpected error: {exc!r}. Try again; if it repeats, report it with the log."


def explanation(text: str) -> QLabel:
    """A wrapped, quieter paragraph that says what a setting does (and its documented rules)."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


class ActionGroup(QGroupBox):
    """A titled group of controls that talk to the THREAD through ``model``."""

    def __init__(
        self, title: str, model: SessionModel, confirm: Confirm, parent: QWidget | None = None
    ) -> None:
        super().__init__(title, parent)
        self.model = model
        self.confirm = confirm
        self.status = InlineStatus()
        self.runner = TaskRunner(on_error=self._on_error, parent=self)
        self.runner.sig_busy_changed.connect(self._on_busy_changed)
        self.controls: list[QWidget] = []
        self.layout_ = QVBoxLayout(self)
        self._usable = model.state.usable
        self._blocked = False
        self._cancel_note: str | None = None

    # -- enabled state -------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self.runner.busy

    def set_connection(self, usable: bool, blocked: bool = False) -> None:
        """``usable``: requests can be sent now. ``blocked``: another group's long job owns it."""
        self._usable, self._blocked = usable, blocked
        self._refresh_enabled()

    def _on_busy_changed(self, _busy: bool) -> None:
        self._refresh_enabled()

    def _refresh_enabled(self) -> None:
        on = self._usable and not self._blocked and not self.runner.busy
        for widget in self.controls:
            widget.setEnabled(on)
        self.refresh_extra_enabled(on)

    def refresh_extra_enabled(self, on: bool) -> None:
        """Subclasses adjust controls whose enablement also depends on their own state."""

    # -- running -------------------------------------------------------------------------------

    def start(self, coro: Coroutine[Any, Any, Any], working: str) -> bool:
        """Run ``coro`` as this group's one job, showing ``working`` until it reports back."""
        if self.runner.busy:
            coro.close()
            return False
        self.status.working(working)
        self._cancel_note = None
        return self.runner.run(self._guarded(coro)) is not None

    def cancel(self, note: str | None = None) -> None:
        """Stop this group's job; ``note`` replaces the usual "stopped" text (e.g. disconnected)."""
        if self.runner.busy:
            self._cancel_note = note
            self.runner.cancel()

    async def _guarded(self, coro: Coroutine[Any, Any, Any]) -> None:
        try:
            await coro
        except asyncio.CancelledError:
            self.status.warning(self._cancel_note or self.cancelled_text())
            raise

    def cancelled_text(self) -> str:
        return "Stopped. Nothing more is sent; try again when ready."

    def _on_error(self, exc: BaseException) -> None:
        self.status.error(describe_error(exc))
        self.model.report_error(exc)

    def nudge_session(self) -> None:
        """Our own wait saw the THREAD answer: let the session probe now, not at its quiet time."""
        if not self.model.state.usable and self.model.state.attached:
            self.model.session.expect_return("The THREAD is back; reconnecting…")

    def on_connected(self) -> None:
        """The THREAD answers (again): read what this group shows. Default: nothing to read."""

    def forget(self) -> None:
        """No THREAD any more: drop values read from the last one, so none is shown as current."""
        if not self.busy:
            self.status.clear_status()

    async def aclose(self) -> None:
        self.runner.cancel_all()
        await self.runner.wait_idle()
