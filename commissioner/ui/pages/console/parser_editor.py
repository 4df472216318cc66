"""Choose how a console's lines become values: none, CSV, key=value, regex or JSON, with channels.

Channels are rows of name, unit, scale and offset (value = raw × scale + offset). For CSV the
rows are the columns in order and a row without a name skips its column. "Columns from last line"
fills the rows from what the device just sent. Apply hands the new parser to the pipeline; the
latest value of every channel is shown under the table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from commissioner.core.streams.framing import Line
from commissioner.core.streams.parsers import (
    Channel,
    CsvParser,
    JsonLinesParser,
    KeyValueParser,
    Parser,
    RegexParser,
)
from commissioner.ui.pages.console.display import timestamp
from commissioner.ui.widgets.inline_status import InlineStatus

KINDS: tuple[tuple[str, str], ...] = (
    ("none", "None"),
    ("csv", "CSV"),
    ("keyvalue", "key=value / label:value"),
    ("regex", "Regex (named groups)"),
    ("json", "JSON lines"),
)
CHANNEL_COLUMNS = ("Name", "Unit", "Scale", "Offset")


def _float(text: str, default: float, what: str) -> float:
    text = text.strip()
    if not text:
        return default
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{what} '{text}' is not a number") from None


def build_parser(
    kind: str,
    rows: Sequence[tuple[str, str, str, str]],
    *,
    separator: str = ",",
    pattern: str = "",
    auto: bool = True,
) -> Parser | None:
    """The parser for the editor's fields; ValueError says which field is wrong."""
    if kind == "none":
        return None
    channels: list[Channel | None] = []
    for index, (name, unit, scale, offset) in enumerate(rows, start=1):
        name = name.strip()
        if not name:
            channels.append(None)
            continue
        channels.append(
            Channel(
                name,
                unit.strip(),
                _float(scale, 1.0, f"row {index}: scale"),
                _float(offset, 0.0, f"row {index}: offset"),
            )
        )
    named = [c for c in channels if c is not None]
    if kind == "csv":
        if not named:
            raise ValueError("name at least one column (or use Columns from last line)")
        return CsvParser(channels, separator=separator or ",")
    if kind == "keyvalue":
        return KeyValueParser(named, auto=auto)
    if kind == "json":
        return JsonLinesParser(named, auto=auto)
    if kind == "regex":
        if not pattern:
            raise ValueError("type a pattern with named groups, e.g. (?P<level>[-+0-9.]+)")
        try:
            return RegexParser(pattern, named)
        except Exception as exc:  # re.error, or the parser's own refusal
            raise ValueError(f"the pattern is not usable: {exc}") from None
    raise ValueError(f"unknown parser kind {kind!r}")


