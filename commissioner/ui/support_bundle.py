"""File > Save support bundle…: one action that gathers what support staff ask for.

The bundle itself is built by :mod:`commissioner.core.commissioning.bundle` (the same code as
``commissioner journal bundle``); this class only collects what lives in the running app: the
connected THREAD's diagnostics, the in-memory activity log, the secrets the cloud session holds
(scrubbed literally), and the newest runs of that THREAD. The zip is written on a worker thread
with progress in the status bar, so the window stays responsive.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMainWindow

from commissioner.core.activity import ActivityLog, export
from commissioner.core.commissioning.bundle import (
    BundleResult,
    BundleSources,
    default_app_log_path,
    read_diagnostics,
    write_support_bundle,
)
from commissioner.core.commissioning.journal import CommissioningJournal
from commissioner.core.edge.errors import EdgeError
from commissioner.core.settings import Settings
from commissioner.ui.session_model import SessionModel
from commissioner.ui.tasks import TaskRunner

RUNS_INCLUDED = 10  # the newest runs (of the connected THREAD, when there is one)


class SupportBundleAction(QObject):
    """Owns the task that writes a bundle; ``path_provider`` replaces the dialog in tests."""

    sig_done = Signal(object)  # BundleResult
    sig_failed = Signal(str)
    sig_progress = Signal(str)

    def __init__(
        self,
        window: QMainWindow,
        model: SessionModel,
        activity: ActivityLog,
        journal: CommissioningJournal,
        settings: Settings,
        secrets: Callable[[], list[str]] = list,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.model = model
        self.activity = activity
        self.journal = journal
        self.settings = settings
        self.secrets = secrets
        self.path_provider: Callable[[], Path | None] = self._ask_path
        self.runner = TaskRunner(parent=self)
        self.sig_progress.connect(lambda text: window.statusBar().showMessage(text, 5000))

    def trigger(self) -> asyncio.Task[Any] | None:
        path = self.path_provider()
        if path is None:
            return None
        return self.runner.run(self.write(path), on_error=self._on_error)

    def _ask_path(self) -> Path | None:
        name = f"commissioner-support-{time.strftime('%Y%m%d-%H%M%S')}.zip"
        chosen, _ = QFileDialog.getSaveFileName(
            self.window, "Save support bundle", str(Path.home() / name), "Zip files (*.zip)"
        )
        return Path(chosen) if chosen else None

    async def write(self, path: Path) -> BundleResult:
        self.sig_progress.emit("Support bundle: reading the THREAD's diagnostics…")
        diagnostics: dict[str, Any] | None = None
        client = self.model.client
        serial: str | None = None
        if client is not None:
            try:
                diagnostics = await read_diagnostics(client)
                serial = str(diagnostics.get("serial") or "") or None
            except EdgeError as exc:
                diagnostics = {"error": str(exc)}
        runs = self.journal.runs(serial=serial, limit=RUNS_INCLUDED)
        with tempfile.TemporaryDirectory(prefix="commissioner-bundle-") as folder:
            activity = Path(folder) / "activity.json"
            export(list(self.activity.entries), activity)
            sources = BundleSources(
                journal=self.journal,
                run_ids=[r.run_id for r in runs],
                diagnostics=diagnostics,
                app_log=default_app_log_path(),
                activity_log=activity,
                settings=self.settings.as_json(),
                extra_secrets=tuple(self.secrets()),
            )

            loop = asyncio.get_running_loop()

            def progress(done: int, total: int, what: str) -> None:  # on the worker thread
                text = f"Support bundle: {what} ({done} of {total})"
                loop.call_soon_threadsafe(self.sig_progress.emit, text)

            result = await asyncio.to_thread(
                write_support_bundle, sources, path, on_progress=progress
            )
        text = f"Support bundle saved: {result.path} ({len(result.files)} files, secrets redacted)"
        self.window.statusBar().showMessage(text, 15000)
        self.sig_done.emit(result)
        return result

    def _on_error(self, exc: BaseException) -> None:
        text = f"Could not write the support bundle: {exc}. Choose another folder and try again."
        self.window.statusBar().showMessage(text, 15000)
        self.sig_failed.emit(text)
