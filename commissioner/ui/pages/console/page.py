"""The Console page: several consoles at once, one tab each, on THREAD ports or local serial ports.

"New console…" asks for the source; "Replay capture…" opens a capture in its own tab. Every
console exposes its :class:`StreamPipeline` (the Plots page subscribes to their samples through
:meth:`ConsolePage.pipelines` and ``sig_pipelines_changed``). Call :meth:`aclose` on shutdown: it
closes every stream, capture and replay.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

import shiboken6
from platformdirs import user_documents_dir
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from commissioner.core.connection.session import ConnectionState
from commissioner.core.edge.port_stream import EdgePortStream
from commissioner.core.serial.ports import PortWatcher
from commissioner.core.serial.stream import SerialStream
from commissioner.core.streams.base import ReconnectingStream
from commissioner.core.streams.capture import CaptureEvent, CaptureFormatError, read_capture
from commissioner.core.streams.pipeline import StreamPipeline
from commissioner.ui.pages.console.capture_controls import CAPTURE_FILTER, SpeedCombo
from commissioner.ui.pages.console.console_widget import ConsoleWidget
from commissioner.ui.pages.console.macros import MacroStore
from commissioner.ui.pages.console.source_dialog import SourceDialog
from commissioner.ui.pages.console.sources import ConsoleSource, SourceKind
from commissioner.ui.session_model import SessionModel
from commissioner.ui.widgets.inline_status import InlineStatus

log = logging.getLogger(__name__)

EMPTY_TEXT = (
    "<h3>No console open</h3>"
    "<p>Open a console on a THREAD port (the device attached to it) or on a serial adapter "
    "plugged into this computer. Several can be open at once, each in its own tab.</p>"
    "<p>Each console shows what arrives (text, hex or both, with receive times), sends lines "
    "and macros, parses values, and records to a capture file you can replay later.</p>"
)


class ConsolePage(QWidget):
    """Serial consoles. ``pipelines()`` maps each console's title to its pipeline."""

    sig_pipelines_changed = Signal()

    def __init__(
        self,
        model: SessionModel,
        parent: QWidget | None = None,
        *,
        macros_path: Path | None = None,
        serial_extra_paths: tuple[str, ...] = (),
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.macros = MacroStore(macros_path, parent=self)
        self.serial_extra_paths = serial_extra_paths
        self.consoles: list[ConsoleWidget] = []
        self.watcher: PortWatcher | None = None
        self.dialog: SourceDialog | None = None
        self._closing: set[asyncio.Task[None]] = set()
        self.capture_folder = Path(user_documents_dir())

        title = QLabel("<h2>Console</h2>")
        self.new_button = QPushButton("&New console…")
        self.new_button.setToolTip("Open a console on a THREAD port or a local serial port")
        self.new_button.clicked.connect(self.new_console_clicked)
        self.replay_button = QPushButton("Replay capture…")
        self.replay_button.setToolTip("Open a capture file and play it back in a new console")
        self.replay_button.clicked.connect(self.replay_clicked)
        self.replay_speed = SpeedCombo()
        self.ask_open_path: Callable[[], Path | None] = self._ask_open_path
        self.status = InlineStatus()
        bar = QHBoxLayout()
        bar.addWidget(title)
        bar.addSpacing(12)
        bar.addWidget(self.status, 1)
        bar.addStretch(0)
        bar.addWidget(self.new_button)
        bar.addSpacing(12)
        bar.addWidget(self.replay_button)
        bar.addWidget(QLabel("at"))
        bar.addWidget(self.replay_speed)

        self.tabs = QTabWidget()
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.tabCloseRequested.connect(lambda index: self.close_console_at(index))
        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setWordWrap(True)
        self.empty.setMaximumWidth(640)
        empty_box = QWidget()
        empty_layout = QVBoxLayout(empty_box)
        empty_layout.addStretch(1)
        empty_layout.addWidget(self.empty)
        empty_layout.addStretch(2)
        self.stack = QStackedWidget()
        self.stack.addWidget(empty_box)
        self.stack.addWidget(self.tabs)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        model.sig_state_changed.connect(self._on_state_changed)

    # -- what the app and the Plots page use --------------------------------------------------------

    def pipelines(self) -> dict[str, StreamPipeline]:
        return {console.title: console.pipeline for console in self.consoles}

    def console(self, title: str) -> ConsoleWidget:
        return next(c for c in self.consoles if c.title == title)

    # -- opening ------------------------------------------------------------------------------------

    def new_console_clicked(self) -> SourceDialog:
        if self.watcher is None:
            self.watcher = PortWatcher(extra_paths=self.serial_extra_paths)
            self.watcher.start()
        identity = self.model.identity
        dialog = SourceDialog(
            thread_available=self._thread_url() is not None,
            thread_name=f"THREAD {identity.serial_number}" if identity else "",
            watcher=self.watcher,
            parent=self,
        )
        dialog.accepted.connect(lambda: self.open_console(dialog.source()))
        dialog.finished.connect(lambda _result: self._dialog_closed())
        self.dialog = dialog
        dialog.open()
        return dialog

    def _dialog_closed(self) -> None:
        self.dialog = None
        watcher, self.watcher = self.watcher, None
        if watcher is not None:
            self._track(asyncio.ensure_future(watcher.aclose()))

    def _ask_open_path(self) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Replay capture", str(self.capture_folder), CAPTURE_FILTER
        )
        return Path(name) if name else None

    def replay_clicked(self) -> ConsoleWidget | None:
        """Ask for a capture (``ask_open_path``) and replay it at the chosen speed in a new tab."""
        path = self.ask_open_path()
        if path is None:
            return None
        self.capture_folder = path.parent
        if path.suffix.lower() == ".bin":
            path = path.with_suffix(".log")
        return self.open_replay(path, self.replay_speed.speed)

    def _thread_url(self) -> str | None:
        client = self.model.session.client
        return client.base_url if client is not None and self.model.state.usable else None

    def make_stream(self, source: ConsoleSource) -> ReconnectingStream | None:
        if source.kind is SourceKind.THREAD:
            url = self._thread_url()
            if url is None:
                raise ConnectionError("connect to a THREAD first (Connection page)")
            return EdgePortStream(url, source.thread_port)
        if source.kind is SourceKind.SERIAL:
            assert source.serial is not None
            in_use = [
                c
                for c in self.consoles
                if c.source.serial and c.source.serial.port == source.serial.port
            ]
            if in_use:
                raise ConnectionError(
                    f"{source.serial.port} is already open in '{in_use[0].title}'"
                )
            return SerialStream(source.serial)
        return None

    def open_console(self, source: ConsoleSource) -> ConsoleWidget | None:
        """Open a console tab on ``source`` and start it; None (and why, inline) if it cannot."""
        events: list[CaptureEvent] | None = None
        try:
            stream = self.make_stream(source)
            if source.kind is SourceKind.REPLAY and source.capture is not None:
                events = read_capture(source.capture)  # a missing or damaged file: said now
        except (ConnectionError, OSError, CaptureFormatError) as exc:
            self.status.error(f"Console not opened: {exc}.")
            return None
        console = ConsoleWidget(source, stream, self.macros)
        console.title = self._unique_title(source.title)
        self.consoles.append(console)
        index = self.tabs.addTab(console, console.title)
        self.tabs.setTabToolTip(index, source.description)
        self.tabs.setCurrentIndex(index)
        self.stack.setCurrentWidget(self.tabs)
        self.status.clear_status()
        console.start(events)
        self.sig_pipelines_changed.emit()
        return console

    def open_replay(self, log_path: Path, speed: float) -> ConsoleWidget | None:
        return self.open_console(ConsoleSource.replay(log_path, speed))

    def _unique_title(self, base: str) -> str:
        titles = {c.title for c in self.consoles}
        title, n = base, 2
        while title in titles:
            title, n = f"{base} ({n})", n + 1
        return title

    # -- closing ------------------------------------------------------------------------------------

    def close_console_at(self, index: int) -> asyncio.Task[None] | None:
        console = self.tabs.widget(index)
        if not isinstance(console, ConsoleWidget):
            return None
        return self.close_console(console)

    def close_console(self, console: ConsoleWidget) -> asyncio.Task[None]:
        """Remove the tab at once; the stream and capture close in the background."""
        if console in self.consoles:
            self.consoles.remove(console)
        index = self.tabs.indexOf(console)
        if index >= 0:
            self.tabs.removeTab(index)
        if not self.consoles:
            self.stack.setCurrentIndex(0)
        self.sig_pipelines_changed.emit()

        async def close() -> None:
            await console.aclose()
            if shiboken6.isValid(console):
                console.deleteLater()

        return self._track(asyncio.ensure_future(close()))

    def _track(self, task: asyncio.Future[None]) -> asyncio.Task[None]:
        assert isinstance(task, asyncio.Task)
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)
        return task

    async def aclose(self) -> None:
        """Close every console (streams, captures, replays) and the port watcher.

        The I/O is closed even when Qt has already deleted the widgets (at shutdown, in tests).
        """
        alive = shiboken6.isValid(self)
        if alive and self.dialog is not None and shiboken6.isValid(self.dialog):
            self.dialog.reject()
        consoles, self.consoles = list(self.consoles), []
        for console in consoles:
            if alive:
                index = self.tabs.indexOf(console)
                if index >= 0:
                    self.tabs.removeTab(index)
            self._closing.add(asyncio.ensure_future(console.aclose()))
        if alive and consoles:
            self.stack.setCurrentIndex(0)
            self.sig_pipelines_changed.emit()
        watcher, self.watcher = self.watcher, None
        if watcher is not None:
            await watcher.aclose()
        while self._closing:
            tasks = list(self._closing)
            self._closing.difference_update(tasks)
            for result in await asyncio.gather(*tasks, return_exceptions=True):
                if isinstance(result, Exception):
                    log.warning("closing a console failed", exc_info=result)

    # -- connection ---------------------------------------------------------------------------------

    def _on_state_changed(self, state: ConnectionState, _detail: str) -> None:
        threads = [c for c in self.consoles if c.source.kind is SourceKind.THREAD]
        if state is ConnectionState.DISCONNECTED and threads:
            self.status.warning(
                "Disconnected from the THREAD: its port consoles keep retrying until you close them."
            )
        elif state.usable:
            self.status.clear_status()
