"""Battery saver: on/off with the documented limits (low 0-40 %, high 60-100 %), checked here.

The spin boxes accept 0-100 on purpose: a value outside the documented range is refused with the
rule in words, rather than silently clamped, so nobody believes they set something they did not.
"""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

from commissioner.core.edge import rules
from commissioner.core.edge.errors import EdgeValidationError
from commissioner.core.edge.models import BatterySaver
from commissioner.core.system import explanations
from commissioner.ui.pages.system.group import ActionGroup, Confirm, describe_error, explanation
from commissioner.ui.session_model import SessionModel


def _percent_box(value: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, 100)
    box.setSuffix(" %")
    box.setValue(value)
    return box


class BatterySaverGroup(ActionGroup):
    def __init__(self, model: SessionModel, confirm: Confirm, parent: QWidget | None = None):
        super().__init__("Battery saver", model, confirm, parent)
        self.current: BatterySaver | None = None
        self._edited = False
        self.current_label = QLabel("—")
        font = QFont(self.current_label.font())
        font.setBold(True)
        self.current_label.setFont(font)
        self.enabled_box = QCheckBox("Enabled")
        self.low_box = _percent_box(rules.BATTERY_DEFAULT_LOW)
        self.high_box = _percent_box(rules.BATTERY_DEFAULT_HIGH)
        self.low_box.setToolTip("Shut off at this charge: 0-40 %")
        self.high_box.setToolTip("Stop charging at this charge: 60-100 %")
        self.apply_button = QPushButton("&Apply")
        self.apply_button.clicked.connect(self._on_apply_clicked)
        for box in (self.low_box, self.high_box):
            box.valueChanged.connect(self._on_edited)
        self.enabled_box.toggled.connect(self._on_edited)
        self.controls = [self.enabled_box, self.low_box, self.high_box, self.apply_button]

        grid = QGridLayout()
        grid.addWidget(QLabel("On the THREAD:"), 0, 0)
        grid.addWidget(self.current_label, 0, 1, 1, 4)
        grid.addWidget(self.enabled_box, 1, 0)
        grid.addWidget(QLabel("Shut off at (low):"), 1, 1)
        grid.addWidget(self.low_box, 1, 2)
        grid.addWidget(QLabel("Stop charging at (high):"), 1, 3)
        grid.addWidget(self.high_box, 1, 4)
        grid.setColumnStretch(5, 1)
        apply_row = QHBoxLayout()
        apply_row.addWidget(explanation(explanations.BATTERY_SAVER), 1)
        apply_row.addWidget(self.apply_button)
        self.layout_.addLayout(grid)
        self.layout_.addLayout(apply_row)
        self.layout_.addWidget(self.status)
        self._refresh_enabled()

    def validation_error(self) -> EdgeValidationError | None:
        """The documented rule the form breaks, if any (checked as the user types)."""
        try:
            rules.battery_saver(
                self.enabled_box.isChecked(), self.low_box.value(), self.high_box.value()
            )
        except EdgeValidationError as exc:
            return exc
        return None

    def _on_edited(self) -> None:
        self._edited = True
        problem = self.validation_error()
        if problem is not None:
            self.status.error(describe_error(problem))
        elif not self.busy:
            self.status.clear_status()

    def _fill(self, saver: BatterySaver, *, form: bool) -> None:
        self.current = saver
        self.current_label.setText(str(saver))
        if form:
            for widget in (self.enabled_box, self.low_box, self.high_box):
                widget.blockSignals(True)
            self.enabled_box.setChecked(saver.enabled)
            self.low_box.setValue(saver.low)
            self.high_box.setValue(saver.high)
            for widget in (self.enabled_box, self.low_box, self.high_box):
                widget.blockSignals(False)
            self._edited = False

    def forget(self) -> None:
        super().forget()
        self.current = None
        self.current_label.setText("—")

    def on_connected(self) -> None:
        self.start(self._read(), "Reading the battery saver…")

    async def _read(self) -> None:
        # Keep what the user typed across a reconnect; fill the form only if untouched.
        self._fill(await self.model.require_client().get_battery_saver(), form=not self._edited)
        self.status.clear_status()

    def _on_apply_clicked(self) -> None:
        problem = self.validation_error()
        if problem is not None:
            self.status.error(describe_error(problem))
            return
        enabled, low, high = (
            self.enabled_box.isChecked(),
            self.low_box.value(),
            self.high_box.value(),
        )
        self.start(self._apply(enabled, low, high), "Setting the battery saver…")

    async def _apply(self, enabled: bool, low: int, high: int) -> None:
        saver = await self.model.require_client().set_battery_saver(enabled, low, high)
        self._fill(saver, form=True)
        if (saver.enabled, saver.low, saver.high) == (enabled, low, high):
            self.status.ok(f"Battery saver {saver} (read back).")
        else:
            self.status.warning(
                f"The THREAD reports {saver}, not what was sent. Check the values and try again."
            )
