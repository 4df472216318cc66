"""The Commission page: the guided run of one THREAD, step by step, plus the audit of past runs.

The page is thin on purpose: every decision about the THREAD is the engine's
(:class:`CommissioningSession`, the same one the headless ``commissioner commission`` drives);
the page shows where the run is, asks the installer at each decision, and turns errors into a
sentence and a next step. The footer's main button is always "the next thing to do", derived from
the run's state in :meth:`CommissionPage._next_step`; "Roll back to snapshot" sits beside it from
the moment a snapshot exists.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from commissioner.core.commissioning.journal import CommissioningJournal
from commissioner.core.commissioning.profile import list_example_profiles, load_profile
from commissioner.core.commissioning.profile_model import CommissioningProfile, ProfileError
from commissioner.core.commissioning.run_model import RunStatus, SiteFields, Stage
from commissioner.core.commissioning.session import RollbackOutcome, RunOptions
from commissioner.core.connection.session import ThreadIdentity as LinkIdentity
from commissioner.core.sensor_catalogue import SensorModel
from commissioner.core.settings import data_dir
from commissioner.reporting.pdf import ReportFiles
from commissioner.ui.pages.cloud.model import CloudModel
from commissioner.ui.pages.commission.apply_step import ApplyStep
from commissioner.ui.pages.commission.audit_view import AuditView
from commissioner.ui.pages.commission.closing_flows import Flows
from commissioner.ui.pages.commission.cloud_steps import ConfirmStep, RegisterStep
from commissioner.ui.pages.commission.controller import RunController
from commissioner.ui.pages.commission.identify_steps import ConnectStep, SnapshotStep
from commissioner.ui.pages.commission.plan_step import PlanStep
from commissioner.ui.pages.commission.report_step import ReportStep
from commissioner.ui.pages.commission.step_list import ORDER, StepList, index_of
from commissioner.ui.pages.commission.verify_step import VerifyStep
from commissioner.ui.session_model import SessionModel
from commissioner.ui.widgets.inline_status import InlineStatus

log = logging.getLogger(__name__)
Confirm = Callable[[str, str], bool]
NextStep = tuple[str, Callable[[], None] | None, bool]  # text, action, needs the THREAD


class CommissionPage(QWidget):
    sig_open_page = Signal(str)  # a page key the user asked to go to ("connection", "cloud")

    def __init__(
        self,
        model: SessionModel,
        journal: CommissioningJournal,
        *,
        cloud: CloudModel | None = None,
        options: RunOptions | None = None,
        report_folder: Path | None = None,
        catalogue: Sequence[SensorModel] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model, self.journal = model, journal
        self.controller = RunController(
            model, journal, cloud=cloud, options=options, catalogue=catalogue, parent=self
        )
        self.report_folder = report_folder or data_dir() / "reports"
        self.confirm: Confirm = self._ask  # injectable (tests answer without a dialog)
        self.choose_profile_file: Callable[[], str | None] = self._choose_file
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl
        self.profile: CommissioningProfile | None = None
        self.planned_for: tuple[CommissioningProfile, SiteFields] | None = None
        self.verified = self.confirmed = False
        self.report_files: ReportFiles | None = None
        self.rollback_outcome: RollbackOutcome | None = None
        self._cancellable = self._rolling_back = False
        self.cloud_state = "unknown"  # none | offline | signed out | ready (set by Register)

        self.flows = Flows(self)  # the steps' coroutines; the page keeps the widgets and state
        self.steps = StepList()
        self.connect_step, self.snapshot_step = ConnectStep(), SnapshotStep()
        self.plan_step, self.apply_step, self.verify_step = PlanStep(), ApplyStep(), VerifyStep()
        self.register_step, self.confirm_step = RegisterStep(), ConfirmStep()
        self.report_step = ReportStep()
        self.stack = QStackedWidget()
        for widget in (
            self.connect_step,
            self.snapshot_step,
            self.plan_step,
            self.apply_step,
            self.verify_step,
            self.register_step,
            self.confirm_step,
            self.report_step,
        ):
            self.stack.addWidget(widget)
        self.status = InlineStatus()
        self.rollback_button = QPushButton("Roll back to snapshot…")
        self.rollback_button.setToolTip("Put every setting back as it was when the run began")
        self.cancel_button = QPushButton("Cancel")
        self.primary_button = QPushButton("Start new run")
        self.primary_button.setDefault(True)
        self.primary_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.primary_button.setMinimumWidth(200)
        for button in (self.rollback_button, self.cancel_button, self.primary_button):
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        footer = QHBoxLayout()
        footer.addWidget(self.rollback_button)
        footer.addWidget(self.status, 1)
        footer.addStretch(0)  # keeps the buttons their size while the status line is empty
        footer.addWidget(self.cancel_button)
        footer.addWidget(self.primary_button)
        content = QVBoxLayout()
        content.addWidget(self.stack, 1)
        content.addLayout(footer)
        run_tab = QWidget()
        body = QHBoxLayout(run_tab)
        body.addWidget(self.steps)
        body.addLayout(content, 1)
        self.audit = AuditView(journal)
        self.tabs = QTabWidget()
        self.tabs.addTab(run_tab, "Run")
        self.tabs.addTab(self.audit, "Audit")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Commission</h2>"))
        layout.addWidget(self.tabs, 1)

        self._wire()
        self._load_examples()
        self.plan_step.technician_edit.setText(self.controller.last_technician())
        self._on_link_changed()

    @property
    def options(self) -> RunOptions:
        return self.controller.options

    @options.setter
    def options(self, options: RunOptions) -> None:
        self.controller.options = options

    def _wire(self) -> None:
        self.controller.sig_events.connect(self.flows._on_events)
        self.controller.runner.sig_busy_changed.connect(self._on_busy_changed)
        self.model.sig_state_changed.connect(self._on_state_changed)
        self.model.sig_identity_changed.connect(self._on_identity)
        self.steps.sig_step_chosen.connect(self._view)
        self.primary_button.clicked.connect(self._on_primary)
        self.cancel_button.clicked.connect(self.controller.runner.cancel)
        self.rollback_button.clicked.connect(self.flows.roll_back)
        self.connect_step.sig_resume.connect(self.flows.resume)
        self.connect_step.sig_open_connection.connect(lambda: self.sig_open_page.emit("connection"))
        self.plan_step.sig_profile_chosen.connect(self.flows.choose_profile)
        self.plan_step.sig_open_requested.connect(self.flows.open_profile)
        self.apply_step.sig_retry.connect(self.flows.retry)
        self.apply_step.sig_skip.connect(self.flows.skip)
        self.apply_step.sig_rollback.connect(self.flows.roll_back)
        self.verify_step.sig_accept_scan.connect(self.flows.accept_scan)
        self.verify_step.sig_verify_again.connect(self.flows.verify)
        self.register_step.sig_sign_in.connect(self.flows.sign_in)
        self.register_step.sig_queue.connect(self.flows.queue_registration)
        self.register_step.sig_skip.connect(self.flows.skip_registration)
        self.report_step.sig_open.connect(self.flows.open_report)

    def _load_examples(self) -> None:
        for path in list_example_profiles():
            try:
                title = load_profile(path, self.controller.catalogue).name
            except ProfileError:
                title = f"{path.stem} (has problems)"
            self.plan_step.add_profile(path, title)
        mixed = self.plan_step.profile_combo.findText("Mixed three-port install")
        self.plan_step.profile_combo.setCurrentIndex(max(0, mixed))
        self.flows.choose_profile()

    # -- where the run is --------------------------------------------------------------------------

    @property
    def current(self) -> Stage:
        return self.steps.current

    def _set_current(self, stage: Stage) -> None:
        self.steps.set_current(stage)
        self.stack.setCurrentIndex(index_of(stage))
        self.plan_step.set_editable(stage is Stage.PLAN)
        self._refresh()

    def _view(self, stage: Stage) -> None:
        self.steps.set_viewing(stage)
        self.stack.setCurrentIndex(index_of(stage))

    def _next_step(self) -> NextStep | None:
        """The main button as a table of the run's state: (text, action, needs the THREAD)."""
        session = self.controller.session
        if session is None:
            return ("Start new run", self.flows.start_new, True)
        stage = self.current
        if stage in (Stage.CONNECT, Stage.SNAPSHOT):
            if session.snapshot is None:
                return ("Take snapshot", self.flows.take_snapshot, True)
            return ("Next: plan", self.flows.go_plan, False)
        if stage is Stage.PLAN:
            if self.profile is None:
                return ("Choose a usable profile", None, True)
            count = len(session.actions) if self.planned_for else 0
            text = f"Apply: {count} write(s)" if count else "Apply"
            if self.planned_for and not count:
                text = "Nothing to write: verify"
            return (text, self.flows.apply_plan, True)
        if stage is Stage.APPLY:
            if session.failed_action is not None:
                return None  # Retry / Skip / Roll back in the step
            left = len(session.actions) - session.next_action
            return (f"Apply remaining {left} write(s)", self.flows.apply_remaining, True)
        if stage is Stage.VERIFY:
            if not self.verified or session.stage is Stage.VERIFY:
                return ("Verify", self.flows.verify, True)
            return ("Next: register", self.flows.go_register, False)
        if stage is Stage.REGISTER:
            if session.profile is not None and session.profile.cloud is None:
                return ("Continue: nothing to register", self.flows.register_now, False)
            if self.cloud_state == "none":
                return ("Skip registration", self.flows.skip_registration, False)
            if self.cloud_state in ("offline", "signed out"):
                return ("Queue for later", self.flows.queue_registration, False)
            return ("Register now", self.flows.register_now, False)
        if stage is Stage.CONFIRM:
            if not self.confirmed:
                return ("Confirm in the cloud", self.flows.confirm_cloud, False)
            return ("Finish and write report", self.flows.go_report, False)
        if self.report_files is None:
            return ("Write report", self.flows.write_report, False)
        return ("Start another run", self.flows.start_another, False)

    def _on_primary(self) -> None:
        spec = self._next_step()
        if spec is not None and spec[1] is not None:
            self._view(self.current)
            spec[1]()

    def _refresh(self) -> None:
        busy = self.controller.runner.busy
        usable = self.model.client is not None
        spec = self._next_step()
        self.primary_button.setVisible(spec is not None)
        if spec is not None:
            text, action, needs_thread = spec
            self.primary_button.setText(text)
            self.primary_button.setEnabled(
                action is not None and not busy and (usable or not needs_thread)
            )
        self.cancel_button.setVisible(busy and self._cancellable)
        session = self.controller.session
        has_snapshot = session is not None and session.snapshot is not None
        self.rollback_button.setVisible(has_snapshot)
        self.rollback_button.setEnabled(has_snapshot and usable and not busy)
        here = self.current
        self.apply_step.set_buttons_enabled(not busy and usable and here is Stage.APPLY)
        self.register_step.set_buttons_enabled(not busy and here is Stage.REGISTER)
        self.verify_step.set_actions_enabled(not busy and usable and here is Stage.VERIFY)
        self.plan_step.set_editable(here is Stage.PLAN and not busy)

    # -- the app's connection --------------------------------------------------------------------

    def _on_busy_changed(self, _busy: bool) -> None:
        self._refresh()

    def _on_state_changed(self, _state: object, _detail: str) -> None:
        self._on_link_changed()

    def _on_link_changed(self) -> None:
        identity = self.model.identity
        self.connect_step.show_link(self.model.state, identity)
        if self.controller.session is None and identity is not None:
            self.connect_step.show_unfinished(self.controller.unfinished(identity.serial_number))
        self._refresh()

    def _on_identity(self, identity: LinkIdentity | None) -> None:
        session = self.controller.session
        if (
            session is not None
            and session.identity is not None
            and identity is not None
            and identity.serial_number != session.identity.serial
        ):
            run_id, serial = session.run_id, session.identity.serial
            self.controller.drop()
            self.flows.reset_run()
            if session.status is RunStatus.IN_PROGRESS:
                self.status.warning(
                    f"Another THREAD ({identity.serial_number}) is connected. Run {run_id} of "
                    f"THREAD {serial} is kept in the journal: resume it when that THREAD is back."
                )
        self._on_link_changed()

    # -- dialogs (replaced in tests) -------------------------------------------------------------

    def _ask(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def _choose_file(self) -> str | None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Open a commissioning profile", "", "Commissioning profiles (*.toml)"
        )
        return name or None

    async def wait_idle(self) -> None:
        await self.controller.runner.wait_idle()

    async def aclose(self) -> None:
        await self.controller.aclose()


__all__ = ["ORDER", "CommissionPage"]
