"""The System page: identify, LED and cloud, network, battery saver, sleep, update, message.

Each group owns its requests, status line and enabled state; this page only lays them out, turns
connection changes into "enable/disable" and "read what you show", and keeps the two jobs that
send the THREAD away (sleep, update) from overlapping.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from commissioner.core.connection.session import ConnectionState, ThreadIdentity
from commissioner.ui.pages.system.battery import BatterySaverGroup
from commissioner.ui.pages.system.group import ActionGroup
from commissioner.ui.pages.system.led_cloud import IdentifyGroup, LedCloudGroup
from commissioner.ui.pages.system.message import MessageGroup
from commissioner.ui.pages.system.network import NetworkGroup
from commissioner.ui.pages.system.sleep_group import SleepGroup
from commissioner.ui.pages.system.update_group import UpdateGroup
from commissioner.ui.session_model import SessionModel
from commissioner.ui.widgets.inline_status import InlineStatus, Level


class SystemPage(QWidget):
    """Gateway-wide settings and actions of the connected THREAD. Call :meth:`aclose` on shutdown."""

    def __init__(self, model: SessionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._usable = False

        def confirm(title: str, text: str) -> bool:
            return self.confirm(title, text)  # late-bound, so tests can replace page.confirm

        self.identify = IdentifyGroup(model, confirm)
        self.led_cloud = LedCloudGroup(model, confirm)
        self.network = NetworkGroup(model, confirm)
        self.battery = BatterySaverGroup(model, confirm)
        self.sleep = SleepGroup(model, confirm)
        self.update_group = UpdateGroup(model, confirm)
        self.message = MessageGroup(model, confirm)
        self.groups: tuple[ActionGroup, ...] = (
            self.identify,
            self.led_cloud,
            self.network,
            self.battery,
            self.sleep,
            self.update_group,
            self.message,
        )
        self.away_groups: tuple[ActionGroup, ...] = (self.sleep, self.update_group)
        for group in self.away_groups:
            group.runner.sig_busy_changed.connect(lambda _busy: self._update_enabled())

        self.title = QLabel("<h2>System</h2>")
        self.connection_status = InlineStatus()
        self._build_layout()
        model.sig_state_changed.connect(self._on_state_changed)
        model.sig_identity_changed.connect(self._on_identity_changed)
        self._on_state_changed(model.state, model.session.detail)

    def _build_layout(self) -> None:
        columns = QHBoxLayout()
        left: tuple[ActionGroup, ...] = (self.identify, self.led_cloud, self.network, self.battery)
        right: tuple[ActionGroup, ...] = (self.update_group, self.sleep, self.message)
        for groups in (left, right):
            column = QVBoxLayout()
            for group in groups:
                column.addWidget(group)
            column.addStretch(1)
            columns.addLayout(column, 1)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addWidget(self.title)
        body_layout.addWidget(self.connection_status)
        body_layout.addLayout(columns, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def confirm(self, title: str, text: str) -> bool:
        """Ask before something hard to undo; replaced in tests by a plain callable."""
        answer = QMessageBox.question(
            self,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    # -- connection -----------------------------------------------------------------------------

    def _on_state_changed(self, state: ConnectionState, detail: str) -> None:
        came_back = state.usable and not self._usable
        self._usable = state.usable
        self._show_connection(state, detail)
        if state is ConnectionState.DISCONNECTED:
            for group in self.away_groups:
                group.cancel("Stopped waiting: you disconnected. Connect again to see the result.")
        self._update_enabled()
        if came_back:
            for group in self.groups:
                if not group.busy:
                    group.on_connected()

    def _on_identity_changed(self, identity: ThreadIdentity | None) -> None:
        self.update_group.show_identity(identity)
        if identity is None:
            for group in self.groups:
                group.forget()
        self._show_connection(self.model.state, self.model.session.detail)

    def _show_connection(self, state: ConnectionState, detail: str) -> None:
        identity = self.model.identity
        if state.usable and identity is not None:
            self.connection_status.show_status(
                Level.NONE, f"THREAD {identity.serial_number}: changes apply to this unit."
            )
        elif state.attached:
            self.connection_status.warning(
                f"{detail.rstrip('.…')}. The controls return once the app has reconnected."
            )
        else:
            self.connection_status.show_status(
                Level.NONE,
                "Not connected. Connect to a THREAD on the Connection page to use these controls.",
            )

    def _update_enabled(self) -> None:
        for group in self.groups:
            blocked = group in self.away_groups and any(
                other.busy for other in self.away_groups if other is not group
            )
            group.set_connection(self._usable, blocked)

    # -- lifecycle ------------------------------------------------------------------------------

    @property
    def busy_groups(self) -> Sequence[ActionGroup]:
        return [group for group in self.groups if group.busy]

    async def wait_idle(self) -> None:
        """For tests and shutdown: until every group's job has finished."""
        for group in self.groups:
            await group.runner.wait_idle()

    async def aclose(self) -> None:
        """Cancel every running job (the THREAD is not affected) and wait until they stop."""
        for group in self.groups:
            group.runner.cancel_all()
        await self.wait_idle()
