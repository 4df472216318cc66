"""The console's text area: text, hex or both, timestamps, pause, autoscroll, search, clear, copy.

Lines arrive in batches from the console's display timer (:meth:`ConsoleView.add_lines`) and wait
in a bounded backlog; :meth:`render_pending` writes a batch of them in one edit block, sized so
that a tick (formatting plus Qt's layout at the end of the block) takes about
:data:`RENDER_BUDGET_S`, so a flood costs the UI a bounded time per tick. When the backlog overflows (or while paused for long) the
oldest lines are dropped from the display only, and counted in :attr:`dropped_bytes`. The
history itself is bounded by ``QPlainTextEdit.setMaximumBlockCount``.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Iterable

from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from commissioner.ui.pages.console.display import Kind, ViewLine, ViewMode, format_line, timestamp

MAX_HISTORY_LINES = 20_000  # blocks kept in the view (and lines kept while paused)
# Drawing is capped by time: Qt's layout at the end of the edit block dominates and grows faster
# than linearly with its rows, and varies with the machine, so the rows of the next tick are sized
# from how long the last ones took (perf_counter), between the floor and the ceiling below.
RENDER_BUDGET_S = 0.0045  # per tick
RENDER_BUDGET_ROWS = 600  # ceiling per tick; 18,000 rows a second is more than anyone reads
RENDER_MIN_ROWS = 20  # floor per tick: a slow machine still shows something
RENDER_START_ROWS = 150  # the first tick's guess
MAX_LAG_LINES = 6_000  # queued beyond this (~10 ticks), the oldest are dropped: the view stays live
MAX_MATCHES_COUNTED = 10_000

# fixed hues that read on light and dark palettes; the kind is also marked in the text itself
KIND_COLOURS = {Kind.TX: "#2f7bd8", Kind.GAP: "#c77d00", Kind.STATE: "#8a8a8a"}
MATCH_BACKGROUND = "#f2c744"


class SearchHighlighter(QSyntaxHighlighter):
    """Marks every case-insensitive occurrence of the search text, including in new lines."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.pattern: re.Pattern[str] | None = None
        self.match_format = QTextCharFormat()
        self.match_format.setBackground(QColor(MATCH_BACKGROUND))
        self.match_format.setForeground(QColor("#000000"))

    def set_text(self, text: str) -> None:
        self.pattern = re.compile(re.escape(text), re.IGNORECASE) if text else None
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        if self.pattern is None:
            return
        for match in self.pattern.finditer(text):
            self.setFormat(match.start(), match.end() - match.start(), self.match_format)


