"""Identify (flash the LED), the accessible LED colour and the cloud connection.

They share a group because they interact: while the cloud connection is enabled its health drives
the LED, so a colour set by hand only shows once the cloud connection is off. The group says so
whenever that would surprise someone.
"""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QWidget

from commissioner.core.system import explanations
from commissioner.ui.pages.system.group import ActionGroup, Confirm, explanation
from commissioner.ui.session_model import SessionModel


def _bold() -> QLabel:
    label = QLabel("—")
    font = QFont(label.font())
    font.setBold(True)
    label.setFont(font)
    return label


class IdentifyGroup(ActionGroup):
    def __init__(self, model: SessionModel, confirm: Confirm, parent: QWidget | None = None):
        super().__init__("Identify", model, confirm, parent)
        self.flash_button = QPushButton("&Flash LED")
        self.flash_button.clicked.connect(self._on_flash_clicked)
        self.controls = [self.flash_button]
        row = QHBoxLayout()
        row.addWidget(explanation(explanations.FLASH_LED), 1)
        row.addWidget(self.flash_button)
        self.layout_.addLayout(row)
        self.layout_.addWidget(self.status)

    def _on_flash_clicked(self) -> None:
        self.start(self._flash(), "Flashing the LED…")

    async def _flash(self) -> None:
        await self.model.require_client().flash_led()
        self.status.ok("LED flashed. Look for the blinking unit.")


class LedCloudGroup(ActionGroup):
    def __init__(self, model: SessionModel, confirm: Confirm, parent: QWidget | None = None):
        super().__init__("LED and cloud connection", model, confirm, parent)
        self.cloud: bool | None = None
        self.led_green: bool | None = None
        self.green_button = QPushButton("Green")
        self.red_button = QPushButton("Red")
        self.green_button.clicked.connect(lambda: self._on_led_clicked(True))
        self.red_button.clicked.connect(lambda: self._on_led_clicked(False))
        self.led_label = _bold()
        self.cloud_label = _bold()
        self.enable_button = QPushButton("Enable")
        self.disable_button = QPushButton("Disable…")
        self.enable_button.clicked.connect(lambda: self._on_cloud_clicked(True))
        self.disable_button.clicked.connect(lambda: self._on_cloud_clicked(False))
        self.controls = [self.green_button, self.red_button]

        grid = QGridLayout()
        grid.addWidget(QLabel("Accessible LED:"), 0, 0)
        grid.addWidget(self.led_label, 0, 1)
        grid.addWidget(self.green_button, 0, 2)
        grid.addWidget(self.red_button, 0, 3)
        grid.addWidget(explanation(explanations.ACCESSIBLE_LED), 1, 0, 1, 4)
        grid.addWidget(QLabel("Cloud connection:"), 2, 0)
        grid.addWidget(self.cloud_label, 2, 1)
        grid.addWidget(self.enable_button, 2, 2)
        grid.addWidget(self.disable_button, 2, 3)
        grid.addWidget(explanation(explanations.CLOUD_CONNECTION), 3, 0, 1, 4)
        grid.setColumnStretch(1, 1)
        self.layout_.addLayout(grid)
        self.layout_.addWidget(self.status)
        self._show()

    def refresh_extra_enabled(self, on: bool) -> None:
        self.enable_button.setEnabled(on and self.cloud is not True)
        self.disable_button.setEnabled(on and self.cloud is not False)

    def _show(self) -> None:
        self.led_label.setText(
            "unknown (not reported)"
            if self.led_green is None
            else "green"
            if self.led_green
            else "red"
        )
        self.cloud_label.setText(
            "—" if self.cloud is None else "enabled" if self.cloud else "disabled"
        )
        self._refresh_enabled()

    # -- reading -------------------------------------------------------------------------------

    def on_connected(self) -> None:
        self.led_green = None  # it may have rebooted meanwhile (then it is red): do not guess
        self.start(self._read(), "Reading the cloud connection…")

    def forget(self) -> None:
        super().forget()
        self.cloud = self.led_green = None
        self._show()

    async def _read(self) -> None:
        self.cloud = await self.model.require_client().get_cloud_connection()
        self._show()
        self.status.clear_status()

    # -- LED -----------------------------------------------------------------------------------

    def _on_led_clicked(self, green: bool) -> None:
        self.start(self._set_led(green), f"Setting the LED {'green' if green else 'red'}…")

    async def _set_led(self, green: bool) -> None:
        await self.model.require_client().set_led_green(green)
        self.led_green = green
        self._show()
        colour = "green" if green else "red"
        if self.cloud:
            self.status.warning(
                f"LED set to {colour}, but the cloud connection is enabled, so its health decides "
                "the colour. Disable the cloud connection to see this colour."
            )
        else:
            self.status.ok(f"LED set to {colour} until the next reboot.")

    # -- cloud connection ----------------------------------------------------------------------

    def _on_cloud_clicked(self, enabled: bool) -> None:
        if not enabled and not self.confirm(
            "Disable the cloud connection?",
            "The THREAD will stop connecting to iTwin IoT cloud, so no data reaches it, until the "
            "connection is enabled again. This persists across reboots. The exterior LED turns "
            "red.\n\nDisable it?",
        ):
            self.status.clear_status()
            return
        verb = "Enabling" if enabled else "Disabling"
        self.start(self._set_cloud(enabled), f"{verb} the cloud connection…")

    async def _set_cloud(self, enabled: bool) -> None:
        client = self.model.require_client()
        await client.set_cloud_connection(enabled)
        self.cloud = await client.get_cloud_connection()
        self._show()
        if self.cloud != enabled:
            self.status.error(
                f"The THREAD still reports the cloud connection {self.cloud_label.text()}. "
                "Try again; if it persists, its application may need an update."
            )
        elif enabled:
            self.status.ok("Cloud connection enabled (read back). The LED now shows its health.")
        else:
            self.status.ok(
                "Cloud connection disabled (read back). It stays off after reboots; the LED is "
                "red unless you set it green."
            )
