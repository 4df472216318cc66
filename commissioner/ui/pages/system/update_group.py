"""Application update: latest, a given version, or a .jar on the THREAD; progress; new version.

The target is validated before the confirmation, so the dialog only ever asks about something that
can be sent. While the THREAD restarts the progress stays visible (the other controls are off,
because nothing can be sent), and the installed version is re-read when it is back.
"""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from commissioner.core.connection.session import ThreadIdentity
from commissioner.core.edge.errors import EdgeError, EdgeValidationError
from commissioner.core.system import (
    Phase,
    UpdateOptions,
    UpdateSource,
    UpdateTarget,
    explanations,
    run_update,
)
from commissioner.ui.pages.system.away_progress import AwayProgress
from commissioner.ui.pages.system.group import ActionGroup, Confirm, describe_error, explanation
from commissioner.ui.session_model import SessionModel
from commissioner.ui.widgets.inline_status import Level


class UpdateGroup(ActionGroup):
    def __init__(self, model: SessionModel, confirm: Confirm, parent: QWidget | None = None):
        super().__init__("Application update", model, confirm, parent)
        self.options = UpdateOptions()
        self._sent = False
        self.installed_label = QLabel("—")
        font = QFont(self.installed_label.font())
        font.setBold(True)
        self.installed_label.setFont(font)
        self.latest_radio = QRadioButton("Latest version")
        self.version_radio = QRadioButton("Version:")
        self.file_radio = QRadioButton("File on the THREAD:")
        self.latest_radio.setChecked(True)
        self.sources = QButtonGroup(self)
        for radio in (self.latest_radio, self.version_radio, self.file_radio):
            self.sources.addButton(radio)
            radio.toggled.connect(lambda _on: self._refresh_enabled())
        self.version_edit = QLineEdit()
        self.version_edit.setPlaceholderText("for example 7.19.0")
        self.file_edit = QLineEdit()
        self.file_edit.setPlaceholderText("full path, for example /tmp/snoopy-1.2.3.jar")
        self.update_button = QPushButton("&Update…")
        self.update_button.clicked.connect(self._on_update_clicked)
        self.progress = AwayProgress()
        self.progress.sig_stop_requested.connect(lambda: self.cancel())
        self.controls = [self.latest_radio, self.version_radio, self.file_radio, self.update_button]

        grid = QGridLayout()
        grid.addWidget(QLabel("Installed:"), 0, 0)
        grid.addWidget(self.installed_label, 0, 1)
        grid.addWidget(self.latest_radio, 1, 0, 1, 2)
        grid.addWidget(self.version_radio, 2, 0)
        grid.addWidget(self.version_edit, 2, 1)
        grid.addWidget(self.file_radio, 3, 0)
        grid.addWidget(self.file_edit, 3, 1)
        grid.setColumnStretch(1, 1)
        button_row = QHBoxLayout()
        button_row.addWidget(explanation(explanations.UPDATE), 1)
        button_row.addWidget(self.update_button)
        self.layout_.addLayout(grid)
        self.layout_.addLayout(button_row)
        self.layout_.addWidget(self.progress)
        self.layout_.addWidget(self.status)
        self.show_identity(model.identity)
        self._refresh_enabled()

    def refresh_extra_enabled(self, on: bool) -> None:
        self.version_edit.setEnabled(on and self.version_radio.isChecked())
        self.file_edit.setEnabled(on and self.file_radio.isChecked())

    def show_identity(self, identity: ThreadIdentity | None) -> None:
        if not self.busy:
            self.installed_label.setText(identity.versions.application if identity else "—")

    def target(self) -> UpdateTarget:
        """The chosen target, validated; raises EdgeValidationError with the reason."""
        if self.version_radio.isChecked():
            return UpdateTarget.parse(UpdateSource.VERSION, self.version_edit.text())
        if self.file_radio.isChecked():
            return UpdateTarget.parse(UpdateSource.FILE, self.file_edit.text())
        return UpdateTarget.latest()

    def _on_update_clicked(self) -> None:
        try:
            target = self.target()
        except EdgeValidationError as exc:
            self.status.error(describe_error(exc))
            return
        identity = self.model.identity
        who = f"THREAD {identity.serial_number}" if identity else "the THREAD"
        installed = f" from {self.installed_label.text()}" if identity else ""
        if not self.confirm(
            "Update the THREAD application?",
            f"Update {who}{installed} to {target.describe()}?\n\nThe THREAD restarts and does not "
            "answer, stream or send data while it installs (often a minute or more). This app "
            "waits, shows progress and reconnects; stopping the wait does not stop the update.",
        ):
            self.status.show_status(Level.NONE, "Not sent: the application is unchanged.")
            return
        self.start(self._update(target), f"Updating to {target.describe()}…")

    async def _update(self, target: UpdateTarget) -> None:
        self._sent = False
        client = self.model.require_client()

        def on_sent(announced: str | None) -> None:
            self._sent = True
            what = f"version {announced}" if announced else target.describe()
            self.model.session.expect_absence(
                self.options.expected_restart_s,
                f"THREAD installing {what} and restarting; reconnecting when it is back",
            )

        self.progress.begin("Reading the installed version…")
        self.status.clear_status()  # the progress line speaks from here on
        try:
            result = await run_update(
                client,
                target,
                options=self.options,
                on_progress=self.progress.show_progress,
                on_sent=on_sent,
            )
        finally:
            self.progress.finish()
        self.installed_label.setText(result.new_version)
        self.nudge_session()
        summary = result.summary()
        try:
            await self.model.session.refresh_identity()
        except EdgeError as exc:
            summary += f" The app could not re-read the THREAD's identity yet ({exc})."
        if result.changed and result.same_unit:
            self.status.ok(summary)
        else:
            self.status.warning(summary)

    def cancelled_text(self) -> str:
        if self._sent:
            return (
                "Stopped waiting. The THREAD carries on installing by itself; the app reconnects "
                "when it answers. Check the installed version then."
            )
        last = self.progress.last
        if last is not None and last.phase is Phase.SENDING:
            return (
                "Stopped while the request was on its way: the THREAD may still install it. "
                "Check the installed version once it answers."
            )
        return "Stopped before anything was sent: the application is unchanged."
