"""Where the THREAD goes in the cloud: a new or existing connection, its location and notes.

Kept apart from the port table because these apply to the whole registration; the form copies
itself to and from the :class:`RegistrationDraft` so the draft stays the single saved state.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QWidget,
)

from commissioner.core.cloud.port_mapping import RegistrationDraft
from commissioner.core.cloud.registration import Location


def _spin(low: float, high: float, decimals: int, suffix: str, tip: str) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(low, high)
    spin.setDecimals(decimals)
    spin.setSuffix(suffix)
    spin.setMinimumWidth(130)
    spin.setToolTip(tip)
    return spin


class SiteForm(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.thread_label = QLabel()
        self.new_radio = QRadioButton("New connection")
        self.existing_radio = QRadioButton("Existing connection (node id):")
        self.new_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.new_radio)
        group.addButton(self.existing_radio)
        self.node_edit = QLineEdit()
        self.node_edit.setPlaceholderText("/api/ABC123/node")
        self.location_check = QCheckBox("Location")
        self.longitude = _spin(-180, 180, 6, " ° lon", "Longitude, WGS84 degrees (-180 to 180)")
        self.latitude = _spin(-90, 90, 6, " ° lat", "Latitude, WGS84 degrees (-90 to 90)")
        self.elevation = _spin(-500, 9000, 1, " m", "Elevation in metres")
        self.notes_edit = QLineEdit()
        self.notes_edit.setPlaceholderText("notes for the devices (optional)")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.thread_label, 0, 0, 1, 5)
        grid.addWidget(self.new_radio, 1, 0)
        grid.addWidget(self.existing_radio, 1, 1)
        grid.addWidget(self.node_edit, 1, 2, 1, 3)
        grid.addWidget(self.location_check, 2, 0)
        grid.addWidget(self.longitude, 2, 1)
        grid.addWidget(self.latitude, 2, 2)
        grid.addWidget(self.elevation, 2, 3)
        grid.addWidget(QLabel("Notes"), 3, 0)
        grid.addWidget(self.notes_edit, 3, 1, 1, 4)
        grid.setColumnStretch(4, 1)
        self.location_check.toggled.connect(self.update_enabled)
        self.existing_radio.toggled.connect(self.update_enabled)
        self.update_enabled()

    def update_enabled(self, *_args: object) -> None:
        for spin in (self.longitude, self.latitude, self.elevation):
            spin.setEnabled(self.location_check.isChecked())
        self.node_edit.setEnabled(self.existing_radio.isChecked())

    def load(self, draft: RegistrationDraft) -> None:
        self.new_radio.setChecked(not draft.node_id)
        self.existing_radio.setChecked(bool(draft.node_id))
        self.node_edit.setText(draft.node_id or "")
        self.location_check.setChecked(draft.location is not None)
        if draft.location is not None:
            self.longitude.setValue(draft.location.longitude)
            self.latitude.setValue(draft.location.latitude)
            self.elevation.setValue(draft.location.elevation)
        self.notes_edit.setText(draft.notes)

    def apply(self, draft: RegistrationDraft) -> None:
        existing = self.existing_radio.isChecked()
        draft.node_id = (self.node_edit.text().strip() or None) if existing else None
        draft.location = (
            Location(self.longitude.value(), self.latitude.value(), self.elevation.value())
            if self.location_check.isChecked()
            else None
        )
        draft.notes = self.notes_edit.text().strip()
