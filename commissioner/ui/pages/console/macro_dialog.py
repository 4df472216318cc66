"""Edit the page's macros in a table: name, text, ending, hex, repeat interval and count."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from commissioner.ui.pages.console.macros import Macro
from commissioner.ui.pages.console.send_bar import LineEnding
from commissioner.ui.widgets.inline_status import InlineStatus

COLUMNS = ("Name", "Text or hex", "Line ending", "Hex", "Repeat every (s)", "Times")


def validate(macros: list[Macro]) -> str:
    """The first problem in words, or ""."""
    seen: set[str] = set()
    for index, macro in enumerate(macros, start=1):
        if not macro.name.strip():
            return f"Row {index}: give the macro a name."
        if macro.name in seen:
            return f"Row {index}: the name '{macro.name}' is used twice."
        seen.add(macro.name)
        try:
            payload = macro.payload()
        except ValueError as exc:
            return f"Row {index}: {exc}."
        if not payload:
            return f"Row {index}: the macro sends nothing; type text or choose a line ending."
    return ""


class MacroDialog(QDialog):
    def __init__(self, macros: list[Macro], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Console macros")
        self.resize(760, 320)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        for macro in macros:
            self.add_row(macro)
        add = QPushButton("&Add")
        add.clicked.connect(
            lambda: self.add_row(Macro(name=f"Macro {self.table.rowCount() + 1}", text=""))
        )
        remove = QPushButton("&Remove")
        remove.clicked.connect(self._remove_selected)
        self.status = InlineStatus()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "A macro sends its text once, or every N seconds (0 = once); Times 0 repeats "
                "until you click its button again."
            )
        )
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

    def add_row(self, macro: Macro) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(macro.name))
        self.table.setItem(row, 1, QTableWidgetItem(macro.text))
        ending = QComboBox()
        for value in LineEnding:
            ending.addItem(value.label, value)
        ending.setCurrentIndex(ending.findData(macro.ending))
        self.table.setCellWidget(row, 2, ending)
        hex_box = QCheckBox()
        hex_box.setChecked(macro.hex)
        self.table.setCellWidget(row, 3, hex_box)
        every = QDoubleSpinBox()
        every.setRange(0.0, 86_400.0)
        every.setDecimals(2)
        every.setValue(macro.repeat_s)
        self.table.setCellWidget(row, 4, every)
        times = QSpinBox()
        times.setRange(0, 1_000_000)
        times.setValue(macro.count)
        self.table.setCellWidget(row, 5, times)

    def _remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()}, reverse=True)
        for row in rows or [self.table.rowCount() - 1]:
            if row >= 0:
                self.table.removeRow(row)

    def macros(self) -> list[Macro]:
        result = []
        for row in range(self.table.rowCount()):
            name_item, text_item = self.table.item(row, 0), self.table.item(row, 1)
            ending = self.table.cellWidget(row, 2)
            hex_box = self.table.cellWidget(row, 3)
            every = self.table.cellWidget(row, 4)
            times = self.table.cellWidget(row, 5)
            assert isinstance(ending, QComboBox) and isinstance(hex_box, QCheckBox)
            assert isinstance(every, QDoubleSpinBox) and isinstance(times, QSpinBox)
            result.append(
                Macro(
                    name=name_item.text().strip() if name_item else "",
                    text=text_item.text() if text_item else "",
                    ending=LineEnding(ending.currentData()),
                    hex=hex_box.isChecked(),
                    repeat_s=every.value(),
                    count=times.value(),
                )
            )
        return result

    def _accept(self) -> None:
        problem = validate(self.macros())
        if problem:
            self.status.error(problem)
            return
        self.accept()
