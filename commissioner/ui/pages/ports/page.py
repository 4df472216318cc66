"""The Ports page: stage port settings, compare them with the THREAD, apply safely, verify.

Nothing is sent while editing. Apply asks for the confirmations the plan needs (through the
injectable :attr:`PortsPage.confirm`), sends only what changed in a safe order, reads back and
marks each field. Enabled state derives from the session's :class:`ConnectionState` and whether a
request is running; staged edits outlive a lost THREAD, and ports are re-read when it returns.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from commissioner.core.connection.session import ConnectionState, ThreadIdentity
from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.errors import EdgeError
from commissioner.core.edge.rules import PORTS
from commissioner.core.ports.apply import StepEvent, Verdict, advice
from commissioner.core.ports.fields import PortField
from commissioner.core.ports.workspace import PortsWorkspace
from commissioner.ui.pages.ports.panel import PortPanel
from commissioner.ui.pages.ports.progress import StepsView
from commissioner.ui.session_model import SessionModel
from commissioner.ui.tasks import TaskRunner
from commissioner.ui.widgets.inline_status import InlineStatus

Confirm = Callable[[str, str], bool]
HELP = (
    "Edits are staged: nothing is sent until you press Apply. The THREAD reports its port "
    "properties and device connection; it cannot report the interface mode or output voltage, "
    "so those show as inferred (from the measured voltage) or as last applied by this app."
)
BANNERS = {
    ConnectionState.DISCONNECTED: "Not connected. You can stage edits now and apply them once "
    "connected.",
    ConnectionState.CONNECTING: "Connecting…",
    ConnectionState.LOST: "THREAD lost. Your staged edits are kept; the ports are read again "
    "when it returns.",
    ConnectionState.RECONNECTING: "Waiting for the THREAD to return. Your staged edits are kept.",
}


class PortsPage(QWidget):
    sig_step = Signal(object)  # StepEvent of the running apply
    sig_applied = Signal(object)  # ApplyReport of a finished apply

    def __init__(
        self,
        model: SessionModel,
        parent: QWidget | None = None,
        *,
        workspace: PortsWorkspace | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.workspace = workspace if workspace is not None else PortsWorkspace()
        self.settle_s = 0.3
        self.confirm: Confirm = self._ask
        self.runner = TaskRunner(on_error=self._on_task_error, parent=self)
        self.runner.sig_busy_changed.connect(self._on_busy_changed)
        self._refresh_when_idle = False

        intro = QLabel(HELP)
        intro.setWordWrap(True)
        self.banner = InlineStatus()
        self.tabs = QTabWidget()
        self._panels: dict[int, PortPanel] = {}
        for port in PORTS:
            panel = PortPanel(
                port,
                on_edit=self._on_edit,
                on_undo=self._on_undo,
                on_remove=self._on_remove,
                on_measure=self.measure,
                on_loop_current=self.read_loop_current,
            )
            self._panels[port] = panel
            self.tabs.addTab(panel, f"Port {port}")
        self.steps = StepsView()
        self.status = InlineStatus()
        self.apply_reason = QLabel()
        self.apply_reason.setWordWrap(True)
        self.read_button = QPushButton("&Read from THREAD")
        self.revert_button = QPushButton("Re&vert")
        self.revert_button.setToolTip("Drop every staged edit")
        self.apply_button = QPushButton("&Apply")
        self.apply_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.read_button.clicked.connect(self.refresh)
        self.revert_button.clicked.connect(self.revert)
        self.apply_button.clicked.connect(self.apply)
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addWidget(self.read_button)
        buttons.addWidget(self.apply_reason, 1)
        for button in (self.revert_button, self.apply_button, self.cancel_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Ports</h2>"))
        layout.addWidget(intro)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.steps)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

        model.sig_state_changed.connect(self._on_state_changed)
        model.sig_identity_changed.connect(self._on_identity_changed)
        self.workspace.set_serial(model.identity.serial_number if model.identity else None)
        if model.state.usable:
            self.refresh()
        self._render()

    # -- public API -----------------------------------------------------------------------------

    def panel(self, port: int) -> PortPanel:
        return self._panels[port]

    def apply_blocked_reason(self) -> str | None:
        if self.runner.busy:
            return "Busy: wait for the current request, or Cancel it."
        return self.workspace.blocked_reason(self.model.state.usable)

    def refresh(self) -> asyncio.Task[Any] | None:
        """Re-read all three ports; staged edits stay and are compared again."""
        client = self.model.client
        if client is None:
            return None
        if self.runner.busy:
            self._refresh_when_idle = True
            return None
        return self.runner.run(self._refresh(client))

    def apply(self) -> asyncio.Task[Any] | None:
        """Confirm what needs confirming, then send the plan; None when nothing was started."""
        reason = self.apply_blocked_reason()
        client = self.model.client
        if reason is not None or client is None:
            self.status.error(reason or "Not connected.")
            return None
        for ask in self.workspace.confirmations():
            if not self.confirm(ask.title, ask.text):
                self.status.warning(
                    f"Nothing was sent: port {ask.port} at {ask.voltage.label} was not confirmed. "
                    "Your edits are still staged."
                )
                return None
        return self.runner.run(self._apply(client))

    def revert(self) -> None:
        self.workspace.revert()
        self.status.ok("Staged edits dropped; the page shows the THREAD's values.")
        self._render()

    def cancel(self) -> None:
        self.runner.cancel()

    def measure(self, port: int) -> asyncio.Task[Any] | None:
        client = self.model.client
        if client is None or self.runner.busy:
            return None
        return self.runner.run(self._measure(client, port, loop=False))

    def read_loop_current(self, port: int) -> asyncio.Task[Any] | None:
        client = self.model.client
        if client is None or self.runner.busy:
            return None
        return self.runner.run(self._measure(client, port, loop=True))

    async def wait_idle(self) -> None:
        await self.runner.wait_idle()

    async def aclose(self) -> None:
        """Stop every request this page started; the app awaits this on shutdown."""
        self.runner.cancel_all()
        await self.runner.wait_idle()

    # -- requests -------------------------------------------------------------------------------

    async def _refresh(self, client: EdgeClient) -> None:
        self.status.working("Reading ports 1-3 from the THREAD…")
        try:
            await self.workspace.refresh(client)
        except EdgeError as exc:
            self.model.report_error(exc)
            self.status.error(
                f"Could not read the ports: {exc} Your staged edits are kept and compared again "
                "once the ports are read."
            )
            return
        finally:
            self._render()
        stamp = datetime.now().strftime("%H:%M:%S")
        self.status.ok(f"Ports read from THREAD {self.workspace.serial or ''} at {stamp}.")

    async def _apply(self, client: EdgeClient) -> None:
        plan = self.workspace.plan()
        self.steps.start(plan)
        self.status.working(f"Applying {len(plan)} step(s)…")
        try:
            report = await self.workspace.apply(
                client, settle_s=self.settle_s, on_progress=self._on_step
            )
        except asyncio.CancelledError:
            self.steps.cancelled()
            self.status.warning(
                "Apply cancelled. Steps marked ✔ reached the THREAD; the rest of your edits stay "
                "staged. Reading the ports again…"
            )
            self._refresh_when_idle = True
            raise
        if report.failure is not None:
            self.model.report_error(report.failure)
            self.status.error(report.summary())
        elif report.ok:
            self.status.ok(report.summary())
        else:
            failed = report.count(Verdict.FAILED) + report.count(Verdict.UNVERIFIED)
            self.status.warning(f"{report.summary()} See the {failed} marked field(s).")
        self._render()
        self.sig_applied.emit(report)

    async def _measure(self, client: EdgeClient, port: int, *, loop: bool) -> None:
        panel = self._panels[port]
        what = "4-20 mA loop current" if loop else "voltage and current"
        panel.measure_status.working(f"Reading port {port} {what}…")
        try:
            if loop:
                await self.workspace.read_loop_current(client, port)
            else:
                await self.workspace.measure(client, port)
        except EdgeError as exc:
            self.model.report_error(exc)
            panel.measure_status.error(f"Could not read port {port} {what}: {exc} {advice(exc)}")
            return
        panel.measure_status.clear_status()
        self._render()

    def _on_step(self, event: StepEvent) -> None:
        self.steps.update_step(event)
        self.status.working(f"Step {event.index + 1} of {event.total}: {event.step.description}")
        self.sig_step.emit(event)

    # -- reactions ------------------------------------------------------------------------------

    def _on_edit(self, port: int, field: PortField, value: Any) -> None:
        self.workspace.stage(port, field, value)
        self._render()

    def _on_undo(self, port: int, field: PortField) -> None:
        self.workspace.unstage(port, field)
        self._render()

    def _on_remove(self, port: int, field: PortField) -> None:
        if self.workspace.stagings[port].is_removed(field):
            self.workspace.unstage(port, field)
        else:
            self.workspace.remove(port, field)
        self._render()

    def _on_state_changed(self, state: ConnectionState, detail: str) -> None:
        if state.usable:
            self._refresh_when_idle = True
            self._refresh_if_due()
        self._render()

    def _on_identity_changed(self, identity: ThreadIdentity | None) -> None:
        if identity is not None and self.workspace.set_serial(identity.serial_number):
            self._refresh_when_idle = True
        self._render()

    def _on_busy_changed(self, busy: bool) -> None:
        if not busy:
            self._refresh_if_due()
        self._render()

    def _refresh_if_due(self) -> None:
        if self._refresh_when_idle and not self.runner.busy and self.model.client is not None:
            self._refresh_when_idle = False
            self.refresh()

    def _on_task_error(self, error: BaseException) -> None:
        self.model.report_error(error)
        if not isinstance(error, EdgeError):
            self.status.error(f"Unexpected error: {error!r}. Read from THREAD to check the ports.")
        self._render()

    def _ask(self, title: str, text: str) -> bool:
        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, buttons, self)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    # -- drawing --------------------------------------------------------------------------------

    def _render(self) -> None:
        state, busy = self.model.state, self.runner.busy
        ws = self.workspace
        for port, panel in self._panels.items():
            review = ws.review(port)
            panel.render(
                ws.devices[port],
                ws.stagings[port].edits,
                review,
                ws.verdicts[port],
                editable=not busy,
                can_measure=state.usable and not busy and ws.devices[port] is not None,
            )
            title = f"Port {port}"
            if review.errors:
                title += " ⚠ invalid"
            elif review.changes:
                title += f" • {len(review.changes)} pending"
            if any(v.verdict is Verdict.FAILED for v in ws.verdicts[port].values()):
                title += " ✖"
            self.tabs.setTabText(self.tabs.indexOf(panel), title)
        banner = BANNERS.get(state)
        if banner is None:
            self.banner.clear_status()
        elif state is ConnectionState.CONNECTING:
            self.banner.working(banner)
        else:
            self.banner.warning(banner)
        reason = self.apply_blocked_reason()
        self.apply_button.setEnabled(reason is None)
        self.apply_reason.setText("" if reason is None or busy else reason)
        self.read_button.setEnabled(state.usable and not busy)
        self.revert_button.setEnabled(ws.has_edits and not busy)
        self.cancel_button.setEnabled(busy)
