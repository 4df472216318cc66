"""Connection page: choose how to reach the THREAD, connect in one click, see who answered.

USB uses the THREAD's USB network address from settings, Ethernet a host typed by the user, and
Simulator the built-in simulated THREAD. Recent connections and discovery results connect on
double-click. Discovery only asks the addresses the user listed.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from commissioner.core.connection.discovery import Probe, discover, parse_candidates
from commissioner.core.connection.session import ConnectionState, ThreadIdentity
from commissioner.core.connection.targets import ConnectionKind, ConnectionTarget
from commissioner.core.edge.errors import EdgeError
from commissioner.core.settings import Settings
from commissioner.ui.pages.connection.identity_box import IdentityBox
from commissioner.ui.session_model import SessionModel
from commissioner.ui.tasks import TaskRunner
from commissioner.ui.widgets.inline_status import InlineStatus

ADDRESS_HINT = {
    ConnectionKind.USB: "The THREAD's USB network address (set once; saved for next time)",
    ConnectionKind.ETHERNET: "Host name or IP address, optionally with :port",
    ConnectionKind.SIMULATOR: "The built-in simulated THREAD runs inside this app on 127.0.0.1",
}


class ConnectionPage(QWidget):
    def __init__(
        self,
        model: SessionModel,
        settings: Settings,
        save_settings: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.settings = settings
        self.save_settings = save_settings
        self.connect_runner = TaskRunner(parent=self)
        self.discovery_runner = TaskRunner(parent=self)
        self.connect_runner.sig_busy_changed.connect(self._update_enabled)
        self.discovery_runner.sig_busy_changed.connect(self._update_enabled)

        title = QLabel("<h2>Connect to a THREAD</h2>")
        self.kind_buttons: dict[ConnectionKind, QRadioButton] = {}
        self.kind_group = QButtonGroup(self)
        kinds = QHBoxLayout()
        for kind in ConnectionKind:
            button = QRadioButton(kind.label)
            self.kind_buttons[kind] = button
            self.kind_group.addButton(button)
            kinds.addWidget(button)
            button.toggled.connect(self._on_kind_toggled)
        kinds.addStretch(1)
        self.address_edit = QLineEdit()
        self.address_edit.returnPressed.connect(self.connect_clicked)
        self.address_hint = QLabel()
        self.address_hint.setWordWrap(True)
        self.connect_button = QPushButton("&Connect")
        self.connect_button.setDefault(True)
        self.connect_button.clicked.connect(self.connect_clicked)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.connect_runner.cancel)
        self.disconnect_button = QPushButton("&Disconnect")
        self.disconnect_button.clicked.connect(self.disconnect_clicked)
        self.status = InlineStatus()
        buttons = QHBoxLayout()
        for button in (self.connect_button, self.cancel_button, self.disconnect_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        how = QGroupBox("How is the THREAD connected?")
        form = QFormLayout(how)
        form.addRow("Connection:", kinds)
        form.addRow("Address:", self.address_edit)
        form.addRow("", self.address_hint)
        form.addRow("", buttons)
        form.addRow("", self.status)

        self.recent_list = QListWidget()
        self.recent_list.setToolTip("Double-click or press Enter to connect")
        self.recent_list.itemActivated.connect(self._on_recent_activated)
        recent_box = QGroupBox("Recent connections")
        QVBoxLayout(recent_box).addWidget(self.recent_list)

        self.candidates_edit = QPlainTextEdit()
        self.candidates_edit.setPlaceholderText("Addresses to try, one per line or comma-separated")
        self.candidates_edit.setPlainText("\n".join(settings.discovery_candidates))
        self.candidates_edit.setMaximumHeight(70)
        self.discover_button = QPushButton("Find THREADs")
        self.discover_button.clicked.connect(self.discover_clicked)
        self.discovery_list = QListWidget()
        self.discovery_list.itemActivated.connect(self._on_discovery_activated)
        self.discovery_status = InlineStatus()
        discovery_box = QGroupBox("Discovery (asks only the addresses listed here)")
        discovery_layout = QVBoxLayout(discovery_box)
        discovery_layout.addWidget(self.candidates_edit)
        discovery_layout.addWidget(self.discover_button, alignment=Qt.AlignmentFlag.AlignLeft)
        discovery_layout.addWidget(self.discovery_status)
        discovery_layout.addWidget(self.discovery_list)

        self.identity_box = IdentityBox()
        grid = QGridLayout()
        grid.addWidget(how, 0, 0)
        grid.addWidget(self.identity_box, 0, 1)
        grid.addWidget(recent_box, 1, 0)
        grid.addWidget(discovery_box, 1, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(grid)
        layout.addStretch(1)

        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.connect_clicked)
        model.sig_state_changed.connect(self._on_state_changed)
        model.sig_identity_changed.connect(self.identity_box.show_identity)
        first = settings.recent[0].kind if settings.recent else ConnectionKind.USB
        self.kind_buttons[first].setChecked(True)
        if settings.recent and settings.recent[0].kind is ConnectionKind.ETHERNET:
            self.address_edit.setText(settings.recent[0].address)
        self._refresh_recent()
        self._update_enabled()

    # -- choosing ------------------------------------------------------------------------------

    @property
    def kind(self) -> ConnectionKind:
        return next(k for k, b in self.kind_buttons.items() if b.isChecked())

    def set_kind(self, kind: ConnectionKind) -> None:
        self.kind_buttons[kind].setChecked(True)

    def _on_kind_toggled(self, checked: bool) -> None:
        if not checked:
            return
        kind = self.kind
        self.address_hint.setText(ADDRESS_HINT[kind])
        if kind is ConnectionKind.USB:
            self.address_edit.setText(self.settings.usb_address)
        elif kind is ConnectionKind.SIMULATOR:
            self.address_edit.setText("")
            self.address_edit.setPlaceholderText("built-in")
        else:
            self.address_edit.setPlaceholderText("e.g. thread-a1b2c3.local or 10.1.2.3")
            if self.address_edit.text() == self.settings.usb_address:
                self.address_edit.clear()
        self._update_enabled()

    def current_target(self) -> ConnectionTarget:
        address = "" if self.kind is ConnectionKind.SIMULATOR else self.address_edit.text().strip()
        return ConnectionTarget(self.kind, address)

    # -- connecting ----------------------------------------------------------------------------

    def connect_clicked(self) -> None:
        self.connect_to(self.current_target())

    def connect_to(self, target: ConnectionTarget) -> None:
        self.status.working(f"Connecting to {target.label}…")
        self.connect_runner.run(self._connect(target), on_error=self._on_connect_error)

    async def _connect(self, target: ConnectionTarget) -> ThreadIdentity:
        identity = await self.model.connect_to(target)
        if target.kind is ConnectionKind.USB:
            self.settings.usb_address = target.address
        self.settings.remember(target)
        self.save_settings()
        self._refresh_recent()
        self.status.ok(f"Connected to THREAD {identity.serial_number}")
        return identity

    def _on_connect_error(self, error: BaseException) -> None:
        if isinstance(error, EdgeError):
            self.status.error(f"{error}")
        else:
            self.status.error(f"Could not connect: {error}")

    def disconnect_clicked(self) -> None:
        self.connect_runner.run(self.model.close_connection(), exclusive=False)
        self.status.clear_status()

    def _on_state_changed(self, state: ConnectionState, detail: str) -> None:
        if state is ConnectionState.CONNECTED and self.status.text().startswith("✖"):
            self.status.clear_status()
        if state in (ConnectionState.LOST, ConnectionState.RECONNECTING) or (
            state is ConnectionState.CONNECTED and "different THREAD" in detail
        ):
            self.status.warning(detail)
        self._update_enabled()

    def _update_enabled(self, *_args: object) -> None:
        state = self.model.state
        connecting = self.connect_runner.busy
        self.connect_button.setEnabled(not connecting)
        self.cancel_button.setVisible(connecting)
        self.disconnect_button.setEnabled(
            state is not ConnectionState.DISCONNECTED and not connecting
        )
        self.address_edit.setEnabled(self.kind is not ConnectionKind.SIMULATOR and not connecting)
        self.discover_button.setEnabled(not self.discovery_runner.busy)

    # -- recent and discovery ------------------------------------------------------------------

    def _refresh_recent(self) -> None:
        self.recent_list.clear()
        for target in self.settings.recent:
            item = QListWidgetItem(target.label)
            item.setData(Qt.ItemDataRole.UserRole, target)
            self.recent_list.addItem(item)
        if not self.settings.recent:
            self.recent_list.addItem(QListWidgetItem("(none yet)"))

    def _on_recent_activated(self, item: QListWidgetItem) -> None:
        target = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(target, ConnectionTarget):
            self.set_kind(target.kind)
            if target.address:
                self.address_edit.setText(target.address)
            self.connect_to(target)

    def discover_clicked(self) -> None:
        candidates = parse_candidates(self.candidates_edit.toPlainText())
        if not candidates:
            self.discovery_status.warning(
                "List at least one address to try; nothing is scanned on its own."
            )
            return
        self.settings.discovery_candidates = candidates
        self.save_settings()
        self.discovery_list.clear()
        self.discovery_status.working(f"Asking {len(candidates)} address(es)…")
        self.discovery_runner.run(self._discover(candidates))

    async def _discover(self, candidates: list[str]) -> list[Probe]:
        probes = await discover(candidates, timeout_s=1.5)
        for probe in probes:
            if probe.found:
                text = (
                    f"THREAD {probe.serial_number} at {probe.address}  ({probe.elapsed_ms:.0f} ms)"
                )
            else:
                text = f"{probe.address}: no THREAD ({probe.error})"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, probe)
            if not probe.found:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.discovery_list.addItem(item)
        found = sum(p.found for p in probes)
        if found:
            self.discovery_status.ok(f"Found {found} THREAD(s); double-click one to connect.")
        else:
            self.discovery_status.warning(
                "No THREAD answered. Check cables and addresses, then try again."
            )
        return probes

    def _on_discovery_activated(self, item: QListWidgetItem) -> None:
        probe = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(probe, Probe) and probe.found:
            self.set_kind(ConnectionKind.ETHERNET)
            self.address_edit.setText(probe.address)
            self.connect_to(ConnectionTarget(ConnectionKind.ETHERNET, probe.address))
