"""Sleep: a duration, a confirmation naming it, then a countdown until the THREAD answers again.

The session is told to expect the absence, so the whole app shows why the THREAD is away instead
of "lost", and reconnects by itself; this group only waits and reports, and stopping the wait
leaves the THREAD asleep and the session reconnecting.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget

from commissioner.core.edge import rules
from commissioner.core.edge.errors import EdgeValidationError
from commissioner.core.system import Phase, SleepOptions, explanations, format_duration, run_sleep
from commissioner.ui.pages.system.away_progress import AwayProgress
from commissioner.ui.pages.system.group import ActionGroup, Confirm, describe_error, explanation
from commissioner.ui.session_model import SessionModel
from commissioner.ui.widgets.inline_status import Level

UNITS: tuple[tuple[str, int], ...] = (("seconds", 1), ("minutes", 60), ("hours", 3600))


class SleepGroup(ActionGroup):
    def __init__(self, model: SessionModel, confirm: Confirm, parent: QWidget | None = None):
        super().__init__("Sleep", model, confirm, parent)
        self.options = SleepOptions()
        self._sent = False
        self.amount_box = QSpinBox()
        self.amount_box.setRange(1, 9999)
        self.amount_box.setValue(10)
        self.unit_box = QComboBox()
        for name, _seconds in UNITS:
            self.unit_box.addItem(name)
        self.unit_box.setCurrentIndex(1)
        self.sleep_button = QPushButton("&Sleep…")
        self.sleep_button.clicked.connect(self._on_sleep_clicked)
        self.progress = AwayProgress()
        self.progress.sig_stop_requested.connect(lambda: self.cancel())
        self.controls = [self.amount_box, self.unit_box, self.sleep_button]
        row = QHBoxLayout()
        row.addWidget(QLabel("Sleep for:"))
        row.addWidget(self.amount_box)
        row.addWidget(self.unit_box)
        row.addStretch(1)
        row.addWidget(self.sleep_button)
        self.layout_.addLayout(row)
        self.layout_.addWidget(explanation(explanations.SLEEP))
        self.layout_.addWidget(self.progress)
        self.layout_.addWidget(self.status)

    @property
    def duration_ms(self) -> int:
        return self.amount_box.value() * UNITS[self.unit_box.currentIndex()][1] * 1000

    def set_duration(self, amount: int, unit: str = "seconds") -> None:
        self.amount_box.setValue(amount)
        self.unit_box.setCurrentIndex([name for name, _s in UNITS].index(unit))

    def _on_sleep_clicked(self) -> None:
        try:
            duration_ms = rules.sleep_duration(self.duration_ms)
        except EdgeValidationError as exc:
            self.status.error(describe_error(exc))
            return
        words = format_duration(duration_ms / 1000)
        identity = self.model.identity
        who = f"THREAD {identity.serial_number}" if identity else "the THREAD"
        if not self.confirm(
            f"Put the THREAD to sleep for {words}?",
            f"Put {who} to sleep for {words}?\n\nIt will not answer, stream or send data until it "
            "wakes by itself. This app waits and reconnects afterwards; nothing can wake it "
            "early from here.",
        ):
            self.status.show_status(Level.NONE, "Not sent: the THREAD stays awake.")
            return
        self.start(self._sleep(duration_ms, words), f"Sending sleep for {words}…")

    async def _sleep(self, duration_ms: int, words: str) -> None:
        self._sent = False
        client = self.model.require_client()

        def on_sent() -> None:
            self._sent = True
            self.model.session.expect_absence(
                duration_ms / 1000, f"THREAD asleep for {words}; reconnecting when it wakes"
            )

        self.progress.begin(f"Sending sleep for {words}…")
        self.status.clear_status()  # the progress line speaks from here on
        try:
            result = await run_sleep(
                client,
                duration_ms,
                options=self.options,
                on_progress=self.progress.show_progress,
                on_sent=on_sent,
            )
        finally:
            self.progress.finish()
        self.nudge_session()
        if result.same_unit:
            self.status.ok(result.summary())
        else:
            self.status.warning(result.summary())

    def cancelled_text(self) -> str:
        if self._sent:
            return (
                "Stopped waiting. The THREAD sleeps on and wakes by itself; the app reconnects "
                "when it answers."
            )
        last = self.progress.last
        if last is not None and last.phase is Phase.SENDING:
            return "Stopped while the request was on its way: the THREAD may still go to sleep."
        return "Stopped before anything was sent: the THREAD stays awake."
