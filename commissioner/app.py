"""Composition root: the QApplication, the qasync loop and the services, wired in one place.

Nothing else creates loops, sessions or simulators for the GUI, so shutdown is in one place too:
every service is closed with an awaited, time-limited ``aclose()`` before the loop stops.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from commissioner.core.activity import ActivityLog
    from commissioner.core.ports.device_state import AppliedMemory
    from commissioner.core.settings import Settings, SettingsStore
    from commissioner.ui.pages.connection.page import ConnectionPage
    from commissioner.ui.session_model import SessionModel
    from commissioner.ui.shell.main_window import MainWindow

log = logging.getLogger(__name__)


def run_gui(*, demo: bool = False, smoke: bool = False) -> int:
    """Start the GUI; ``demo`` connects it to the embedded simulated THREAD on 127.0.0.1."""
    if smoke:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    _configure_logging()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("THREAD Commissioner")
    app.setOrganizationName("THREAD Commissioner")
    app.setDesktopFileName("commissioner")
    # _run() waits for lastWindowClosed itself and then closes the services; letting Qt quit on
    # its own would stop the loop before that shutdown has run.
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    # Plain threads for to_thread/run_in_executor: qasync's default QThreadExecutor puts Qt objects
    # on worker threads, which is where cross-thread Qt deletions and deadlocks come from.
    loop.set_default_executor(ThreadPoolExecutor(max_workers=4, thread_name_prefix="io"))
    asyncio.set_event_loop(loop)
    with loop:
        return loop.run_until_complete(_run(demo=demo, smoke=smoke))


def _configure_logging() -> None:
    """stderr, and a rotating file that the support bundle picks up (5 x 2 MB at most)."""
    from logging.handlers import RotatingFileHandler

    from commissioner.core.commissioning.bundle import default_app_log_path

    handlers: list[logging.Handler] = [logging.StreamHandler()]
    path = default_app_log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(
            RotatingFileHandler(path, maxBytes=2_000_000, backupCount=4, encoding="utf-8")
        )
    except OSError as exc:  # a read-only data folder must not stop the app
        print(f"commissioner: not logging to {path}: {exc}", file=sys.stderr)
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
    )


@dataclass
class Services:
    """Everything the window needs, built once; tests build it too (without a QApplication loop)."""

    store: SettingsStore
    settings: Settings
    activity: ActivityLog
    model: SessionModel
    window: MainWindow
    connection_page: ConnectionPage
    closers: list[Callable[[], Awaitable[None]]]

    def save_settings(self) -> None:
        self.store.save(self.settings)


def build_services(*, settings_store: SettingsStore | None = None) -> Services:
    """Create the session, its Qt model, the pages and the main window."""
    from commissioner.core.activity import ActivityLog
    from commissioner.core.commissioning.journal import CommissioningJournal
    from commissioner.core.connection.session import ThreadSession
    from commissioner.core.ports.workspace import PortsWorkspace
    from commissioner.core.settings import SettingsStore
    from commissioner.ui.pages.cloud import CloudModel, CloudPage
    from commissioner.ui.pages.commission.page import CommissionPage
    from commissioner.ui.pages.connection.page import ConnectionPage
    from commissioner.ui.pages.console.page import ConsolePage
    from commissioner.ui.pages.dashboard.page import DashboardPage
    from commissioner.ui.pages.plots.page import PlotsPage
    from commissioner.ui.pages.ports.page import PortsPage
    from commissioner.ui.pages.system.page import SystemPage
    from commissioner.ui.session_model import SessionModel
    from commissioner.ui.shell.main_window import MainWindow, Page
    from commissioner.ui.support_bundle import SupportBundleAction

    store = settings_store or SettingsStore()
    settings = store.load()
    activity = ActivityLog()
    session = ThreadSession()
    session.add_exchange_listener(activity.record)
    model = SessionModel(session)

    def save() -> None:
        store.save(settings)

    connection = ConnectionPage(model, settings, save)
    dashboard = DashboardPage(model)
    dashboard.set_interval(settings.refresh_interval_s)

    def remember_interval(_index: int) -> None:
        seconds = dashboard.interval_combo.currentData()
        if isinstance(seconds, (int, float)):
            settings.refresh_interval_s = float(seconds)
            save()

    dashboard.interval_combo.currentIndexChanged.connect(remember_interval)
    ports = PortsPage(model, workspace=PortsWorkspace(_port_memory(settings)))

    def remember_ports(_report: object) -> None:
        settings.port_memory = ports.workspace.memory.as_json()
        save()

    ports.sig_applied.connect(remember_ports)
    console = ConsolePage(model, macros_path=store.directory / "console-macros.json")
    plots = PlotsPage(model)
    plots.attach_console(console)
    cloud_model = CloudModel(settings, save)

    def port_modes(serial: str) -> dict[int, str]:
        memory = ports.workspace.memory
        return {port: mode.value for port in (1, 2, 3) if (mode := memory.mode(serial, port))}

    cloud = CloudPage(model, cloud_model, settings, save, port_modes=port_modes)
    # The product's main job, second only to connecting: one journal for the wizard and its audit.
    journal = CommissioningJournal()
    commission = CommissionPage(model, journal, cloud=cloud_model)
    pages = [
        Page("connection", "Connection", connection, needs_connection=False),
        Page("commission", "Commission", commission, needs_connection=False),
        Page("dashboard", "Dashboard", dashboard),
        Page("ports", "Ports", ports),
        Page("system", "System", SystemPage(model)),
        Page("console", "Console", console, needs_connection=False),
        Page("plots", "Plots", plots, needs_connection=False),
        Page("cloud", "Cloud", cloud, needs_connection=False),
    ]
    window = MainWindow(model, activity, settings, save, pages)
    commission.sig_open_page.connect(window.show_page)
    bundle = SupportBundleAction(
        window, model, activity, journal, settings, secrets=cloud_model.secrets_in_memory
    )
    window.add_file_action("Save &support bundle…", bundle.trigger)
    closers: list[Callable[[], Awaitable[None]]] = []
    for page in pages:
        aclose = getattr(page.widget, "aclose", None)
        if callable(aclose):
            closers.append(aclose)
    closers.append(cloud_model.aclose)
    closers.append(model.aclose)

    async def close_journal() -> None:  # after the pages: their tasks may still journal
        journal.close()

    closers.append(close_journal)
    return Services(store, settings, activity, model, window, connection, closers)


async def _run(*, demo: bool, smoke: bool) -> int:
    from PySide6.QtWidgets import QApplication

    from commissioner.core.connection.targets import ConnectionKind, ConnectionTarget
    from commissioner.ui.exception_hook import ExceptionHook
    from commissioner.ui.theme import apply_theme, follow_system

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    quit_event = asyncio.Event()
    app.lastWindowClosed.connect(quit_event.set)
    services = build_services()
    apply_theme(app, services.settings.theme)
    follow_system(app, lambda: services.settings.theme)
    hook = ExceptionHook(lambda: services.window)
    hook.install(asyncio.get_running_loop())
    async with AsyncExitStack() as stack:
        for closer in reversed(services.closers):
            stack.push_async_callback(_closing(closer))
        window = services.window
        if demo:  # the demo uses the embedded cloud simulator, whatever was chosen before
            services.settings.cloud_profile = "Simulator"
        window.show()
        if services.store.problem:
            window.statusBar().showMessage(services.store.problem, 15000)
        if demo:
            window.show_page("connection")
            page = window.pages[0].widget
            page.set_kind(ConnectionKind.SIMULATOR)  # type: ignore[attr-defined]
            try:
                identity = await services.model.connect_to(
                    ConnectionTarget(ConnectionKind.SIMULATOR)
                )
            except Exception as exc:
                window.statusBar().showMessage(f"Could not start the simulator: {exc}")
                identity = None
            if identity is not None and not smoke:
                window.show_page("commission")  # the demo's point: commission it end to end
        if smoke:
            serial = services.model.identity.serial_number if services.model.identity else None
            window.close()
            if serial is None:
                print("smoke failed: could not read the simulated THREAD", file=sys.stderr)
                return 1
            print(f"smoke ok serial={serial}", flush=True)
            return 0
        await quit_event.wait()
    return 0


def _port_memory(settings: Settings) -> AppliedMemory:
    """What this app last applied to each THREAD's ports; a damaged entry is forgotten, not fatal."""
    from commissioner.core.ports.device_state import AppliedMemory

    try:
        return AppliedMemory.from_json(settings.port_memory)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        log.warning("forgetting unreadable port memory in settings: %s", exc)
        return AppliedMemory()


def _closing(aclose: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
    """Wrap an ``aclose`` so a hung service cannot keep the app from exiting."""

    async def close() -> None:
        try:
            await asyncio.wait_for(aclose(), 5.0)
        except Exception as exc:
            log.warning("service did not close cleanly: %s", exc)

    return close
