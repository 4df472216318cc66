"""Register tab: connection, location, the port mapping, preview, register, queue for later.

The draft is saved in settings per THREAD serial on every preview/register, so nothing typed is
lost on a restart. Register always goes through the workspace (journal first), so a registration
made while the cloud is down is queued and delivered later by the flusher, exactly once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from commissioner.core.cloud.auth import AuthStatus
from commissioner.core.cloud.errors import FieldProblem
from commissioner.core.cloud.journal import RegistrationStatus
from commissioner.core.cloud.port_mapping import RegistrationDraft, default_draft
from commissioner.core.cloud.registrar import RegistrationOutcome
from commissioner.core.cloud.registration import RegistrationSpec
from commissioner.core.sensor_catalogue import SensorModel
from commissioner.core.settings import Settings
from commissioner.ui.pages.cloud.dialogs import PreviewDialog, describe_cloud_error, problem_text
from commissioner.ui.pages.cloud.mapping_table import COLUMNS, MappingTable
from commissioner.ui.pages.cloud.model import CloudModel
from commissioner.ui.pages.cloud.site_form import SiteForm
from commissioner.ui.tasks import TaskRunner
from commissioner.ui.widgets.inline_status import InlineStatus

PortModes = Callable[[str], Mapping[int, str]]


class RegisterTab(QWidget):
    def __init__(
        self,
        model: CloudModel,
        settings: Settings,
        save_settings: Callable[[], None],
        models: list[SensorModel],
        port_modes: PortModes,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model, self.settings, self.save_settings = model, settings, save_settings
        self.models, self.port_modes = models, port_modes
        self.serial: str | None = None
        self.draft: RegistrationDraft | None = None
        self.last_outcome: RegistrationOutcome | None = None
        self.preview_dialog: PreviewDialog | None = None
        self.runner = TaskRunner(self._on_error, self)
        self.runner.sig_busy_changed.connect(lambda _b: self._update_enabled())

        self.site = SiteForm()
        self.thread_label = self.site.thread_label
        self.location_check = self.site.location_check
        self.longitude, self.latitude = self.site.longitude, self.site.latitude
        self.elevation = self.site.elevation
        self.templates_label = QLabel()
        self.refresh_button = QPushButton("Refresh templates")
        self.table = MappingTable()
        self.ids_label = QLabel()
        self.ids_label.setWordWrap(True)
        self.ids_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.ids_label.setVisible(False)
        self.problem_list = QListWidget()
        self.problem_list.setMaximumHeight(90)
        self.problem_list.setVisible(False)
        self.preview_button = QPushButton("Preview…")
        self.register_button = QPushButton("Register")
        self.register_button.setDefault(True)
        self.queue_button = QPushButton("Queue for later")
        self.status = InlineStatus()
        self._build_layout()

        self.refresh_button.clicked.connect(self.refresh_templates)
        self.preview_button.clicked.connect(self.preview)
        self.register_button.clicked.connect(self.register)
        self.queue_button.clicked.connect(self.queue_for_later)
        model.sig_workspace_changed.connect(self._on_workspace_changed)
        model.sig_templates_changed.connect(self._show_templates)
        model.sig_auth_changed.connect(lambda *_a: self._update_enabled())
        model.sig_wait.connect(self._on_wait)
        self.set_thread(None)

    def _build_layout(self) -> None:
        templates = QHBoxLayout()
        templates.addWidget(self.templates_label, 1)
        templates.addWidget(self.refresh_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.register_button)
        buttons.addWidget(self.queue_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.site)
        layout.addLayout(templates)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.ids_label)
        layout.addWidget(self.problem_list)
        layout.addLayout(buttons)
        layout.addWidget(self.status)

    # -- the THREAD and its draft --------------------------------------------------------------

    def set_thread(self, serial: str | None) -> None:
        if serial is not None and serial == self.serial:
            return
        self.serial = serial
        if serial is None:
            self.thread_label.setText(
                "Connect to a THREAD on the Connection page to map its ports to cloud devices."
            )
            self.draft = None
            self.table.setRowCount(0)
            self._update_enabled()
            return
        self.thread_label.setText(f"<b>THREAD {serial}</b>: one cloud device per enabled port.")
        saved = RegistrationDraft.from_json(self.settings.registration_drafts.get(serial))
        if saved is None or saved.thread_serial != serial:
            saved = default_draft(serial, self.models, self.port_modes(serial))
        self.draft = saved
        self.site.load(saved)
        device_types, sensor_types = self._template_ids()
        self.table.set_draft(saved, self.models, device_types, sensor_types)
        self._show_known_ids()
        self._update_enabled()

    def _template_ids(self) -> tuple[list[str], list[str]]:
        ws = self.model.workspace
        devices = {m.device_template for m in self.models}
        sensors = {m.sensor_template for m in self.models}
        if ws is not None and ws.templates.loaded:
            return [t.id for t in ws.templates.device_types], [
                t.id for t in ws.templates.sensor_types
            ]
        return sorted(devices), sorted(sensors)

    def _on_workspace_changed(self) -> None:
        self._show_templates()
        self._show_known_ids()
        self._update_enabled()

    def _show_templates(self) -> None:
        ws = self.model.workspace
        age = ws.templates.age if ws is not None else None
        if age is None:
            self.templates_label.setText(
                "Templates: none fetched yet; the sensor catalogue's are offered. Sign in and "
                "refresh to check them against the cloud."
            )
        else:
            minutes = int(age.total_seconds() // 60)
            when = "just now" if minutes < 1 else f"{minutes} min ago"
            if minutes >= 120:
                when = f"{minutes // 60} h ago"
            self.templates_label.setText(f"Templates: fetched from the cloud {when}.")
        self.table.set_templates(*self._template_ids())

    def _show_known_ids(self) -> None:
        ws = self.model.workspace
        if ws is None or self.serial is None:
            return
        ids: dict[int, list[str]] = {}
        node = ""
        for entity in ws.journal.entity_ids(self.serial):
            if entity.kind == "node":
                node = entity.cloud_id
            elif entity.port is not None:
                ids.setdefault(entity.port, []).append(entity.cloud_id)
        self.table.show_ids({port: "; ".join(sorted(v)) for port, v in ids.items()})
        lines = [f"Port {port}: {', '.join(sorted(v))}" for port, v in sorted(ids.items())]
        if node:
            lines.insert(0, f"Connection (node): {node}")
        self.ids_label.setText("Cloud ids — " + " · ".join(lines) if lines else "")
        self.ids_label.setVisible(bool(lines))
        self.thread_label.setText(
            f"<b>THREAD {self.serial}</b>: registered as connection {node}."
            if node
            else f"<b>THREAD {self.serial}</b>: one cloud device per enabled port."
        )

    def _update_enabled(self, *_args: Any) -> None:
        has_draft = self.draft is not None
        busy = self.runner.busy
        self.preview_button.setEnabled(has_draft)
        self.queue_button.setEnabled(has_draft and not busy)
        self.register_button.setEnabled(has_draft and not busy)
        self.refresh_button.setEnabled(not busy)

    # -- collecting ----------------------------------------------------------------------------

    def collect(self) -> tuple[RegistrationSpec, dict[tuple[int, int], str]] | None:
        """The spec for the current inputs and the local problems; the draft is saved."""
        draft = self.draft
        if draft is None:
            return None
        problems = self.table.read_back()
        self.site.apply(draft)
        self.settings.registration_drafts[draft.thread_serial] = draft.as_json()
        self.save_settings()
        ws = self.model.workspace
        project = ws.profile.project_id if ws is not None else ""
        return draft.to_spec(project), problems

    def show_problems(
        self, local: dict[tuple[int, int], str], cloud: list[FieldProblem]
    ) -> list[str]:
        marks = dict(local)
        texts = [
            f"Port {self.draft.ports[r].port if self.draft else r + 1}, {COLUMNS[c]}: {t}"
            for (r, c), t in local.items()
        ]
        for problem in cloud:
            where = self.table.locate(problem)
            if where is not None:
                marks.setdefault(where, problem.message)
            texts.append(problem_text(problem))
        if self.draft is not None and not self.table.enabled_rows():
            texts.append("No port is ticked for registration.")
        self.table.mark_problems(marks)
        self.problem_list.clear()
        self.problem_list.addItems(texts)
        self.problem_list.setVisible(bool(texts))
        return texts

    # -- actions -------------------------------------------------------------------------------

    def preview(self) -> None:
        collected = self.collect()
        ws = self.model.workspace
        if collected is None or ws is None:
            self.status.warning("Nothing to preview yet: connect to a THREAD and open a profile.")
            return
        spec, local = collected
        request, problems = ws.preview(spec)
        texts = self.show_problems(local, problems)
        self.preview_dialog = PreviewDialog(request, [FieldProblem(t) for t in texts], self)
        self.preview_dialog.open()

    def refresh_templates(self) -> None:
        self.runner.run(self._refresh_templates())

    async def _refresh_templates(self) -> None:
        ws = await self.model.ensure_workspace()
        self.status.working("Fetching device, sensor and metric templates…")
        await ws.refresh_templates()
        self.model.sig_templates_changed.emit()
        self.status.ok(
            f"Templates refreshed: {len(ws.templates.device_types)} device and "
            f"{len(ws.templates.sensor_types)} sensor templates."
        )

    def _checked_spec(self) -> RegistrationSpec | None:
        collected = self.collect()
        if collected is None:
            self.status.warning("Connect to a THREAD first.")
            return None
        spec, local = collected
        ws = self.model.workspace
        cloud = ws.preview(spec)[1] if ws is not None else []
        if self.show_problems(local, cloud):
            self.status.error("Not sent: fix the problems marked in the table, then try again.")
            return None
        return spec

    def register(self) -> None:
        spec = self._checked_spec()
        if spec is not None:
            self.runner.run(self._register(spec))

    async def _register(self, spec: RegistrationSpec) -> None:
        ws = await self.model.ensure_workspace()
        if not ws.auth.signed_in:
            self.status.warning(
                "Not signed in: use Sign in above first (nothing was sent), or queue it for later."
            )
            return
        self.status.working("Registering…")
        outcome = await ws.register(spec)
        self.show_outcome(outcome)

    def show_outcome(self, outcome: RegistrationOutcome) -> None:
        self.last_outcome = outcome
        self.model.sig_queue_changed.emit(None)
        ws = self.model.workspace
        if outcome.status is RegistrationStatus.SENT:
            self._show_known_ids()
            self.status.ok(
                f"Registered (#{outcome.registration_id}) in connection {outcome.node_id}: "
                f"{outcome.created} created, {outcome.updated} updated, {outcome.skipped} "
                "already there. Check it on the Verify tab."
            )
        elif outcome.status is RegistrationStatus.PENDING:
            expired = ws is not None and ws.auth.status is not AuthStatus.SIGNED_IN
            then = " Sign in again; it is sent after that." if expired else ""
            self.status.warning(
                f"Queued (#{outcome.registration_id}): {outcome.reason} It will be sent "
                f"automatically.{then}"
            )
        else:
            self.show_problems({}, outcome.problems)
            self.status.error(f"Not registered (#{outcome.registration_id}): {outcome.reason}")

    def queue_for_later(self) -> None:
        spec = self._checked_spec()
        ws = self.model.workspace
        if spec is None or ws is None:
            return
        rid = ws.queue_only(spec)
        self.model.sig_queue_changed.emit(None)
        self.status.ok(f"Queued as #{rid}; it is sent automatically when the cloud is reachable.")

    def _on_wait(self, seconds: float, reason: str) -> None:
        if self.runner.busy:
            self.status.warning(f"The cloud asked to wait ({reason}): retrying in {seconds:.0f} s…")

    def _on_error(self, exc: BaseException) -> None:
        self.status.error(describe_cloud_error(exc))