class ConsoleView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = ViewMode.TEXT
        self.stamps = True
        self.paused = False
        self.autoscroll = True
        self.dropped_bytes = 0
        self.max_backlog = MAX_HISTORY_LINES
        self.backlog: deque[ViewLine] = deque()
        self._formats: dict[Kind, QTextCharFormat] = {}
        self.row_budget = RENDER_START_ROWS  # rows for the next tick, from the time the last took
        self.budget_s = RENDER_BUDGET_S

        self.edit = QPlainTextEdit()
        self.edit.setReadOnly(True)
        self.edit.setMaximumBlockCount(MAX_HISTORY_LINES)
        self.edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)  # wrapping costs per line
        self.edit.setUndoRedoEnabled(False)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.edit.setFont(font)
        self.edit.setAccessibleName("Console output")
        self.highlighter = SearchHighlighter(self.edit.document())
        self._build_toolbar()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.toolbar)
        layout.addWidget(self.edit, 1)

    def _build_toolbar(self) -> None:
        self.mode_combo = QComboBox()
        for mode in ViewMode:
            self.mode_combo.addItem(mode.value, mode)
        self.mode_combo.setToolTip("Show received and sent bytes as text, hex, or both")
        self.mode_combo.currentIndexChanged.connect(
            lambda _i: self.set_mode(self.mode_combo.currentData())
        )
        self.stamps_box = QCheckBox("Times&tamps")
        self.stamps_box.setChecked(True)
        self.stamps_box.setToolTip("Receive time of each line's last byte (this computer's clock)")
        self.stamps_box.toggled.connect(self._on_stamps)
        self.autoscroll_box = QCheckBox("A&utoscroll")
        self.autoscroll_box.setChecked(True)
        self.autoscroll_box.toggled.connect(self._on_autoscroll)
        self.pause_button = QPushButton("&Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip("Freeze the view; data is still received, parsed and captured")
        self.pause_button.toggled.connect(self.set_paused)
        self.clear_button = QPushButton("C&lear")
        self.clear_button.setToolTip("Clear the view (counters and captures are not affected)")
        self.clear_button.clicked.connect(self.clear)
        self.copy_button = QPushButton("&Copy")
        self.copy_button.setToolTip(
            "Copy the selection, or everything shown when nothing is selected"
        )
        self.copy_button.clicked.connect(self.copy)

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search…")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMaximumWidth(220)
        self.search_edit.textChanged.connect(self.set_search)
        self.search_edit.returnPressed.connect(lambda: self.find_match(backward=False))
        self.prev_button = QToolButton()
        self.prev_button.setText("▲")
        self.prev_button.setToolTip("Previous match (Shift+Enter)")
        self.prev_button.clicked.connect(lambda: self.find_match(backward=True))
        self.next_button = QToolButton()
        self.next_button.setText("▼")
        self.next_button.setToolTip("Next match (Enter)")
        self.next_button.clicked.connect(lambda: self.find_match(backward=False))
        self.match_label = QLabel("")
        self.match_label.setMinimumWidth(80)

        bar = QHBoxLayout()
        bar.addWidget(QLabel("View"))
        bar.addWidget(self.mode_combo)
        bar.addWidget(self.stamps_box)
        bar.addWidget(self.autoscroll_box)
        bar.addWidget(self.pause_button)
        bar.addWidget(self.clear_button)
        bar.addWidget(self.copy_button)
        bar.addStretch(1)
        bar.addWidget(self.search_edit)
        bar.addWidget(self.prev_button)
        bar.addWidget(self.next_button)
        bar.addWidget(self.match_label)
        self.toolbar = bar

    # -- feeding and rendering ------------------------------------------------------------------

    def add_lines(self, lines: Iterable[ViewLine]) -> None:
        """Queue lines for the next :meth:`render_pending`; the oldest are dropped beyond the bound."""
        self.backlog.extend(lines)
        while len(self.backlog) > self.max_backlog:
            self.dropped_bytes += self.backlog.popleft().size

    def render_pending(self, budget: int | None = None) -> int:
        """Write queued lines in one edit block; returns lines written.

        Without ``budget`` the rows are capped by time (about :data:`RENDER_BUDGET_S` per call,
        layout included, learnt from the previous calls); with it, exactly up to ``budget`` rows.
        """
        if self.paused or not self.backlog:
            return 0
        started = time.perf_counter()
        timed = budget is None
        limit = self.row_budget if budget is None else budget
        deadline = started + self.budget_s
        backlog = self.backlog
        while len(backlog) > MAX_LAG_LINES:  # too far behind: skip to what is recent
            self.dropped_bytes += backlog.popleft().size
        cursor = QTextCursor(self.edit.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.beginEditBlock()
        first = self.edit.document().isEmpty()
        mode, stamps = self.mode, self.stamps
        # lines of one chunk share its arrival time: one timestamp each, not one per line
        stamp_t: float | None = None
        stamp: str | None = None
        # consecutive lines of one kind go in as one insertText call
        run_kind: Kind | None = None
        run: list[str] = []
        rows_written = lines_written = 0
        while backlog and rows_written < limit:
            line = backlog.popleft()
            if stamps and line.t != stamp_t:
                stamp_t, stamp = line.t, timestamp(line.t)
            rows = format_line(line, mode, stamps, stamp)
            if line.kind is not run_kind and run:
                first = self._insert(cursor, run_kind, run, first)
                run = []
            run_kind = line.kind
            run.extend(rows)
            rows_written += len(rows)
            lines_written += 1
            # formatting alone over half the time: stop (the layout still has to come)
            if (
                timed
                and not lines_written % 32
                and time.perf_counter() - started > self.budget_s / 2
            ):
                break
        if run:
            self._insert(cursor, run_kind, run, first)
        cursor.endEditBlock()
        if self.autoscroll:
            bar = self.edit.verticalScrollBar()
            bar.setValue(bar.maximum())
        if timed:
            self._learn(rows_written, time.perf_counter() - started, deadline - started)
        return lines_written

    def _learn(self, rows: int, took_s: float, budget_s: float) -> None:
        """Size the next tick's rows so it takes about ``budget_s``, from this one's cost."""
        if rows < RENDER_MIN_ROWS or took_s <= 0:
            return  # too few rows to say much about the rate
        fit = rows * budget_s / took_s
        # move part of the way (one slow tick from elsewhere should not collapse the budget)
        target = 0.5 * self.row_budget + 0.5 * fit
        self.row_budget = int(max(RENDER_MIN_ROWS, min(RENDER_BUDGET_ROWS, target)))

    def _insert(self, cursor: QTextCursor, kind: Kind | None, rows: list[str], first: bool) -> bool:
        text = "\n".join(rows)
        if not first:
            text = "\n" + text
        cursor.insertText(text, self._format(kind or Kind.RX))
        return False

    def _format(self, kind: Kind) -> QTextCharFormat:
        fmt = self._formats.get(kind)
        if fmt is None:
            fmt = QTextCharFormat()
            colour = KIND_COLOURS.get(kind)
            if colour:  # received text has no colour of its own: it follows the palette
                fmt.setForeground(QColor(colour))
            if kind is Kind.TX:
                fmt.setFontWeight(QFont.Weight.DemiBold)
            if kind is Kind.STATE:
                fmt.setFontItalic(True)
            self._formats[kind] = fmt
        return fmt

    # -- user actions -----------------------------------------------------------------------------

    def set_mode(self, mode: ViewMode) -> None:
        """Applies to lines shown from now on (what is on screen stays as it was rendered)."""
        self.mode = ViewMode(mode)
        index = self.mode_combo.findData(self.mode)
        if index != self.mode_combo.currentIndex():
            self.mode_combo.setCurrentIndex(index)

    def _on_stamps(self, on: bool) -> None:
        self.stamps = on

    def _on_autoscroll(self, on: bool) -> None:
        self.autoscroll = on
        if on:
            bar = self.edit.verticalScrollBar()
            bar.setValue(bar.maximum())

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        if self.pause_button.isChecked() != paused:
            self.pause_button.setChecked(paused)
        self.pause_button.setText("Resume" if paused else "&Pause")

    def clear(self) -> None:
        self.edit.clear()
        self.backlog.clear()
        self.refresh_match_count()

    def copy(self) -> str:
        """Copy the selection, or all shown text; returns what was copied."""
        cursor = self.edit.textCursor()
        text = cursor.selectedText().replace("\u2029", "\n") if cursor.hasSelection() else ""
        text = text or self.edit.toPlainText()
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(text)
        return text

    def set_search(self, text: str) -> None:
        if self.search_edit.text() != text:
            self.search_edit.setText(text)  # re-enters through textChanged
            return
        self.highlighter.set_text(text)
        self.refresh_match_count()

    def find_match(self, backward: bool = False) -> bool:
        text = self.search_edit.text()
        if not text:
            return False
        flags = QTextDocument.FindFlag.FindBackward if backward else QTextDocument.FindFlag(0)
        if self.edit.find(text, flags):
            self.set_autoscroll(False)  # stay on the match
            return True
        cursor = self.edit.textCursor()  # wrap around
        cursor.movePosition(
            QTextCursor.MoveOperation.End if backward else QTextCursor.MoveOperation.Start
        )
        self.edit.setTextCursor(cursor)
        found = self.edit.find(text, flags)
        if found:
            self.set_autoscroll(False)
        self.refresh_match_count()
        return found

    def set_autoscroll(self, on: bool) -> None:
        self.autoscroll_box.setChecked(on)

    def match_count(self) -> int:
        text = self.search_edit.text()
        if not text:
            return 0
        return self.edit.toPlainText().lower().count(text.lower())

    def refresh_match_count(self) -> None:
        if not self.search_edit.text():
            self.match_label.setText("")
            return
        n = self.match_count()
        self.match_label.setText("no match" if n == 0 else f"{n} match" + ("" if n == 1 else "es"))

    # -- for tests and the console ----------------------------------------------------------------

    def plain_text(self) -> str:
        return self.edit.toPlainText()
