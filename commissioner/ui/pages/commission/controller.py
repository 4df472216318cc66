"""The wizard's hold on one :class:`CommissioningSession`: creating, resuming, and its progress.

Why a separate QObject: the engine reports progress through a plain callback on the asyncio loop,
sometimes dozens of times a second (a scan tries many framings, apply sends many writes). Widgets
are not updated from that callback; events are collected here and handed to the page in batches
by a short timer (``sig_events``), so the engine stays free of Qt and the UI stays smooth.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from commissioner.core.cloud.auth import AuthStatus
from commissioner.core.cloud.workspace import CloudWorkspace
from commissioner.core.commissioning.journal import CommissioningJournal, RunSummary
from commissioner.core.commissioning.run_model import RunStatus
from commissioner.core.commissioning.session import (
    CommissioningSession,
    RunEvent,
    RunOptions,
)
from commissioner.core.sensor_catalogue import SensorModel, load_catalogue
from commissioner.ui.pages.cloud.model import CloudModel
from commissioner.ui.session_model import SessionModel
from commissioner.ui.tasks import TaskRunner

BATCH_MS = 60
T = TypeVar("T")


class RunController(QObject):
    sig_events = Signal(list)  # list[RunEvent], oldest first

    def __init__(
        self,
        model: SessionModel,
        journal: CommissioningJournal,
        *,
        cloud: CloudModel | None = None,
        options: RunOptions | None = None,
        catalogue: Sequence[SensorModel] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.journal = journal
        self.cloud = cloud
        self.options = options or RunOptions()
        self.catalogue = list(catalogue) if catalogue is not None else load_catalogue()
        self.runner = TaskRunner(on_error=model.report_error, parent=self)
        self.session: CommissioningSession | None = None
        self._pending: list[RunEvent] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(BATCH_MS)
        self._timer.timeout.connect(self.flush)

    # -- events ----------------------------------------------------------------------------------

    def _on_event(self, event: RunEvent) -> None:
        self._pending.append(event)
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        """Hand over what arrived so far now (also called when a step ends, to keep order)."""
        self._timer.stop()
        events, self._pending = self._pending, []
        if events:
            self.sig_events.emit(events)

    async def call(self, step: Awaitable[T]) -> T:
        """Await one engine step, then hand over its last events before the caller shows the
        result (so a late progress line never overwrites the step's outcome)."""
        try:
            return await step
        finally:
            self.flush()

    # -- sessions --------------------------------------------------------------------------------

    def new_session(self) -> CommissioningSession:
        self.session = CommissioningSession(
            self.model.require_client(),
            self.journal,
            options=self.options,
            on_event=self._on_event,
            catalogue=self.catalogue,
        )
        return self.session

    async def resume(self, run_id: int) -> CommissioningSession:
        self.session = await CommissioningSession.resume(
            self.model.require_client(),
            self.journal,
            run_id,
            options=self.options,
            on_event=self._on_event,
            catalogue=self.catalogue,
        )
        return self.session

    def bound(self) -> CommissioningSession:
        """The session, talking through the app's current Edge client (it changes on reconnect)."""
        assert self.session is not None
        self.session.client = self.model.require_client()
        return self.session

    def drop(self) -> None:
        """Forget the session (an unfinished run stays IN_PROGRESS in the journal: resumable)."""
        self.runner.cancel_all()
        self.session = None
        self._pending.clear()

    # -- journal ---------------------------------------------------------------------------------

    def unfinished(self, serial: str) -> list[RunSummary]:
        current = self.session.run_id if self.session is not None else None
        return [r for r in self.journal.unfinished(serial) if r.run_id != current]

    def abandon(self, run_ids: Sequence[int]) -> None:
        for run_id in run_ids:
            self.journal.finish(run_id, RunStatus.ABANDONED)

    def last_technician(self) -> str:
        """Who ran the newest run on this laptop: the journal is the memory of who works here."""
        for run in self.journal.runs(limit=20):
            if run.technician:
                return run.technician
        return ""

    # -- cloud -----------------------------------------------------------------------------------

    async def cloud_workspace(self) -> CloudWorkspace | None:
        """The app's cloud workspace (the embedded simulator in the demo), signed in if it can be."""
        if self.cloud is None:
            return None
        workspace = await self.cloud.ensure_workspace()
        if workspace.auth.status is not AuthStatus.SIGNED_IN:
            await workspace.restore()
        return workspace

    async def aclose(self) -> None:
        self.runner.cancel_all()
        await self.runner.wait_idle()
