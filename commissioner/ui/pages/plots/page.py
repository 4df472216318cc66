"""Plots page: channels from the consoles' parsers and the THREAD's own telemetry, against time.

Data flows one way. Stream pipelines (Console page) and the :class:`TelemetryPoller` call sample
listeners on the event loop; those only append to numpy rings in :class:`SeriesStore`. A fixed-rate
timer (:data:`REDRAW_MS`) then redraws what is visible, refreshes statistics (one channel per
tick, round-robin, since each costs a pass over its history) and, a few times a second, the
table's values and verdicts. So a flood of samples costs appends, never repaints.

Each channel has an acceptance (expected low, high and interval, edited in the table) judged by a
:class:`ChannelJudge`; :meth:`PlotsPage.verdicts` gives the commissioning workflow pass, out of
range, stale or no data with the reason. Pausing freezes the plots, statistics and exports (new
values wait and are added on resume) while verdicts stay live.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from commissioner.core.connection.session import ConnectionState, ThreadIdentity
from commissioner.core.streams.acceptance import Acceptance, Verdict
from commissioner.core.streams.parsers import Sample
from commissioner.core.streams.pipeline import StreamPipeline
from commissioner.core.telemetry import SOURCE_NAME, TelemetryPoller
from commissioner.ui.pages.plots.channel_table import ChannelTable, Col, edited_acceptance
from commissioner.ui.pages.plots.controls import (
    DEFAULT_TELEMETRY_S,
    DEFAULT_WINDOW_S,
    LIVE_TEXT,
    PlotControls,
)
from commissioner.ui.pages.plots.export import ExportColumn, write_csv
from commissioner.ui.pages.plots.plot_area import PlotArea
from commissioner.ui.pages.plots.series import DEFAULT_CAPACITY, Series, SeriesStore
from commissioner.ui.pages.plots.sources import ConsoleLike, Subscription
from commissioner.ui.session_model import SessionModel
from commissioner.ui.tasks import TaskRunner
from commissioner.ui.widgets.inline_status import InlineStatus, Level

REDRAW_MS = 33  # about 30 redraws a second
TABLE_EVERY = 8  # ticks between table refreshes (about 4 a second)
STATS_BUDGET_MS = 0.75  # statistics work per tick, on average
SIDE_BY_SIDE_WIDTH = 1600  # from this page width the table goes beside the plots
TABLE_WIDTH = 800
TABLE_HEIGHT = 240

EMPTY_HINT = (
    "No channels yet. Open a console with a parser on the Console page, or read the THREAD's "
    "own telemetry (voltages, battery, temperature, pressure, ports) with the selector above."
)

# (caption, suggested file name, filter) -> chosen path or None; tests inject their own.
SavePathChooser = Callable[[str, str, str], Path | None]


def ask_save_path(parent: QWidget) -> SavePathChooser:
    def choose(caption: str, suggested: str, filters: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            parent, caption, str(Path.home() / suggested), filters
        )
        return Path(name) if name else None

    return choose


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


class PlotsPage(QWidget):
    """Live plots. Call :meth:`attach_console` once the Console page exists, :meth:`aclose` at exit."""

    def __init__(
        self,
        model: SessionModel,
        parent: QWidget | None = None,
        *,
        capacity: int = DEFAULT_CAPACITY,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.store = SeriesStore(capacity)
        self.telemetry = TelemetryPoller(
            lambda: model.client, interval_s=DEFAULT_TELEMETRY_S, on_error=model.report_error
        )
        units = {c.name: c.unit for c in self.telemetry.channels}
        self.store.units[SOURCE_NAME] = lambda name: units.get(name, "")
        self.telemetry.add_sample_listener(self._on_telemetry)
        self.sources: dict[str, Subscription] = {}
        self.console: ConsoleLike | None = None
        self.choose_save_path: SavePathChooser = ask_save_path(self)
        self.export_runner = TaskRunner(on_error=self._on_export_error, parent=self)
        self.export_runner.sig_busy_changed.connect(lambda _busy: self._update_enabled())
        self._ticks = 0
        self._stats_turn = 0
        self._stats_allowance = 0.0
        self._hidden: set[str] = set()
        self._split_set = False
        self._build()

        self.timer = QTimer(self)
        self.timer.setInterval(REDRAW_MS)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._on_timer)
        self.timer.start()
        model.sig_state_changed.connect(self._on_state)
        model.sig_identity_changed.connect(self._on_identity)
        self._serial = model.identity.serial_number if model.identity else None
        self._on_state(model.state, model.session.detail)
        self._show_hint()

    # -- building ---------------------------------------------------------------------------------

    def _build(self) -> None:
        title = QLabel("<h2>Plots</h2>")
        self.status = InlineStatus()
        head = QHBoxLayout()
        head.addWidget(title)
        head.addSpacing(12)
        head.addWidget(self.status, 1)

        self.controls = PlotControls()
        c = self.controls
        self.layout_combo, self.window_combo = c.layout_combo, c.window_combo
        self.live_button, self.pause_button = c.live_button, c.pause_button
        self.clear_button, self.telemetry_combo = c.clear_button, c.telemetry_combo
        self.csv_button, self.png_button = c.csv_button, c.png_button
        self.layout_combo.currentIndexChanged.connect(self._on_layout_chosen)
        self.window_combo.currentIndexChanged.connect(self._on_window_chosen)
        self.live_button.toggled.connect(self._on_live_toggled)
        self.pause_button.toggled.connect(self._on_pause_toggled)
        self.clear_button.clicked.connect(self.clear)
        self.telemetry_combo.currentIndexChanged.connect(self._on_telemetry_chosen)
        self.csv_button.clicked.connect(self.export_csv_clicked)
        self.png_button.clicked.connect(self.export_png_clicked)

        self.plot = PlotArea()
        self.plot.sig_follow_changed.connect(self._on_follow_changed)
        self.plot.sig_cursor_moved.connect(lambda _x: self._refresh_values())
        self.plot.set_window(DEFAULT_WINDOW_S)
        self.plot.set_series([])
        self.table = ChannelTable()
        self.table.sig_acceptance_edited.connect(self._on_acceptance_edited)
        self.table.sig_visibility_changed.connect(self._on_visibility_changed)
        self.cursor_label = QLabel("")
        self.cursor_label.setToolTip("Time under the mouse; the table shows each value there")
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.table, 1)
        side_layout.addWidget(self.cursor_label)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.plot)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.controls)
        layout.addWidget(self.splitter, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """The table sits beside the plots when all its columns fit there, else below them."""
        super().resizeEvent(event)
        wide = event.size().width() >= SIDE_BY_SIDE_WIDTH
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if orientation != self.splitter.orientation() or not self._split_set:
            self.splitter.setOrientation(orientation)
            total = self.splitter.width() if wide else self.splitter.height()
            table = TABLE_WIDTH if wide else min(TABLE_HEIGHT, total // 3)
            self.splitter.setSizes([max(1, total - table), table])
            self._split_set = True

    # -- sources ----------------------------------------------------------------------------------

    def attach_console(self, console_page: QObject | ConsoleLike | None) -> None:
        """Plot the parsed channels of every console, following consoles as they open and close.
        Without a Console page (None, or one without pipelines) the page simply has none."""
        if console_page is None or not hasattr(console_page, "pipelines"):
            return
        self.console = console_page
        signal = getattr(console_page, "sig_pipelines_changed", None)
        if signal is not None:
            signal.connect(self._on_pipelines_changed)
        self._on_pipelines_changed()

    def _on_pipelines_changed(self) -> None:
        if self.console is None:
            return
        try:
            current = dict(self.console.pipelines())
        except RuntimeError:  # the page was deleted underneath us
            current = {}
        for name, sub in list(self.sources.items()):
            if current.get(name) is not sub.pipeline:
                self.remove_source(name)
        for name, pipeline in current.items():
            if name not in self.sources:
                self.add_source(name, pipeline)

    def add_source(self, name: str, pipeline: StreamPipeline | Any) -> None:
        """Plot the values ``pipeline`` parses, as channels ``name/<channel>``."""
        if name in self.sources:
            self.remove_source(name)
        sub = Subscription(self.store, name, pipeline)
        self.sources[name] = sub
        self.store.units[name] = sub.unit_of

    def remove_source(self, name: str) -> None:
        """Stop taking values from ``name``; what it gave stays plotted (and turns stale)."""
        sub = self.sources.pop(name, None)
        if sub is not None:
            sub.close()

    def _on_telemetry(self, samples: list[Sample]) -> None:
        self.store.add_samples(SOURCE_NAME, samples)

    def set_telemetry_interval(self, seconds: float | None) -> None:
        """Read the THREAD's telemetry every ``seconds`` (None: off), as if chosen above."""
        index = self.telemetry_combo.findData(seconds)
        if index < 0:
            self.telemetry_combo.addItem(f"every {seconds:g} s", seconds)
            index = self.telemetry_combo.count() - 1
        if index == self.telemetry_combo.currentIndex():
            self._on_telemetry_chosen(index)
        else:
            self.telemetry_combo.setCurrentIndex(index)

    def _on_telemetry_chosen(self, index: int) -> None:
        seconds = self.telemetry_combo.itemData(index)
        self.telemetry.set_interval(seconds)
        if seconds is not None and self.model.state.usable:
            self.telemetry.resume(refresh=True)

    def _on_state(self, state: ConnectionState, _detail: str) -> None:
        if state.usable:
            self.telemetry.resume(refresh=self.telemetry.interval_s is not None)
        else:
            self.telemetry.suspend()

    def _on_identity(self, identity: ThreadIdentity | None) -> None:
        """Another THREAD answers: its telemetry must not continue the previous one's curves."""
        serial = identity.serial_number if identity else None
        if serial is not None and self._serial is not None and serial != self._serial:
            self.store.clear_source(SOURCE_NAME)
            self.status.show_status(
                Level.NONE,
                f"Now THREAD {serial}: the telemetry of THREAD {self._serial} was cleared.",
            )
        if serial is not None:
            self._serial = serial

    # -- what the app, tests and the commissioning workflow use -----------------------------------

    def verdicts(self) -> dict[str, tuple[Verdict, str]]:
        """Every channel's verdict now (``source/channel`` -> (verdict, reason in words))."""
        return self.store.verdicts()

    def series(self, key: str) -> Series:
        series = self.store.get(key)
        if series is None:
            raise KeyError(f"no channel {key!r}; known: {', '.join(self.store.series) or 'none'}")
        return series

    def channel_keys(self) -> list[str]:
        return list(self.store.series)

    def set_acceptance(self, key: str, acceptance: Acceptance) -> None:
        """Judge channel ``key`` against ``acceptance`` (re-judging the values held)."""
        series = self.series(key)
        series.set_acceptance(acceptance)
        sub = self.sources.get(series.source)
        setter = getattr(sub.pipeline, "set_acceptance", None) if sub else None
        if setter is not None:
            setter(series.name, acceptance)  # the console judges alike
        if self.table.has(key):
            self.table.show_acceptance(series)
            self._refresh_verdicts()

    def set_visible(self, key: str, visible: bool) -> None:
        self.series(key)
        self._sync_series()
        self.table.set_visible(key, visible)

    def set_paused(self, paused: bool) -> None:
        self.pause_button.setChecked(paused)

    @property
    def paused(self) -> bool:
        return self.store.paused

    def clear(self) -> None:
        self.store.clear()
        self.tick(force=True)
        self.status.show_status(Level.NONE, "Cleared: plotting from the next value on.")

    # -- the redraw timer -------------------------------------------------------------------------

    def _on_timer(self) -> None:
        if self.isVisible():
            self.tick()

    def tick(self, *, force: bool = False) -> None:
        """One redraw: new channels, curves, one channel's statistics, and (every few ticks or
        with ``force``) the table's values and verdicts. No I/O."""
        self._ticks += 1
        self._sync_series()
        self.plot.redraw(self.store, force=force)
        self._refresh_some_stats(all_of_them=force)
        if force or self._ticks % TABLE_EVERY == 0:
            self._refresh_table()

    def _sync_series(self) -> None:
        known = self.table.keys()
        if len(known) == len(self.store):
            return
        for series in self.store:
            if series.key not in known:
                self.table.add_series(series, visible=series.key not in self._hidden)
        self._show_hint()
        self._apply_visibility()

    def _apply_visibility(self) -> None:
        self.plot.set_series([s for s in self.store if s.key not in self._hidden])

    def _refresh_some_stats(self, *, all_of_them: bool = False) -> None:
        """Statistics of changed channels, round-robin, within a time budget per tick.

        Each refresh is a pass over the channel's history (about 1 ms for a million values), so
        the budget (:data:`STATS_BUDGET_MS` a tick on average) spreads them over ticks instead
        of letting one redraw pay for all.
        """
        if self.store.paused and not all_of_them:
            return
        series = list(self.store)
        if not series:
            return
        if all_of_them:
            for s in series:
                s.refresh_stats()
            return
        self._stats_allowance = min(self._stats_allowance + STATS_BUDGET_MS, 4 * STATS_BUDGET_MS)
        for step in range(len(series)):
            if self._stats_allowance <= 0:
                break
            index = (self._stats_turn + step) % len(series)
            started = time.perf_counter()
            if series[index].refresh_stats():
                self._stats_allowance -= (time.perf_counter() - started) * 1000
                self._stats_turn = (index + 1) % len(series)

    def _refresh_table(self) -> None:
        for series in self.store:
            self.table.show_stats(series)
        self._refresh_values()
        self._refresh_verdicts()
        self._refresh_pause_status()
        for series in self.store:
            series.drop_cache()

    def _refresh_values(self) -> None:
        x = self.plot.cursor_x
        self.table.show_value_header(x is not None)
        for series in self.store:
            if not self.table.has(series.key):
                continue
            if x is None:
                latest = series.ring.latest()
                self.table.show_value(series, latest[1] if latest else None)
            else:
                self.table.show_value(series, series.value_at(x))
        if x is None:
            self.cursor_label.setText("")
        else:
            moment = datetime.fromtimestamp(x).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
            self.cursor_label.setText(f"Cursor at {moment}")

    def _refresh_verdicts(self) -> None:
        for key, (verdict, reason) in self.store.verdicts().items():
            if self.table.has(key):
                self.table.show_verdict(key, verdict, reason)

    # -- controls ---------------------------------------------------------------------------------

    def _on_layout_chosen(self, index: int) -> None:
        self.plot.set_layout_mode(self.layout_combo.itemData(index))
        self.tick(force=True)

    def _on_window_chosen(self, index: int) -> None:
        self.plot.set_window(self.window_combo.itemData(index))
        self.live_button.setChecked(True)
        self.tick(force=True)

    def _on_live_toggled(self, live: bool) -> None:
        self.live_button.setText(LIVE_TEXT[live])  # said in words, not only by the pressed look
        self.plot.set_follow(live)
        self.tick()

    def _on_follow_changed(self, follow: bool) -> None:
        self.live_button.setChecked(follow)

    def _on_pause_toggled(self, paused: bool) -> None:
        if paused:
            self.store.pause()
        else:
            self.store.resume()
        self.pause_button.setText("&Resume" if paused else "&Pause")
        self._refresh_pause_status()
        self.tick(force=not paused)

    def _refresh_pause_status(self) -> None:
        if not self.store.paused:
            if self.status.text().startswith("Paused"):
                self.status.clear_status()
            return
        at = datetime.fromtimestamp(self.store.paused_at or time.time()).strftime("%H:%M:%S")
        waiting = self.store.waiting_values
        text = (
            f"Paused at {at}: plots, statistics and exports hold still; {waiting} new values "
            "wait and are added on Resume. Results stay live."
        )
        if self.store.dropped_while_paused:
            text += f" {self.store.dropped_while_paused} of the oldest waiting were dropped."
        self.status.show_status(Level.NONE, text)

    def _on_visibility_changed(self, key: str, visible: bool) -> None:
        if visible:
            self._hidden.discard(key)
        else:
            self._hidden.add(key)
        self._apply_visibility()
        self.tick(force=True)

    def _on_acceptance_edited(self, key: str, column: int, text: str) -> None:
        series = self.series(key)
        current = series.acceptance
        col = Col(column)
        try:
            acceptance = edited_acceptance(current, col, text)
        except ValueError as exc:
            self.table.show_acceptance(series)
            self.status.error(f"{series.label}: {exc}. The previous value is kept.")
            return
        self.set_acceptance(key, acceptance)
        if self.status.text().startswith("✖"):
            self.status.clear_status()

    def _show_hint(self) -> None:
        if not len(self.store):
            self.status.show_status(Level.NONE, EMPTY_HINT)
        elif self.status.text() == EMPTY_HINT:
            self.status.clear_status()

    def _update_enabled(self) -> None:
        busy = self.export_runner.busy
        self.csv_button.setEnabled(not busy)
        self.png_button.setEnabled(not busy)

    # -- exports ----------------------------------------------------------------------------------

    def export_csv_clicked(self) -> None:
        self.export_runner.run(self.export_csv())

    def export_png_clicked(self) -> None:
        self.export_runner.run(self.export_png())

    def _export_series(self) -> list[Series]:
        shown = [s for s in self.store if s.key not in self._hidden and len(s.ring)]
        return shown or [s for s in self.store if len(s.ring)]

    async def export_csv(self) -> Path | None:
        """Ask where, then write the plotted channels' values (in a worker thread)."""
        chosen = self._export_series()
        if not chosen:
            self.status.warning("Nothing to export yet: no channel has values.")
            return None
        path = self.choose_save_path(
            "Export plot data as CSV", f"plots-{_stamp()}.csv", "CSV files (*.csv)"
        )
        if path is None:
            return None
        columns = [ExportColumn(s.label, *s.ring.arrays()) for s in chosen]
        self.status.working(f"Writing {sum(len(c.t) for c in columns)} values to {path.name}…")
        rows = await asyncio.to_thread(write_csv, path, columns)
        self.status.ok(f"Exported {rows} rows of {len(columns)} channels to {path}.")
        return path

    async def export_png(self) -> Path | None:
        """Ask where, then save the plots as they are shown."""
        path = self.choose_save_path(
            "Export plots as PNG", f"plots-{_stamp()}.png", "PNG images (*.png)"
        )
        if path is None:
            return None
        image = self.plot.view.grab()
        if not image.save(str(path), "PNG"):
            raise OSError(f"could not write {path}")
        self.status.ok(f"Saved the plots to {path}.")
        return path

    def _on_export_error(self, exc: BaseException) -> None:
        self.status.error(f"Export failed: {exc}. Choose another folder and try again.")

    # -- shutdown ---------------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Stop redrawing, polling and listening; safe to call twice."""
        self.timer.stop()
        if self.console is not None:
            signal = getattr(self.console, "sig_pipelines_changed", None)
            if signal is not None:
                with contextlib.suppress(RuntimeError, TypeError):
                    signal.disconnect(self._on_pipelines_changed)
            self.console = None
        for name in list(self.sources):
            self.remove_source(name)
        self.export_runner.cancel_all()
        await self.telemetry.aclose()
        await self.export_runner.wait_idle()