class ParserEditor(QGroupBox):
    def __init__(
        self,
        on_apply: Callable[[Parser | None], None],
        last_line: Callable[[], Line | None],
        on_inspect: Callable[[], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Parser", parent)
        self._on_apply = on_apply
        self._last_line = last_line
        self.kind_combo = QComboBox()
        for key, label in KINDS:
            self.kind_combo.addItem(label, key)
        self.kind_combo.currentIndexChanged.connect(self._on_kind)
        self.separator_edit = QLineEdit(",")
        self.separator_edit.setMaximumWidth(50)
        self.pattern_edit = QLineEdit()
        self.pattern_edit.setPlaceholderText(r"(?P<temperature>[-0-9.]+)")
        self.auto_box = QCheckBox("Add keys not listed as channels")
        self.auto_box.setChecked(True)
        form = QFormLayout()
        form.addRow("Format", self.kind_combo)
        form.addRow("Separator", self.separator_edit)
        form.addRow("Pattern", self.pattern_edit)
        form.addRow("", self.auto_box)
        self.form = form

        self.table = QTableWidget(0, len(CHANNEL_COLUMNS))
        self.table.setHorizontalHeaderLabels(CHANNEL_COLUMNS)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(column, 58)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setMinimumHeight(110)
        self.add_button = QPushButton("+")
        self.add_button.setToolTip("Add a channel")
        self.add_button.clicked.connect(lambda: self.add_channel_row())
        self.remove_button = QPushButton("−")
        self.remove_button.setToolTip("Remove the selected channel")
        self.remove_button.clicked.connect(self._remove_row)
        self.fill_button = QPushButton("Columns from last line")
        self.fill_button.setToolTip("One channel per field of the last received line")
        self.fill_button.clicked.connect(self.fill_from_last_line)
        self.apply_button = QPushButton("&Apply parser")
        self.apply_button.clicked.connect(self.apply)
        self.inspect_button = QPushButton("Inspect parse errors…")
        self.inspect_button.clicked.connect(on_inspect)
        self.status = InlineStatus()
        self.latest_label = QLabel("")
        self.latest_label.setWordWrap(True)

        rows = QHBoxLayout()
        rows.addWidget(self.add_button)
        rows.addWidget(self.remove_button)
        rows.addWidget(self.fill_button)
        rows.addStretch(1)
        actions = QHBoxLayout()
        actions.addWidget(self.apply_button)
        actions.addWidget(self.inspect_button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addLayout(rows)
        layout.addLayout(actions)
        layout.addWidget(self.status)
        layout.addWidget(self.latest_label)
        self._on_kind()

    @property
    def kind(self) -> str:
        return str(self.kind_combo.currentData())

    def set_kind(self, kind: str) -> None:
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))

    def _on_kind(self) -> None:
        kind = self.kind
        self.form.setRowVisible(self.separator_edit, kind == "csv")
        self.form.setRowVisible(self.pattern_edit, kind == "regex")
        self.form.setRowVisible(self.auto_box, kind in ("keyvalue", "json"))
        for widget in (self.table, self.add_button, self.remove_button):
            widget.setEnabled(kind != "none")
        self.fill_button.setEnabled(kind == "csv")

    def add_channel_row(
        self, name: str = "", unit: str = "", scale: str = "1", offset: str = "0"
    ) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for column, value in enumerate((name, unit, scale, offset)):
            self.table.setItem(row, column, QTableWidgetItem(value))

    def set_channels(self, channels: Sequence[Channel | None]) -> None:
        self.table.setRowCount(0)
        for c in channels:
            if c is None:
                self.add_channel_row("", "", "", "")
            else:
                self.add_channel_row(c.name, c.unit, f"{c.scale:g}", f"{c.offset:g}")

    def _remove_row(self) -> None:
        row = self.table.currentRow()
        self.table.removeRow(row if row >= 0 else self.table.rowCount() - 1)

    def rows(self) -> list[tuple[str, str, str, str]]:
        def cell(r: int, c: int) -> str:
            item = self.table.item(r, c)
            return item.text() if item else ""

        return [tuple(cell(r, c) for c in range(4)) for r in range(self.table.rowCount())]  # type: ignore[misc]

    def fill_from_last_line(self) -> None:
        line = self._last_line()
        if line is None:
            self.status.warning("No line received yet to take the columns from.")
            return
        fields = line.text.split(self.separator_edit.text() or ",")
        existing = self.rows()
        self.table.setRowCount(0)
        for index, _field in enumerate(fields):
            if index < len(existing):
                self.add_channel_row(*existing[index])
            else:
                self.add_channel_row(f"column {index + 1}")
        self.status.ok(f"{len(fields)} columns from: {line.text[:60]}")

    def parser(self) -> Parser | None:
        return build_parser(
            self.kind,
            self.rows(),
            separator=self.separator_edit.text(),
            pattern=self.pattern_edit.text(),
            auto=self.auto_box.isChecked(),
        )

    def apply(self) -> bool:
        try:
            parser = self.parser()
        except ValueError as exc:
            self.status.error(f"Not applied: {exc}.")
            return False
        self._on_apply(parser)
        if parser is None:
            self.status.ok("No parser: lines are shown, not turned into values.")
        else:
            names = ", ".join(c.name for c in parser.channels) or "keys as they come"
            self.status.ok(f"Parsing {self.kind_combo.currentText()}: {names}.")
        return True

    def show_latest(self, latest: dict[str, tuple[float, str]]) -> None:
        """``channel -> (value, unit)``: the newest value of each channel."""
        if not latest:
            self.latest_label.setText("")
            return
        parts = [
            f"{name} <b>{value:g}</b> {unit}".rstrip() for name, (value, unit) in latest.items()
        ]
        self.latest_label.setText("Latest: " + " · ".join(parts[:12]))


class ParseErrorsDialog(QDialog):
    """The lines the parser could not read, with the reason for each (the last 100)."""

    def __init__(
        self, errors: Callable[[], Sequence[tuple[Line, str]]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Parse errors")
        self.resize(760, 360)
        self._errors = errors
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(("Received", "Line", "Why it was not parsed"))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.summary = QLabel()
        refresh = QPushButton("&Refresh")
        refresh.clicked.connect(self.refresh)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.addButton(refresh, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        errors = list(self._errors())
        self.table.setRowCount(len(errors))
        for row, (line, reason) in enumerate(reversed(errors)):  # newest first
            for column, text in enumerate((timestamp(line.t), line.text, reason)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.summary.setText(
            f"The last {len(errors)} lines that could not be parsed, newest first."
            if errors
            else "No parse errors so far."
        )
