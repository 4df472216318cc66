"""The main window: page navigation, the connection state in the status bar, the activity log.

Pages are handed in by the composition root (app.py); the window only frames them, so adding the
console, plots, cloud and commissioning pages later is one line there.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from commissioner import __version__
from commissioner.core.activity import ActivityLog
from commissioner.core.connection.session import ConnectionState
from commissioner.core.settings import Settings
from commissioner.resources import ResourceNotFound, resource_path
from commissioner.ui.session_model import SessionModel
from commissioner.ui.shell.activity_dock import ActivityDock
from commissioner.ui.shell.status_indicator import StatusIndicator


@dataclass(frozen=True)
class Page:
    key: str
    title: str
    widget: QWidget
    needs_connection: bool = True


class MainWindow(QMainWindow):
    def __init__(
        self,
        model: SessionModel,
        activity_log: ActivityLog,
        settings: Settings,
        save_settings: Callable[[], None],
        pages: list[Page],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.settings = settings
        self.save_settings = save_settings
        self.pages = pages
        self.setWindowTitle("THREAD Commissioner")
        with contextlib.suppress(ResourceNotFound):
            self.setWindowIcon(QIcon(str(resource_path("icons", "commissioner.png"))))

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(170)
        self.nav.setSpacing(2)
        self.stack = QStackedWidget()
        for index, page in enumerate(pages):
            item = QListWidgetItem(page.title)
            item.setToolTip(f"{page.title} (Ctrl+{index + 1})")
            self.nav.addItem(item)
            self.stack.addWidget(page.widget)
        self.nav.currentRowChanged.connect(self._on_page_chosen)
        body = QWidget()
        layout = QHBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(body)

        self.activity = ActivityDock(activity_log, self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.activity)
        self.status_indicator = StatusIndicator()
        self.statusBar().addWidget(self.status_indicator, 1)
        self._build_menus()
        model.sig_state_changed.connect(self._on_state_changed)
        self._on_state_changed(model.state, model.session.detail)
        self._restore_layout()

    # -- navigation ----------------------------------------------------------------------------

    def show_page(self, key: str) -> None:
        for index, page in enumerate(self.pages):
            if page.key == key:
                self.nav.setCurrentRow(index)
                return

    @property
    def current_page(self) -> Page:
        return self.pages[max(0, self.stack.currentIndex())]

    def _on_page_chosen(self, row: int) -> None:
        if 0 <= row < len(self.pages):
            self.stack.setCurrentIndex(row)
            self.settings.last_page = self.pages[row].key

    def _on_state_changed(self, state: ConnectionState, detail: str) -> None:
        self.status_indicator.show_state(state, detail)
        title = "THREAD Commissioner"
        identity = self.model.identity
        if identity is not None and state.attached:
            title = f"THREAD {identity.serial_number} — {title}"
        self.setWindowTitle(title)

    # -- menus and shortcuts -------------------------------------------------------------------

    def add_file_action(self, text: str, slot: Callable[[], object]) -> QAction:
        """An app-wide action in the File menu, above Quit."""
        action = QAction(text, self)
        action.triggered.connect(lambda _checked=False: slot())
        self._file_menu.insertAction(self._quit_action, action)
        return action

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._file_menu = file_menu
        export = QAction("&Export activity log…", self)
        export.setShortcut(QKeySequence("Ctrl+E"))
        export.triggered.connect(self.activity.export_button.click)
        file_menu.addAction(export)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))  # StandardKey.Quit is empty on Windows
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        self._quit_action = quit_action

        view_menu = self.menuBar().addMenu("&View")
        for index, page in enumerate(self.pages):
            action = QAction(page.title, self)
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.triggered.connect(lambda _checked=False, key=page.key: self.show_page(key))
            view_menu.addAction(action)
        view_menu.addSeparator()
        toggle = self.activity.toggleViewAction()
        toggle.setShortcut(QKeySequence("Ctrl+L"))
        view_menu.addAction(toggle)
        theme_menu = view_menu.addMenu("&Theme")
        for theme in ("system", "light", "dark"):
            action = QAction(theme.capitalize(), self, checkable=True)
            action.setChecked(self.settings.theme == theme)
            action.triggered.connect(lambda _checked=False, t=theme: self._set_theme(t))
            theme_menu.addAction(action)
        self._theme_actions = theme_menu.actions()

        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def _set_theme(self, theme: str) -> None:
        from commissioner.ui.theme import apply_theme

        self.settings.theme = theme
        for action in self._theme_actions:
            action.setChecked(action.text().lower() == theme)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)
        self.save_settings()

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About THREAD Commissioner",
            f"<b>THREAD Commissioner {__version__}</b><p>Configure, watch, verify and register "
            "Bentley iTwin IoT THREAD gateways.</p>",
        )

    # -- layout persistence --------------------------------------------------------------------

    def _restore_layout(self) -> None:
        if self.settings.window_geometry:
            self.restoreGeometry(QByteArray.fromBase64(self.settings.window_geometry.encode()))
        else:
            self.resize(1280, 860)
        if self.settings.window_state:
            self.restoreState(QByteArray.fromBase64(self.settings.window_state.encode()))
        self.activity.setVisible(self.settings.activity_log_visible)
        self.show_page(self.settings.last_page)
        if self.nav.currentRow() < 0:
            self.nav.setCurrentRow(0)

    def save_layout(self) -> None:
        self.settings.window_geometry = bytes(self.saveGeometry().toBase64().data()).decode()
        self.settings.window_state = bytes(self.saveState().toBase64().data()).decode()
        self.settings.activity_log_visible = self.activity.isVisible()
        self.save_settings()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        super().closeEvent(event)
