"""Which network the THREAD prefers: Ethernet (eth0) or cellular (ppp0), read back after a change."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from commissioner.core.edge.models import InterfacePriority
from commissioner.core.edge.rules import NetworkInterface
from commissioner.core.system import explanations
from commissioner.ui.pages.system.group import ActionGroup, Confirm, explanation
from commissioner.ui.session_model import SessionModel

NAMES = {NetworkInterface.ETHERNET: "Ethernet", NetworkInterface.CELLULAR: "Cellular"}


class NetworkGroup(ActionGroup):
    def __init__(self, model: SessionModel, confirm: Confirm, parent: QWidget | None = None):
        super().__init__("Network", model, confirm, parent)
        self.priority: InterfacePriority | None = None
        self.priority_label = QLabel("—")
        font = QFont(self.priority_label.font())
        font.setBold(True)
        self.priority_label.setFont(font)
        self.ethernet_button = QPushButton("Prefer &Ethernet")
        self.cellular_button = QPushButton("Prefer &cellular")
        self.ethernet_button.clicked.connect(lambda: self._on_prefer(NetworkInterface.ETHERNET))
        self.cellular_button.clicked.connect(lambda: self._on_prefer(NetworkInterface.CELLULAR))
        row = QHBoxLayout()
        row.addWidget(QLabel("Preferred:"))
        row.addWidget(self.priority_label, 1)
        row.addWidget(self.ethernet_button)
        row.addWidget(self.cellular_button)
        self.layout_.addLayout(row)
        self.layout_.addWidget(explanation(explanations.INTERFACE_PRIORITY))
        self.layout_.addWidget(self.status)
        self._refresh_enabled()

    def refresh_extra_enabled(self, on: bool) -> None:
        current = self.priority.interface if self.priority else None
        self.ethernet_button.setEnabled(on and current is not NetworkInterface.ETHERNET)
        self.cellular_button.setEnabled(on and current is not NetworkInterface.CELLULAR)

    def _show(self, priority: InterfacePriority) -> None:
        self.priority = priority
        self.priority_label.setText(f"{NAMES[priority.interface]} ({priority.route})")
        self._refresh_enabled()

    def forget(self) -> None:
        super().forget()
        self.priority = None
        self.priority_label.setText("—")
        self._refresh_enabled()

    def on_connected(self) -> None:
        self.start(self._read(), "Reading the preferred network…")

    async def _read(self) -> None:
        self._show(await self.model.require_client().get_interface_priority())
        self.status.clear_status()

    def _on_prefer(self, interface: NetworkInterface) -> None:
        self.start(self._prefer(interface), f"Preferring {NAMES[interface].lower()}…")

    async def _prefer(self, interface: NetworkInterface) -> None:
        client = self.model.require_client()
        await client.prioritise_interface(interface)
        self._show(await client.get_interface_priority())
        if self.priority is not None and self.priority.interface is interface:
            self.status.ok(f"{NAMES[interface]} is now preferred (read back).")
        else:
            self.status.error(
                f"The THREAD still prefers {self.priority_label.text()}. Try again; if it "
                "persists, check that the interface exists on this unit."
            )
