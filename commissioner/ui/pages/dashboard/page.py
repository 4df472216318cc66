"""Dashboard page: every health value of the connected THREAD, live, with age and verdicts.

Data flows one way: :class:`HealthPoller` (core, asyncio) reads everything concurrently each
interval and hands a snapshot to :meth:`DashboardPage._on_snapshot`, which updates the tiles once
per round. A 1 s QTimer only re-computes ages and staleness, without I/O. The poller runs while
the session is CONNECTED and is suspended otherwise, so a lost THREAD is not hammered and its last
values stay on screen, ageing into "stale" until it is back.
"""

from __future__ import annotations

import time
from datetime import datetime

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from commissioner.core.connection.session import ConnectionState, ThreadIdentity
from commissioner.core.edge.errors import EdgeError
from commissioner.core.health import (
    CATALOGUE,
    Group,
    HealthPoller,
    HealthSnapshot,
    StalenessPolicy,
    Verdict,
    assess,
    describe_offset,
    format_interval,
)
from commissioner.ui.pages.dashboard.cards import Card, CardFlow
from commissioner.ui.pages.dashboard.tile import ReadingTile
from commissioner.ui.session_model import SessionModel
from commissioner.ui.tasks import TaskRunner
from commissioner.ui.widgets.inline_status import InlineStatus, Level

INTERVALS: tuple[tuple[str, float | None], ...] = (
    ("1 s", 1.0),
    ("2 s", 2.0),
    ("5 s", 5.0),
    ("10 s", 10.0),
    ("30 s", 30.0),
    ("Paused", None),
)
DEFAULT_INTERVAL_S = 5.0
SYNC_NEXT_STEP = "Check the connection and try again."


def _count(n: int, noun: str) -> str:
    return "" if n == 0 else f"{n} {noun}" + ("" if n == 1 else "s")


