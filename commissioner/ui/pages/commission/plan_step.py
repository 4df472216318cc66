"""Step 3: choose the profile, fill in the site, and see every setting it names, now and after.

The diff shows the whole desired state: rows that change are bold on a tinted background, rows
that already match are greyed, so the installer sees both what will be written and what is
already right. A profile that cannot be used lists every problem with its place in the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from commissioner.core.commissioning.profile_model import CommissioningProfile, ProfileError
from commissioner.core.commissioning.run_model import SettingChange, SiteFields
from commissioner.ui.pages.commission.checks_table import compact
from commissioner.ui.widgets.inline_status import COLOURS, Level

DIFF_HEADERS = ("Setting", "Now", "After")


class PlanStep(QWidget):
    sig_profile_chosen = Signal()  # the combo's choice changed
    sig_open_requested = Signal()  # "Open…": the page asks for a file
    sig_site_edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profile_combo = QComboBox()
        self.profile_combo.setMinimumContentsLength(28)
        self.open_button = QPushButton("Open…")
        self.open_button.setToolTip("Choose a commissioning profile file (TOML)")
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.problems = QListWidget()
        self.problems.setMaximumHeight(110)
        self.problems.hide()
        self.site_edit = QLineEdit()
        self.site_edit.setPlaceholderText("fills {site} in cloud names, e.g. Bridge 7 north")
        self.location_edit = QLineEdit()
        self.location_edit.setPlaceholderText("e.g. pier 3, cabinet B")
        self.technician_edit = QLineEdit()
        self.notes_edit = QLineEdit()
        self.notes_edit.setPlaceholderText("anything the next person should know")

        profile_box = QGroupBox("Profile")
        profile_layout = QVBoxLayout(profile_box)
        chooser = QHBoxLayout()
        chooser.addWidget(self.profile_combo, 1)
        chooser.addWidget(self.open_button)
        profile_layout.addLayout(chooser)
        profile_layout.addWidget(self.description)
        profile_layout.addWidget(self.problems)
        profile_layout.addStretch(1)
        site_box = QGroupBox("Site")
        form = QFormLayout(site_box)
        form.addRow("Site", self.site_edit)
        form.addRow("Location", self.location_edit)
        form.addRow("Technician", self.technician_edit)
        form.addRow("Notes", self.notes_edit)
        top = QHBoxLayout()
        top.addWidget(profile_box, 3)
        top.addWidget(site_box, 2)

        self.summary = QLabel("Choose a profile to see what it changes.")
        self.table = QTableWidget(0, len(DIFF_HEADERS))
        self.table.setHorizontalHeaderLabels(DIFF_HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        compact(self.table)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        top_widget = QWidget()
        top_widget.setLayout(top)
        top.setContentsMargins(0, 0, 0, 0)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.summary)
        bottom_layout.addWidget(self.table, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top_widget)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter, 1)
        self.changes: list[SettingChange] = []

        self.profile_combo.activated.connect(lambda _i: self.sig_profile_chosen.emit())
        self.open_button.clicked.connect(self.sig_open_requested.emit)
        for edit in (self.site_edit, self.location_edit, self.technician_edit, self.notes_edit):
            edit.editingFinished.connect(self.sig_site_edited.emit)

    # -- profile ---------------------------------------------------------------------------------

    def add_profile(self, path: Path, title: str, *, select: bool = False) -> None:
        index = self.profile_combo.findData(str(path))
        if index < 0:
            self.profile_combo.addItem(title, str(path))
            self.profile_combo.setItemData(
                self.profile_combo.count() - 1, str(path), Qt.ItemDataRole.ToolTipRole
            )
            index = self.profile_combo.count() - 1
        if select:
            self.profile_combo.setCurrentIndex(index)

    def current_path(self) -> Path | None:
        data = self.profile_combo.currentData()
        return Path(data) if isinstance(data, str) else None

    def show_profile(self, profile: CommissioningProfile) -> None:
        self.problems.clear()
        self.problems.hide()
        ports = ", ".join(f"port {p.number} {p.mode.value}" for p in profile.ports)
        text = profile.description or profile.name
        self.description.setText(f"{text}\nSets {ports}." if ports else text)

    def show_problems(self, error: ProfileError) -> None:
        self.description.setText(
            f"This profile cannot be used: {len(error.problems)} problem(s) in {error.source}."
        )
        self.problems.clear()
        for problem in error.problems:
            self.problems.addItem(f"✖ {problem}")
        self.problems.setStyleSheet(f"color: {COLOURS[Level.ERROR]};")
        self.problems.show()
        self.show_changes([])
        self.summary.setText("Fix the profile (or choose another) to see what it changes.")

    def set_editable(self, editable: bool) -> None:
        for widget in (
            self.profile_combo,
            self.open_button,
            self.site_edit,
            self.location_edit,
            self.technician_edit,
            self.notes_edit,
        ):
            widget.setEnabled(editable)

    # -- site ------------------------------------------------------------------------------------

    def site_fields(self) -> SiteFields:
        return SiteFields(
            site=self.site_edit.text().strip(),
            location=self.location_edit.text().strip(),
            technician=self.technician_edit.text().strip(),
            notes=self.notes_edit.text().strip(),
        )

    def set_site_fields(self, site: SiteFields) -> None:
        self.site_edit.setText(site.site)
        self.location_edit.setText(site.location)
        self.technician_edit.setText(site.technician)
        self.notes_edit.setText(site.notes)

    # -- diff ------------------------------------------------------------------------------------

    def show_changes(self, changes: Sequence[SettingChange]) -> None:
        self.changes = list(changes)
        palette = self.palette()
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        tint = QColor(palette.color(QPalette.ColorRole.Highlight))
        tint.setAlpha(40)
        bold = QFont(self.font())
        bold.setBold(True)
        self.table.setRowCount(len(self.changes))
        for row, change in enumerate(self.changes):
            marker = "● " if change.changes else "   "
            texts = (marker + change.label, change.before, change.after)
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setToolTip(f"{change.key}: {change.before} → {change.after}")
                if change.changes:
                    item.setFont(bold)
                    item.setBackground(tint)
                else:
                    item.setForeground(muted)
                self.table.setItem(row, column, item)
        changing = sum(1 for c in self.changes if c.changes)
        if self.changes:
            self.summary.setText(
                f"{changing} setting(s) change (bold), {len(self.changes) - changing} already "
                "match (grey). Nothing is written until you press Apply."
            )

    def changed_rows(self) -> list[str]:
        return [c.key for c in self.changes if c.changes]
