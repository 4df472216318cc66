"""One health value as a tile: label, value and unit, age, and what is wrong with it, in words.

Why so much in a small box: the installer must be able to trust a number at a glance. So the tile
says how old the value is, dims it and says "stale" when it stopped updating, and spells out the
verdict (never colour alone) together with what to do. Colours come from palette roles, plus the
fixed semantic hues of :mod:`inline_status`, so light and dark palettes both read well.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from commissioner.core.health import Assessment, Reading, ReadingSpec, Verdict, format_age
from commissioner.core.health.readings import empty_reading
from commissioner.ui.widgets.inline_status import COLOURS, Level

VERDICT_LEVEL = {Verdict.WARNING: Level.WARNING, Verdict.ALARM: Level.ERROR}
VERDICT_PREFIX = {Verdict.WARNING: "⚠ Warning: ", Verdict.ALARM: "✖ Alarm: "}
_ROLE_NORMAL = QPalette.ColorRole.WindowText
_ROLE_MUTED = QPalette.ColorRole.PlaceholderText


class ReadingTile(QFrame):
    """Shows one :class:`Reading`; the page feeds it readings and ticks its age."""

    def __init__(self, spec: ReadingSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.setObjectName("readingTile")
        self.reading: Reading = empty_reading(spec.key)
        self.assessment = Assessment(Verdict.OK)
        self._stale = False
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(140)

        self.title_label = QLabel(spec.label)
        title_font = QFont(self.title_label.font())
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        self.title_label.setWordWrap(True)
        self.age_label = QLabel("never read")
        self.age_label.setForegroundRole(_ROLE_MUTED)
        self.value_label = QLabel("—")
        value_font = QFont(self.value_label.font())
        value_font.setPointSizeF(value_font.pointSizeF() * 1.6)
        self.value_label.setFont(value_font)
        self.value_label.setWordWrap(True)  # "95.0 s behind" wraps rather than truncates
        self.value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail_label = QLabel()
        self.detail_label.setWordWrap(True)
        self.detail_label.setForegroundRole(_ROLE_MUTED)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setVisible(False)

        # The age sits at the foot so titles get the full width, and ages line up along a row.
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(2)
        layout.addWidget(self.title_label)
        layout.addWidget(self.value_label)
        layout.addWidget(self.detail_label)
        layout.addWidget(self.status_label)
        layout.addStretch(1)
        layout.addWidget(self.age_label)
        self._restyle()

    # -- what tests and the page read ----------------------------------------------------------

    @property
    def key(self) -> str:
        return self.spec.key

    def value_text(self) -> str:
        return self.value_label.text()

    def age_text(self) -> str:
        return self.age_label.text()

    def status_text(self) -> str:
        """The verdict's reason or the read failure, as shown (empty when all is well)."""
        return self.status_label.text() if self.status_label.isVisibleTo(self) else ""

    def is_stale(self) -> bool:
        return self._stale

    @property
    def verdict(self) -> Verdict:
        return self.assessment.verdict

    # -- updates ---------------------------------------------------------------------------------

    def show_reading(
        self, reading: Reading, assessment: Assessment, *, show_error: bool = True
    ) -> None:
        """A new round came in (the value may be older if this read failed).

        ``show_error`` is False when the whole THREAD is away: the page says so once, rather
        than every tile repeating it.
        """
        self.reading = reading
        self.assessment = assessment
        self.value_label.setText(reading.display())
        self.detail_label.setText(reading.detail)
        self.detail_label.setVisible(bool(reading.detail))
        self.value_label.setToolTip(reading.detail)
        self._show_status(show_error and reading.failed)
        self._restyle()
        self.setAccessibleName(f"{self.spec.group.value} {self.spec.label}: {reading.display()}")
        self.setAccessibleDescription(self.status_text())

    def refresh_age(self, now: float, stale_after: float) -> None:
        """Called every second by the page; no I/O, just arithmetic on the read time."""
        age = self.reading.age(now)
        stale = age is not None and age > stale_after
        text = format_age(age)
        if age is not None:
            text = f"read {text}"
        self.age_label.setText(f"stale · {text}" if stale else text)
        self.age_label.setToolTip(
            "No new value for several refreshes: it may no longer be true."
            if stale
            else "Time since this value was last read from the THREAD."
        )
        # Stale: the semantic colour on the normal text role (a muted role would fade it).
        self.age_label.setForegroundRole(_ROLE_NORMAL if stale else _ROLE_MUTED)
        self.age_label.setStyleSheet(f"color: {COLOURS[Level.WARNING]};" if stale else "")
        if stale != self._stale:
            self._stale = stale
            self._restyle()

    def _show_status(self, failed: bool) -> None:
        reading, verdict = self.reading, self.assessment.verdict
        lines: list[str] = []
        if verdict is not Verdict.OK:
            lines.append(VERDICT_PREFIX[verdict] + self.assessment.reason)
        if failed:
            kept = "; showing the last good value" if reading.has_value else ""
            lines.append(f"✖ Last read failed ({reading.error_short}){kept}.")
        if not lines:
            self.status_label.clear()
            self.status_label.setVisible(False)
            return
        level = Level.ERROR if failed else VERDICT_LEVEL[verdict]
        self.status_label.setText("\n".join(lines))
        self.status_label.setStyleSheet(f"color: {COLOURS[level]};")
        self.status_label.setToolTip(
            f"{reading.error}\nThe next refresh tries again." if failed and reading.error else ""
        )
        self.status_label.setVisible(True)

    def _restyle(self) -> None:
        """Border by verdict (plus its words in the status line); value dimmed when stale."""
        level = VERDICT_LEVEL.get(self.assessment.verdict)
        border = f"2px solid {COLOURS[level]}" if level else "1px solid palette(mid)"
        self.setStyleSheet(
            f"QFrame#readingTile {{ border: {border}; border-radius: 6px;"
            " background: palette(base); }"
        )
        self.value_label.setForegroundRole(_ROLE_MUTED if self._stale else _ROLE_NORMAL)