class DashboardPage(QWidget):
    """Live health of the THREAD in use. Call :meth:`aclose` when the app shuts down."""

    def __init__(self, model: SessionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.staleness = StalenessPolicy()
        self.poller = HealthPoller(
            lambda: model.client, interval_s=DEFAULT_INTERVAL_S, on_error=model.report_error
        )
        self.poller.add_listener(self._on_snapshot)
        self.refresh_runner = TaskRunner(on_error=self._on_refresh_error, parent=self)
        self.sync_runner = TaskRunner(on_error=self._on_sync_error, parent=self)
        self.refresh_runner.sig_busy_changed.connect(lambda _busy: self._update_enabled())
        self.sync_runner.sig_busy_changed.connect(lambda _busy: self._update_enabled())
        self._serial: str | None = None
        self._tiles: dict[str, ReadingTile] = {}
        self._build()

        self.ticker = QTimer(self)
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self.tick)
        self.ticker.start()
        model.sig_state_changed.connect(self._on_state)
        model.sig_identity_changed.connect(self._on_identity)
        identity = model.identity
        self._serial = identity.serial_number if identity else None
        self._on_state(model.state, model.session.detail)

    # -- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        title = QLabel("<h2>Dashboard</h2>")
        subtitle = QLabel("Live health of the connected THREAD. Highlighted values need attention.")
        subtitle.setWordWrap(True)
        self.interval_combo = QComboBox()
        for text, seconds in INTERVALS:
            self.interval_combo.addItem(text, seconds)
        self.interval_combo.setCurrentIndex(self._interval_index(DEFAULT_INTERVAL_S))
        self.interval_combo.setToolTip("How often every value is read from the THREAD")
        self.interval_combo.currentIndexChanged.connect(self._on_interval_chosen)
        interval_label = QLabel("Refresh &every")
        interval_label.setBuddy(self.interval_combo)
        self.refresh_button = QPushButton("&Refresh now")
        self.refresh_button.clicked.connect(self.refresh_clicked)
        self.status = InlineStatus()

        bar = QHBoxLayout()
        bar.addWidget(interval_label)
        bar.addWidget(self.interval_combo)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.status, 1)

        self.sync_button = QPushButton("&Sync THREAD time to this laptop")
        self.sync_button.setToolTip("Set the THREAD's clock to this computer's clock (UTC)")
        self.sync_button.clicked.connect(self.sync_clicked)
        self.sync_status = InlineStatus()
        cards = []
        for group in Group:
            tiles = [ReadingTile(spec) for spec in CATALOGUE if spec.group is group]
            self._tiles.update({tile.key: tile for tile in tiles})
            extras = [self.sync_button, self.sync_status] if group is Group.CLOCK else []
            cards.append(Card(group.value, tiles, extras))
        self.flow = CardFlow(cards)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.flow)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addLayout(bar)
        layout.addWidget(scroll, 1)

    # -- what tests and the app use ------------------------------------------------------------

    def tile(self, key: str) -> ReadingTile:
        return self._tiles[key]

    @property
    def tiles(self) -> dict[str, ReadingTile]:
        return dict(self._tiles)

    def set_interval(self, seconds: float | None) -> None:
        """Choose the refresh interval (None pauses), as if picked in the selector."""
        index = self._interval_index(seconds)
        if index < 0:  # a custom interval (tests, settings): offer it in the selector too
            self.interval_combo.insertItem(0, f"{seconds:g} s", seconds)
            index = 0
        if index == self.interval_combo.currentIndex():
            self._on_interval_chosen(index)
        else:
            self.interval_combo.setCurrentIndex(index)

    def tick(self) -> None:
        """Re-compute ages and staleness (the 1 s timer calls this; no I/O)."""
        now = time.monotonic()
        stale_after = self.staleness.stale_after(self.poller.interval_s)
        for tile in self._tiles.values():
            tile.refresh_age(now, stale_after)

    def stale_keys(self) -> list[str]:
        return [key for key, tile in self._tiles.items() if tile.is_stale()]

    async def aclose(self) -> None:
        """Stop the ticker, the poller and any running action; safe to call twice."""
        self.ticker.stop()
        self.refresh_runner.cancel_all()
        self.sync_runner.cancel_all()
        await self.poller.aclose()
        await self.refresh_runner.wait_idle()
        await self.sync_runner.wait_idle()

    # -- state -----------------------------------------------------------------------------------

    def _interval_index(self, seconds: float | None) -> int:
        for index in range(self.interval_combo.count()):
            if self.interval_combo.itemData(index) == seconds:
                return index
        return -1

    def _on_interval_chosen(self, index: int) -> None:
        seconds = self.interval_combo.itemData(index)
        self.poller.set_interval(seconds)
        self.tick()
        if seconds is None and self.model.state.usable:
            self.status.show_status(
                Level.NONE, "Paused: values are not updating. Use Refresh now to read them."
            )

    def _update_enabled(self) -> None:
        usable = self.model.state.usable
        self.interval_combo.setEnabled(usable)
        self.refresh_button.setEnabled(usable and not self.refresh_runner.busy)
        self.sync_button.setEnabled(usable and not self.sync_runner.busy)
        for card in self.flow.cards:
            card.setEnabled(usable)

    def _on_state(self, state: ConnectionState, detail: str) -> None:
        self._update_enabled()
        if state.usable:
            self.poller.resume(refresh=True)
            self.status.working("Reading the THREAD's health…")
            return
        self.poller.suspend()
        if state.attached:
            self.status.error(
                f"{detail.rstrip('.…')}. The values below are from before it went away and "
                "turn stale; they refresh by themselves when it answers again."
            )
        else:
            self.status.warning(
                "Not connected: connect to a THREAD on the Connection page to see its health."
            )

    def _on_identity(self, identity: ThreadIdentity | None) -> None:
        serial = identity.serial_number if identity else None
        if identity is None or serial != self._serial:
            # Forget values of another (or no) THREAD rather than show them as this one's.
            self.poller.clear()
            self._show_latest(show_errors=False)
            self.sync_status.clear_status()
        self._serial = serial

    def _show_latest(self, *, show_errors: bool) -> None:
        for key, tile in self._tiles.items():
            reading = self.poller.latest.get(key)
            if reading is not None:
                tile.show_reading(reading, assess(reading), show_error=show_errors)
        self.tick()
        self.flow.remeasure()

    def _on_snapshot(self, snapshot: HealthSnapshot) -> None:
        # A THREAD that is away entirely is said once, in the page status, not on every tile.
        per_tile = self.model.state.usable and not snapshot.all_failed
        self._show_latest(show_errors=per_tile)
        if not self.model.state.usable:
            return  # the state message (lost, reconnecting) says more than this round
        failed = snapshot.failed
        if snapshot.all_failed:
            first = snapshot.errors[0] if snapshot.errors else None
            self.status.error(
                f"Could not read the THREAD: {first}. Showing the last good values; "
                "the next refresh tries again."
            )
            return
        if failed:
            self.status.warning(
                f"{len(failed)} of {len(snapshot.readings)} values could not be read "
                f"({failed[0].label}: {failed[0].error}). Showing the last good values; "
                "the next refresh tries again."
            )
            return
        verdicts = [t.verdict for t in self._tiles.values()]
        alarms, warnings = verdicts.count(Verdict.ALARM), verdicts.count(Verdict.WARNING)
        when = datetime.now().strftime("%H:%M:%S")
        every = format_interval(self.poller.interval_s)
        text = f"All {len(snapshot.readings)} values read at {when}, {every}."
        if alarms or warnings:
            counts = [_count(alarms, "alarm"), _count(warnings, "warning")]
            text += f" Needs attention: {', '.join(c for c in counts if c)}, highlighted below."
            if alarms:
                self.status.error(text)
            else:
                self.status.warning(text)
        else:
            self.status.ok(text)

    # -- actions -------------------------------------------------------------------------------

    def refresh_clicked(self) -> None:
        self.refresh_runner.run(self._refresh())

    async def _refresh(self) -> None:
        self.status.working("Reading the THREAD's health…")
        if await self.poller.refresh_now() is None:
            # No round (not connected, or dropped because the THREAD went): say the state's why.
            self._on_state(self.model.state, self.model.session.detail)

    def _on_refresh_error(self, exc: BaseException) -> None:
        self.model.report_error(exc)
        self.status.error(f"Could not refresh: {exc}")

    def sync_clicked(self) -> None:
        self.sync_runner.run(self._sync_time())

    async def _sync_time(self) -> None:
        self.sync_status.working("Setting the THREAD's clock to this laptop's…")
        client = self.model.require_client()
        await client.set_time()
        clock = await client.get_time()
        offset = describe_offset(clock.offset_s)
        where = "with" if offset == "in sync" else "compared with"
        self.sync_status.ok(f"THREAD clock set: now {offset} {where} this laptop.")
        await self.poller.refresh_now(fresh=True)

    def _on_sync_error(self, exc: BaseException) -> None:
        self.model.report_error(exc)
        reason = str(exc) if isinstance(exc, EdgeError) else f"unexpected error ({exc!r})"
        # Unreachable errors already say what to do; rejections and the rest do not.
        next_step = "" if "try again" in reason.lower() else f" {SYNC_NEXT_STEP}"
        text = f"Could not set the THREAD's clock: {reason.rstrip('.')}.{next_step}"
        self.sync_status.error(text)
