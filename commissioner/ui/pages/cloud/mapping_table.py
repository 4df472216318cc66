"""The port mapping table: one row per THREAD port -> one cloud device with one sensor.

The table edits a :class:`RegistrationDraft` in place. Problems (local checks and the cloud's 422
targets such as ``integration.devices[0].sensors[0].props.NAME``) are painted on the cell they
concern with the message as tooltip, so the installer sees where to fix, not only what.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from commissioner.core.cloud.errors import FieldProblem
from commissioner.core.cloud.port_mapping import GENERIC_SENSOR, RegistrationDraft
from commissioner.core.sensor_catalogue import SensorModel

COLUMNS = (
    "Port",
    "Register",
    "Sensor model",
    "Device template",
    "Device name",
    "Sensor template",
    "Sensor name",
    "Metrics (metric:unit, …)",
    "Serial no",
    "Cloud ids",
)
(C_PORT, C_ON, C_MODEL, C_DEVT, C_DEVN, C_SENT, C_SENN, C_METRICS, C_SERIAL, C_IDS) = range(10)
PROBLEM_BRUSH = QBrush(QColor(214, 69, 69, 90))
PROBLEM_ROLE = Qt.ItemDataRole.UserRole + 1
_TARGET = re.compile(r"^integration\.devices\[(\d+)\](?:\.sensors\[(\d+)\])?(?:\.props\.(\w+))?")


def format_metrics(metrics: Sequence[tuple[str, str]]) -> str:
    return ", ".join(f"{m}:{u}" for m, u in metrics)


def parse_metrics(text: str) -> tuple[list[tuple[str, str]], str]:
    """``metric:unit, ...`` -> pairs, and a problem text ("" when fine)."""
    pairs: list[tuple[str, str]] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        metric, sep, unit = part.partition(":")
        if not sep or not metric.strip() or not unit.strip():
            return pairs, f"{part!r} is not metric:unit"
        pairs.append((metric.strip(), unit.strip()))
    return pairs, ""


class MappingTable(QTableWidget):
    sig_edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(COLUMNS)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        widths = {C_PORT: 40, C_ON: 64, C_MODEL: 170, C_DEVT: 160, C_DEVN: 150, C_SENT: 175}
        widths.update({C_SENN: 150, C_METRICS: 280, C_SERIAL: 80})
        for column, width in widths.items():
            self.setColumnWidth(column, width)
        self.draft: RegistrationDraft | None = None
        self.models: list[SensorModel] = []
        self._filling = False
        self._marked_widgets: list[QWidget] = []
        self.itemChanged.connect(self._on_item_changed)

    # -- filling -------------------------------------------------------------------------------

    def set_draft(
        self,
        draft: RegistrationDraft,
        models: Sequence[SensorModel],
        device_types: Sequence[str],
        sensor_types: Sequence[str],
    ) -> None:
        self.draft, self.models = draft, list(models)
        self._marked_widgets = []  # the old rows' widgets are replaced below
        self._filling = True
        self.setRowCount(len(draft.ports))
        for row, mapping in enumerate(draft.ports):
            port = QTableWidgetItem(str(mapping.port))
            port.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.setItem(row, C_PORT, port)
            # A real check box: item check marks vanish when unchecked in some dark styles.
            check = QCheckBox()
            check.setChecked(mapping.enabled)
            check.setToolTip(f"Register port {mapping.port} as a cloud device")
            check.toggled.connect(lambda _on: self._emit_edited())
            holder = QWidget()  # centres the box without a style sheet (which restyles it)
            centre = QHBoxLayout(holder)
            centre.setContentsMargins(0, 0, 0, 0)
            centre.setAlignment(Qt.AlignmentFlag.AlignCenter)
            centre.addWidget(check)
            self.setCellWidget(row, C_ON, holder)
            model_combo = QComboBox()
            for model in self.models:
                model_combo.addItem(model.name, model.id)
                tip = f"{model.name}: {model.interface}, {model.manufacturer or 'any maker'}"
                model_combo.setItemData(model_combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
            model_combo.setCurrentIndex(max(0, model_combo.findData(mapping.model_id)))
            model_combo.activated.connect(lambda _i, r=row: self._on_model_chosen(r))
            self.setCellWidget(row, C_MODEL, model_combo)
            self.setCellWidget(
                row, C_DEVT, self._template_combo(device_types, mapping.device_template)
            )
            self.setCellWidget(
                row, C_SENT, self._template_combo(sensor_types, mapping.sensor_template)
            )
            for column, text in (
                (C_DEVN, mapping.device_name),
                (C_SENN, mapping.sensor_name),
                (C_METRICS, format_metrics(mapping.metrics)),
                (C_SERIAL, mapping.serial_no),
            ):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                self.setItem(row, column, cell)
            ids = QTableWidgetItem("")
            ids.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            self.setItem(row, C_IDS, ids)
        self._filling = False
        self.resizeRowsToContents()

    def set_templates(self, device_types: Sequence[str], sensor_types: Sequence[str]) -> None:
        """New template lists from the cloud; each row keeps its choice."""
        for row in range(self.rowCount()):
            for column, items in ((C_DEVT, device_types), (C_SENT, sensor_types)):
                combo = self.cellWidget(row, column)
                if isinstance(combo, QComboBox):
                    current = combo.currentText()
                    self._fill_combo(combo, items, current)

    def _template_combo(self, items: Sequence[str], current: str) -> QComboBox:
        combo = QComboBox()
        combo.setEditable(True)
        self._fill_combo(combo, items, current)
        combo.currentTextChanged.connect(lambda _t: self._emit_edited())
        return combo

    @staticmethod
    def _fill_combo(combo: QComboBox, items: Sequence[str], current: str) -> None:
        combo.blockSignals(True)
        combo.clear()
        combo.addItems(list(items) if current in items or not current else [current, *items])
        combo.setCurrentText(current)
        line = combo.lineEdit()
        if line is not None:
            line.setCursorPosition(0)  # show the start of long template ids, not their end
        combo.blockSignals(False)

    def cell(self, row: int, column: int) -> QTableWidgetItem:
        """The item at (row, column), created empty when missing."""
        item = self.item(row, column)
        if item is None:
            item = QTableWidgetItem("")
            self.setItem(row, column, item)
        return item

    def check_box(self, row: int) -> QCheckBox:
        holder = self.cellWidget(row, C_ON)
        widget = holder.findChild(QCheckBox) if holder is not None else None
        assert isinstance(widget, QCheckBox)
        return widget

    def combo(self, row: int, column: int) -> QComboBox:
        widget = self.cellWidget(row, column)
        assert isinstance(widget, QComboBox)
        return widget

    def _on_model_chosen(self, row: int) -> None:
        draft = self.draft
        if draft is None:
            return
        model_id = self.combo(row, C_MODEL).currentData()
        model = next((m for m in self.models if m.id == model_id), None)
        if model is None:
            return
        self.read_back()
        mapping = draft.ports[row]
        mapping.apply_model(model, draft.thread_serial)
        mapping.enabled = True
        self._filling = True
        for column, text in ((C_DEVT, mapping.device_template), (C_SENT, mapping.sensor_template)):
            combo = self.combo(row, column)
            combo.setCurrentText(text)
            line = combo.lineEdit()
            if line is not None:
                line.setCursorPosition(0)
        self.check_box(row).setChecked(True)
        self.cell(row, C_DEVN).setText(mapping.device_name)
        self.cell(row, C_SENN).setText(mapping.sensor_name)
        self.cell(row, C_METRICS).setText(format_metrics(mapping.metrics))
        self._filling = False
        self._emit_edited()

    def _on_item_changed(self, _item: QTableWidgetItem) -> None:
        self._emit_edited()

    def _emit_edited(self) -> None:
        if not self._filling:
            self.sig_edited.emit()

    # -- reading back --------------------------------------------------------------------------

    def read_back(self) -> dict[tuple[int, int], str]:
        """Copy the table into the draft; returns local problems by (row, column)."""
        problems: dict[tuple[int, int], str] = {}
        draft = self.draft
        if draft is None:
            return problems
        for row, mapping in enumerate(draft.ports):
            mapping.enabled = self.check_box(row).isChecked()
            mapping.model_id = str(self.combo(row, C_MODEL).currentData() or mapping.model_id)
            mapping.device_template = self.combo(row, C_DEVT).currentText().strip()
            mapping.sensor_template = self.combo(row, C_SENT).currentText().strip()
            mapping.device_name = self.cell(row, C_DEVN).text().strip()
            mapping.sensor_name = self.cell(row, C_SENN).text().strip()
            mapping.serial_no = self.cell(row, C_SERIAL).text().strip()
            metrics, problem = parse_metrics(self.cell(row, C_METRICS).text())
            mapping.metrics = metrics
            if not mapping.enabled:
                continue
            if problem:
                problems[(row, C_METRICS)] = problem
            elif mapping.sensor_template == GENERIC_SENSOR and not metrics:
                problems[(row, C_METRICS)] = "a generic sensor needs at least one metric:unit"
            if not mapping.device_name:
                problems[(row, C_DEVN)] = "the device needs a name"
            if not mapping.sensor_name:
                problems[(row, C_SENN)] = "the sensor needs a name"
        return problems

    def enabled_rows(self) -> list[int]:
        if self.draft is None:
            return []
        return [row for row, m in enumerate(self.draft.ports) if m.enabled]

    # -- problems and ids ----------------------------------------------------------------------

    def locate(self, problem: FieldProblem) -> tuple[int, int] | None:
        """The (row, column) a cloud target path concerns, if it names a row of this table."""
        match = _TARGET.match(problem.target)
        rows = self.enabled_rows()
        if match is None or int(match.group(1)) >= len(rows):
            return None
        row = rows[int(match.group(1))]
        sensor, prop = match.group(2) is not None, match.group(3) or ""
        if prop == "NAME":
            return row, C_SENN if sensor else C_DEVN
        if prop == "INTEGRATION_ID":
            return row, C_SENT if sensor else C_DEVT
        if prop == "SERIAL_NO":
            return row, C_SERIAL
        if "METRICS" in prop or "UNITS" in prop:
            return row, C_METRICS
        return row, C_SENN if sensor else C_DEVN

    def mark_problems(self, problems: dict[tuple[int, int], str]) -> None:
        self.clear_problems()
        self._filling = True
        for (row, column), text in problems.items():
            item = self.cell(row, column)
            item.setData(PROBLEM_ROLE, text)
            item.setBackground(PROBLEM_BRUSH)
            item.setToolTip(f"Problem: {text}")
            widget = self.cellWidget(row, column)
            if widget is not None:
                widget.setToolTip(f"Problem: {text}")
                widget.setStyleSheet("background: rgba(214, 69, 69, 90);")
                self._marked_widgets.append(widget)
        self._filling = False

    def clear_problems(self) -> None:
        self._filling = True
        for row in range(self.rowCount()):
            for column in range(self.columnCount()):
                item = self.item(row, column)
                if item is not None and item.data(PROBLEM_ROLE):
                    item.setData(PROBLEM_ROLE, None)
                    item.setBackground(QBrush())
                    item.setToolTip(item.text())
        for widget in self._marked_widgets:
            widget.setStyleSheet("")
            widget.setToolTip("")
        self._marked_widgets = []
        self._filling = False

    def problem_at(self, row: int, column: int) -> str:
        item = self.item(row, column)
        value = item.data(PROBLEM_ROLE) if item is not None else None
        return str(value) if value else ""

    def show_ids(self, ids: dict[int, str]) -> None:
        """Cloud ids per port (text; "" clears the cell)."""
        self._filling = True
        for row in range(self.rowCount()):
            port = int(self.cell(row, C_PORT).text())
            item = self.cell(row, C_IDS)
            item.setText(ids.get(port, ""))
            item.setToolTip(ids.get(port, ""))
        self._filling = False
