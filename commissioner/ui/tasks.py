"""Run a page's coroutine without blocking the UI, keep a reference, and allow cancelling it.

Every button that talks to the THREAD goes through :class:`TaskRunner`: it refuses a second run
while one is going (no double-apply), reports the outcome to the page, and tells the session model
about unreachable errors so loss is shown at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QObject, Signal

from commissioner.core.edge.errors import EdgeError

log = logging.getLogger(__name__)


class TaskRunner(QObject):
    sig_busy_changed = Signal(bool)

    def __init__(
        self, on_error: Callable[[BaseException], None] | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._on_error = on_error
        self._task: asyncio.Task[Any] | None = None
        self._all: set[asyncio.Task[Any]] = set()

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def run(
        self,
        coro: Coroutine[Any, Any, Any],
        *,
        on_error: Callable[[BaseException], None] | None = None,
        exclusive: bool = True,
    ) -> asyncio.Task[Any] | None:
        """Start ``coro``; with ``exclusive`` a second call while busy is refused (returns None)."""
        if exclusive and self.busy:
            coro.close()
            return None
        task = asyncio.ensure_future(coro)
        self._all.add(task)
        if exclusive:
            self._task = task
            self.sig_busy_changed.emit(True)
        handler = on_error or self._on_error

        def done(t: asyncio.Task[Any]) -> None:
            self._all.discard(t)
            if exclusive and t is self._task:
                self._task = None
                self.sig_busy_changed.emit(False)
            if t.cancelled():
                return
            exc = t.exception()
            if exc is None:
                return
            if handler is not None:
                handler(exc)
            if not isinstance(exc, EdgeError):
                log.error("unexpected error in a UI task", exc_info=exc)

        task.add_done_callback(done)
        return task

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def cancel_all(self) -> None:
        for task in list(self._all):
            task.cancel()

    async def wait_idle(self) -> None:
        """For tests and shutdown: wait until every started task has finished."""
        while self._all:
            await asyncio.gather(*list(self._all), return_exceptions=True)
