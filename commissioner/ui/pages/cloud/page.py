"""The Cloud page: account on top, then Register, Queue and Verify tabs.

The page opens the cloud workspace the first time it is shown (so the embedded cloud simulator
only starts when someone uses the cloud), and follows the connected THREAD: its serial selects
the registration draft. Call :meth:`aclose` on shutdown; the model is closed by the app.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from commissioner.core.connection.session import ThreadIdentity
from commissioner.core.sensor_catalogue import SensorModel, load_catalogue
from commissioner.core.settings import Settings
from commissioner.ui.pages.cloud.account import AccountBox
from commissioner.ui.pages.cloud.model import CloudModel
from commissioner.ui.pages.cloud.queue_tab import QueueTab
from commissioner.ui.pages.cloud.register_tab import RegisterTab
from commissioner.ui.pages.cloud.verify_tab import VerifyTab
from commissioner.ui.session_model import SessionModel


def _no_modes(_serial: str) -> Mapping[int, str]:
    return {}


class CloudPage(QWidget):
    def __init__(
        self,
        session: SessionModel,
        cloud: CloudModel,
        settings: Settings,
        save_settings: Callable[[], None],
        *,
        port_modes: Callable[[str], Mapping[int, str]] = _no_modes,
        models: list[SensorModel] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session, self.cloud = session, cloud
        self.models = models if models is not None else load_catalogue()
        self.account = AccountBox(cloud)
        self.register_tab = RegisterTab(cloud, settings, save_settings, self.models, port_modes)
        self.queue_tab = QueueTab(cloud)
        self.verify_tab = VerifyTab(cloud, self.models)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.register_tab, "Register")
        self.tabs.addTab(self.queue_tab, "Queue")
        self.tabs.addTab(self.verify_tab, "Verify")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Cloud</h2>"))
        layout.addWidget(self.account)
        layout.addWidget(self.tabs, 1)
        self._started = False
        session.sig_identity_changed.connect(self._on_identity)
        self._on_identity(session.identity)

    @property
    def runners(self) -> tuple[object, ...]:
        return (
            self.account.runner,
            self.register_tab.runner,
            self.queue_tab.runner,
            self.verify_tab.runner,
        )

    def start(self) -> None:
        """Open the chosen profile's workspace and try a silent sign-in (once)."""
        if not self._started:
            self._started = True
            self.account.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.start()

    def _on_identity(self, identity: ThreadIdentity | None) -> None:
        if identity is not None:
            self.register_tab.set_thread(identity.serial_number)

    async def wait_idle(self) -> None:
        for runner in self.runners:
            await runner.wait_idle()  # type: ignore[attr-defined]

    async def aclose(self) -> None:
        for runner in self.runners:
            runner.cancel_all()  # type: ignore[attr-defined]
        await self.wait_idle()
