"""An exception nobody caught is logged and shown, and the app keeps running.

Both Python's hook (errors in Qt slots) and the asyncio loop's handler (errors in tasks nobody
awaited) end here. The dialog is shown at most once per second, so a failing timer cannot bury
the user in dialogs.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger("commissioner.crash")


class ExceptionHook:
    def __init__(self, parent: Callable[[], QWidget | None] = lambda: None) -> None:
        self._parent = parent
        self._last_shown = 0.0
        self.show_dialog: Callable[[str, str], None] = self._dialog
        self.seen: list[BaseException] = []

    def install(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        sys.excepthook = self.handle
        if loop is not None:
            loop.set_exception_handler(self._loop_handler)

    def handle(
        self, kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        self.seen.append(error)
        details = "".join(traceback.format_exception(kind, error, tb))
        log.error("unhandled error\n%s", details)
        now = time.monotonic()
        if now - self._last_shown < 1.0:
            return
        self._last_shown = now
        self.show_dialog(f"{kind.__name__}: {error}", details)

    def _loop_handler(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        if isinstance(error, BaseException):
            self.handle(type(error), error, error.__traceback__)
        else:
            log.error("asyncio: %s", context.get("message"))

    def _dialog(self, summary: str, details: str) -> None:
        box = QMessageBox(self._parent())
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Something went wrong")
        box.setText(
            "THREAD Commissioner hit an unexpected error. It is still running and nothing you "
            "captured or staged was lost. If it happens again, send the log to support."
        )
        box.setInformativeText(summary)
        box.setDetailedText(details)
        box.setModal(False)
        box.show()
