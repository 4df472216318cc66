"""One console: a source (stream or replay), its pipeline, and the view, sending, parser, capture.

Data flow: the stream's reader calls the :class:`StreamPipeline` (framing, parsing, capture,
counters) on the event loop and never touches a widget. A ~30 Hz timer drains the pipeline's
display queue into the view in one batch; a 4 Hz timer refreshes the counters, the link state and
the capture size. Sending goes the other way: the send bar and macros call :meth:`send_bytes`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path

import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from commissioner.core.serial.stream import SerialStream
from commissioner.core.streams.base import ReconnectingStream, StreamState
from commissioner.core.streams.capture import CaptureEvent, Replayer, read_capture
from commissioner.core.streams.framing import Line
from commissioner.core.streams.parsers import Parser, ParseResult
from commissioner.core.streams.pipeline import StreamPipeline
from commissioner.ui.pages.console.capture_controls import CaptureControls, SpeedCombo, speed_label
from commissioner.ui.pages.console.counters_bar import CountersBar, CounterValues
from commissioner.ui.pages.console.display import DisplayFramer, Kind, ViewLine
from commissioner.ui.pages.console.macro_dialog import MacroDialog
from commissioner.ui.pages.console.macros import Macro, MacroBar, MacroRunner, MacroStore
from commissioner.ui.pages.console.parser_editor import ParseErrorsDialog, ParserEditor
from commissioner.ui.pages.console.send_bar import SendBar
from commissioner.ui.pages.console.sources import ConsoleSource
from commissioner.ui.pages.console.view import ConsoleView
from commissioner.ui.tasks import TaskRunner
from commissioner.ui.widgets.inline_status import InlineStatus, Level

log = logging.getLogger(__name__)

DISPLAY_HZ = 30
COUNTERS_HZ = 4
DISPLAY_LIMIT_BYTES = 512_000  # pending for the screen between two ticks; beyond: dropped, counted
TICK_BYTES = 32_000  # received bytes framed for the screen per tick (~1 MB/s shown at most)

FLOOD_NOTE = (
    "data arrives faster than the screen can show it: only the newest is shown "
    "(see Dropped from display); parsing and capture get every byte"
)
STATE_WORDS = {
    StreamState.IDLE: "Not started",
    StreamState.CONNECTING: "Connecting…",
    StreamState.CONNECTED: "Connected",
    StreamState.RECONNECTING: "Link lost, reconnecting…",
    StreamState.CLOSED: "Closed",
}
STATE_LEVELS = {
    StreamState.IDLE: Level.NONE,
    StreamState.CONNECTING: Level.WORKING,
    StreamState.CONNECTED: Level.OK,
    StreamState.RECONNECTING: Level.WARNING,
    StreamState.CLOSED: Level.NONE,
}


def _next_line_start(data: bytes, offset: int) -> int:
    """Where the first line starting at or after ``offset`` begins (``len(data)`` if none does)."""
    if offset <= 0:
        return 0
    lf = data.find(b"\n", offset - 1)
    cr = data.find(b"\r", offset - 1)
    if cr != -1 and (lf == -1 or cr < lf):
        end = cr + 1 if cr + 1 < len(data) and data[cr + 1] == 0x0A else cr  # CR LF: after the LF
    elif lf != -1:
        end = lf
    else:
        return len(data)
    return end + 1


class ConsoleWidget(QWidget):
    """One console; ``pipeline`` is what other pages (Plots) subscribe to."""

    def __init__(
        self,
        source: ConsoleSource,
        stream: ReconnectingStream | None,
        macros: MacroStore,
        *,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.source = source
        self.stream = stream
        self.title = source.title
        self.pipeline = StreamPipeline(
            display_limit_bytes=DISPLAY_LIMIT_BYTES, source=source.description
        )
        self.framer = DisplayFramer()
        self.replayer: Replayer | None = None
        self.replay_task: asyncio.Task[None] | None = None
        self.last_line: Line | None = None
        self.latest: dict[str, float] = {}
        self._send_lock = asyncio.Lock()
        self._rate_mark = (time.monotonic(), 0)
        self._rate = 0.0
        self._capture_path: Path | None = None
        self._flood_noted = 0.0
        self.runner = TaskRunner(parent=self)
        self.macro_runner = MacroRunner(self.send_bytes, self._on_macro_change)
        self.pipeline.add_batch_listener(self._on_values)

        self._build(macros)
        self.display_timer = QTimer(self)
        self.display_timer.setInterval(1000 // DISPLAY_HZ)
        self.display_timer.timeout.connect(self.refresh_display)
        self.display_timer.start()
        self.counters_timer = QTimer(self)
        self.counters_timer.setInterval(1000 // COUNTERS_HZ)
        self.counters_timer.timeout.connect(self.refresh_counters)
        self.counters_timer.start()
        if stream is not None:
            stream.add_listener(self.pipeline)
        self.refresh_counters()

    # -- building --------------------------------------------------------------------------------

    def _build(self, macros: MacroStore) -> None:
        self.state_status = InlineStatus()
        self.state_status.setWordWrap(False)
        self.source_label = QLabel(f"<b>{self.source.description}</b>")
        self.capture = CaptureControls(lambda: self.title, self.start_capture, self.stop_capture)
        header = QHBoxLayout()
        header.addWidget(self.source_label)
        header.addWidget(self.state_status, 1)
        self.line_buttons: dict[str, QPushButton] = {}
        if isinstance(self.stream, SerialStream):
            for name in ("DTR", "RTS"):
                button = QPushButton(name)
                button.setCheckable(True)
                button.setToolTip(f"Drive the {name} line (checked: on)")
                button.toggled.connect(lambda on, n=name: self._set_line(n, on))
                header.addWidget(button)
                self.line_buttons[name] = button
        self.replay_speed = SpeedCombo()
        self.replay_button = QPushButton("Replay again")
        self.replay_button.clicked.connect(self.replay_again)
        if self.stream is None:  # a replay: nothing new to record
            header.addWidget(self.replay_speed)
            header.addWidget(self.replay_button)
        else:
            header.addWidget(self.capture)

        self.view = ConsoleView()
        self.counters = CountersBar()
        self.send_bar = SendBar(lambda data: self._send_soon(data))
        self.macro_bar = MacroBar(macros, self.macro_clicked, self.edit_macros)
        self.parser_editor = ParserEditor(
            self.set_parser, lambda: self.last_line, self.inspect_errors
        )
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.view, 1)
        left_layout.addWidget(self.counters)
        left_layout.addWidget(self.send_bar)
        left_layout.addWidget(self.macro_bar)
        for widget in (self.send_bar, self.macro_bar):
            widget.setVisible(self.source.can_send)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.parser_editor)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([900, 320])
        splitter.setChildrenCollapsible(False)
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(header)
        layout.addWidget(splitter, 1)

    # -- life --------------------------------------------------------------------------------------

    def start(self, events: list[CaptureEvent] | None = None) -> None:
        """Begin streaming, or replaying (``events`` already read, or read now); returns at once."""
        if self.stream is not None:
            self.stream.start()
        else:
            self.start_replay(self.source.speed, events)

    def start_replay(self, speed: float, events: list[CaptureEvent] | None = None) -> None:
        """Replay the capture from its start through the pipeline (counters keep counting).

        Reads the capture unless ``events`` are given; OSError/CaptureFormatError when it cannot.
        """
        if self.source.capture is None:
            return
        if events is None:
            events = read_capture(self.source.capture)
        if self.replay_task is not None:
            self.replay_task.cancel()
        self.replayer = Replayer(events, speed=speed, listener=self.pipeline)
        self.replay_speed.set_speed(speed)
        self.state_status.working(f"Replaying {len(events)} events ({speed_label(speed).lower()})")
        self.replay_task = asyncio.ensure_future(self._run_replay(self.replayer))

    def replay_again(self) -> None:
        try:
            self.start_replay(self.replay_speed.speed)
        except (OSError, ValueError) as exc:  # moved, deleted or damaged since it was opened
            self.state_status.error(f"Cannot replay: {exc}")

    async def _run_replay(self, replayer: Replayer) -> None:
        try:
            await replayer.run()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a damaged capture: say so, keep what was shown
            log.warning("replay failed", exc_info=exc)
            self.state_status.error(f"Replay stopped: {exc}")
            return
        self.pipeline.flush()  # the capture's last line, even without its delimiter
        self.state_status.ok(f"Replay finished: {replayer.total} events")

    async def aclose(self) -> None:
        """Stop macros, replay, stream and capture, then the timers. Safe to call twice.

        Works after the widgets are gone too (Qt may delete them first at shutdown): the I/O is
        closed before any widget is touched.
        """
        await self.macro_runner.aclose()
        self.runner.cancel_all()
        await self.runner.wait_idle()
        if self.replay_task is not None:
            self.replay_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.replay_task
        if self.stream is not None:
            await self.stream.aclose()
            self.stream.remove_listener(self.pipeline)
        alive = shiboken6.isValid(self)
        capture = self.pipeline.capture
        self.pipeline.stop_capture()
        if alive:
            self.display_timer.stop()
            self.counters_timer.stop()
            if capture is not None:
                self.capture.show_stopped(capture.path_log, capture.bytes_written)

    # -- display -------------------------------------------------------------------------------------

    def refresh_display(self) -> None:
        """Drain the pipeline's display queue into the view (the 30 Hz tick; tests call it too)."""
        items = self.pipeline.drain_display()
        if items:
            rx_total = sum(len(i.data) for i in items if i.kind == "rx")
            skip = rx_total - TICK_BYTES
            lines: list[ViewLine] = []
            if skip > 0:
                self.framer.clear()  # no line is joined across the bytes left out
                now = time.time()
                if now - self._flood_noted > 2.0:  # once per flood, not every tick
                    lines.append(ViewLine(Kind.STATE, now, note=FLOOD_NOTE))
                self._flood_noted = now
            for item in items:
                data = item.data
                if item.kind == "rx":
                    if skip > 0:  # the oldest of a flood: counted, not drawn
                        if skip >= len(data):
                            skip -= len(data)
                            self.view.dropped_bytes += len(data)
                            continue
                        start = _next_line_start(data, skip)  # the tail, from a whole line
                        self.view.dropped_bytes += start
                        skip = 0
                        data = data[start:]
                    if data:
                        self._remember_last_line(data, item.t)
                    else:
                        continue
                lines.extend(self.framer.feed(item.kind, item.t, data, item.text))
            self.view.add_lines(lines)
        self.view.add_lines(self.framer.flush_stale(time.time()))
        self.view.render_pending()

    def _remember_last_line(self, data: bytes, t: float) -> None:
        parts = data.rstrip(b"\r\n").rsplit(b"\n", 1)
        last = parts[-1].strip(b"\r")
        if last:
            self.last_line = Line(last, t, 0)

    # -- counters ---------------------------------------------------------------------------------------

    def counter_values(self) -> CounterValues:
        c = self.pipeline.counters
        return CounterValues(
            bytes_in=c.bytes_in,
            bytes_out=c.bytes_out,
            lines=c.lines,
            parsed=c.parsed,
            parse_errors=c.parse_errors,
            reconnects=c.reconnects,
            gaps=c.gaps,
            display_dropped_bytes=c.display_dropped_bytes + self.view.dropped_bytes,
            rate_bps=self._rate,
        )

    def refresh_counters(self) -> None:
        now = time.monotonic()
        then, before = self._rate_mark
        bytes_in = self.pipeline.counters.bytes_in
        if now - then >= 0.9:
            self._rate = (bytes_in - before) / (now - then)
            self._rate_mark = (now, bytes_in)
        self.counters.show_values(self.counter_values())
        self._show_state()
        capture = self.pipeline.capture
        if capture is not None:
            self.capture.show_capture(capture.path_log, capture.bytes_written)
        elif self.capture.recording:  # the pipeline stopped it: a full disk, a removed drive
            self.capture.show_capture(None, 0)
            self.capture.size_label.setText(f"✖ {self.pipeline.capture_error}")
        for name in self.macro_bar.buttons:
            running = self.macro_runner.running(name)
            self.macro_bar.show_running(name, running, self.macro_runner.sent.get(name, 0))
        self._show_latest()
        self.view.refresh_match_count()  # new lines may match the search

    def _show_state(self) -> None:
        stream = self.stream
        if stream is None:
            return
        state = stream.state
        text = STATE_WORDS.get(state, state.value)
        if state in (StreamState.CONNECTING, StreamState.RECONNECTING) and stream.last_error:
            text += f" (last attempt: {stream.last_error})"
        self.send_bar.send_button.setEnabled(state is StreamState.CONNECTED)
        if not self.state_status.text().endswith(text):
            self.state_status.show_status(STATE_LEVELS.get(state, Level.NONE), text)

    def _on_values(self, result: ParseResult) -> None:
        # runs on the loop per chunk: O(channels), the newest value of each (no Sample objects)
        for name, values in result.values.items():
            if len(values):
                self.latest[name] = float(values[-1])

    def _show_latest(self) -> None:
        parser = self.pipeline.parser
        units = {c.name: c.unit for c in parser.channels} if parser is not None else {}
        self.parser_editor.show_latest(
            {name: (value, units.get(name, "")) for name, value in self.latest.items()}
        )

    # -- parser --------------------------------------------------------------------------------------------

    def set_parser(self, parser: Parser | None) -> None:
        self.pipeline.set_parser(parser)
        self.latest.clear()

    def inspect_errors(self) -> ParseErrorsDialog:
        dialog = ParseErrorsDialog(lambda: list(self.pipeline.recent_errors), self)
        dialog.open()
        return dialog

    # -- capture --------------------------------------------------------------------------------------------

    def start_capture(self, base_path: Path) -> None:
        try:
            # the save dialog already asked before replacing a file
            self.pipeline.start_capture(base_path, overwrite=True)
        except OSError as exc:
            self.capture.size_label.setText(f"✖ Not recording: {exc.strerror or exc}")
            return
        capture = self.pipeline.capture
        if capture is not None:
            self._capture_path = capture.path_log
            self.capture.show_capture(capture.path_log, capture.bytes_written)

    def stop_capture(self) -> None:
        capture = self.pipeline.capture
        if capture is None:
            return
        size = capture.bytes_written
        self.pipeline.stop_capture()
        self.capture.show_stopped(self._capture_path, size)

    # -- sending ------------------------------------------------------------------------------------------------

    async def send_bytes(self, data: bytes) -> None:
        """Send to the device, in order; raises StreamNotConnected (and shows it) when down."""
        if self.stream is None:
            raise RuntimeError("a replay cannot send")
        async with self._send_lock:
            await self.stream.send(data)

    def _send_soon(self, data: bytes) -> None:
        def failed(exc: BaseException) -> None:
            self.send_bar.status.error(f"Not sent: {exc}")

        self.send_bar.status.clear_status()
        self.runner.run(self.send_bytes(data), on_error=failed, exclusive=False)

    def macro_clicked(self, macro: Macro) -> None:
        if self.macro_runner.running(macro.name):
            self.macro_runner.stop(macro.name)
        else:
            self.run_macro(macro)

    def run_macro(self, macro: Macro) -> asyncio.Task[None]:
        self.send_bar.status.clear_status()
        return self.macro_runner.start(macro)

    def _on_macro_change(self, name: str, outcome: str) -> None:
        running = self.macro_runner.running(name)
        self.macro_bar.show_running(name, running, self.macro_runner.sent.get(name, 0))
        if outcome:
            failed = "stopped:" in outcome
            self.send_bar.status.show_status(Level.ERROR if failed else Level.OK, outcome)

    def edit_macros(self) -> MacroDialog:
        store = self.macro_bar.store
        dialog = MacroDialog(store.macros, self)
        dialog.accepted.connect(lambda: store.set_macros(dialog.macros()))
        dialog.open()
        return dialog

    def _set_line(self, name: str, on: bool) -> None:
        stream = self.stream
        if not isinstance(stream, SerialStream):
            return

        def failed(exc: BaseException) -> None:
            self.send_bar.status.error(f"{name} not set: {exc}")

        coro = stream.set_lines(dtr=on) if name == "DTR" else stream.set_lines(rts=on)
        self.runner.run(coro, on_error=failed, exclusive=False)
