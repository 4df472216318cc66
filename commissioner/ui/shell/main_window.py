"""The main window. For now it frames the identity panel; pages arrive with later features."""

from __future__ import annotations

import contextlib

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QLabel, QMainWindow, QWidget

from commissioner.core.edge.client import EdgeClient
from commissioner.resources import ResourceNotFound, resource_path
from commissioner.ui.shell.identity_panel import IdentityPanel


class MainWindow(QMainWindow):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("THREAD Commissioner")
        with contextlib.suppress(ResourceNotFound):
            self.setWindowIcon(QIcon(str(resource_path("icons", "commissioner.png"))))
        self.identity = IdentityPanel(self)
        self.setCentralWidget(self.identity)
        self.connection_label = QLabel("Not connected")
        self.statusBar().addPermanentWidget(self.connection_label)
        self.resize(720, 420)
        self.set_client(None, "Not connected")

    def set_client(self, client: EdgeClient | None, description: str) -> None:
        self.identity.set_client(client)
        self.connection_label.setText(description)
