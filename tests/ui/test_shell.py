"""The main window shell and the Connection page, driven against simulated THREADs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytestqt.qtbot import QtBot

from commissioner.core.activity import ActivityLog
from commissioner.core.connection.session import ConnectionState, ThreadSession
from commissioner.core.connection.targets import ConnectionKind
from commissioner.core.settings import Settings, SettingsStore
from commissioner.sim.host import SimHost
from commissioner.ui.exception_hook import ExceptionHook
from commissioner.ui.pages.connection.page import ConnectionPage
from commissioner.ui.session_model import SessionModel
from commissioner.ui.shell.main_window import MainWindow, Page

RunAsync = Callable[..., Any]


class Shell:
    def __init__(self, tmp: Path) -> None:
        self.store = SettingsStore(tmp)
        self.settings = Settings()
        self.activity = ActivityLog()
        session = ThreadSession(
            heartbeat_s=0.2, probe_timeout_s=0.5, backoff_initial_s=0.1, backoff_max_s=0.3
        )
        session.add_exchange_listener(self.activity.record)
        self.model = SessionModel(session)
        self.page = ConnectionPage(
            self.model, self.settings, lambda: self.store.save(self.settings)
        )
        self.window = MainWindow(
            self.model,
            self.activity,
            self.settings,
            lambda: self.store.save(self.settings),
            [Page("connection", "Connection", self.page, needs_connection=False)],
        )


@pytest.fixture
def shell(qtbot: QtBot, tmp_path: Path, run_async: RunAsync) -> Iterator[Shell]:
    s = Shell(tmp_path)
    qtbot.addWidget(s.window)
    yield s
    run_async(s.model.aclose())


@pytest.fixture
def host(run_async: RunAsync) -> Iterator[SimHost]:
    h = SimHost(count=2)
    run_async(h.start())
    yield h
    run_async(h.aclose())


def _connect(shell: Shell, run_async: RunAsync, address: str) -> None:
    shell.page.set_kind(ConnectionKind.ETHERNET)
    shell.page.address_edit.setText(address)
    shell.page.connect_clicked()
    run_async(shell.page.connect_runner.wait_idle())


def test_connect_over_ethernet_shows_identity(
    shell: Shell, host: SimHost, run_async: RunAsync
) -> None:
    """Typing an address and connecting shows the Connect Code, versions and clock offset."""
    address = host.urls[0].removeprefix("http://")
    _connect(shell, run_async, address)
    box = shell.page.identity_box
    assert box.serial_label.text() == host.servers[0].serial_number
    assert box.application_label.text() == "7.18.0" and box.hardware_label.text() == "V12"
    assert "behind this laptop" in box.clock_label.text()
    assert shell.window.status_indicator.state_label.text() == "<b>Connected</b>"
    assert host.servers[0].serial_number in shell.window.windowTitle()
    assert shell.settings.recent[0].address == address
    saved = json.loads(shell.store.path.read_text())
    assert saved["recent"][0] == {"kind": "ethernet", "address": address}


def test_failed_connect_explained_inline(shell: Shell, run_async: RunAsync) -> None:
    """A wrong address says what happened and what to check, next to the Connect button."""
    _connect(shell, run_async, "127.0.0.1:9")
    assert shell.model.state is ConnectionState.DISCONNECTED
    assert "unreachable" in shell.page.status.text() and "cable" in shell.page.status.text()
    _connect(shell, run_async, "not a host!")
    assert "not a host name" in shell.page.status.text()


def test_simulator_kind_starts_embedded_thread(shell: Shell, run_async: RunAsync) -> None:
    """Choosing Simulator starts the built-in THREAD on loopback and connects to it."""
    shell.page.set_kind(ConnectionKind.SIMULATOR)
    shell.page.connect_clicked()
    run_async(shell.page.connect_runner.wait_idle())
    assert shell.model.state is ConnectionState.CONNECTED
    assert shell.model.simulator_url and shell.model.simulator_url.startswith("http://127.0.0.1:")
    assert len(shell.page.identity_box.serial_label.text()) == 6


def test_discovery_lists_only_listed_candidates(
    shell: Shell, host: SimHost, run_async: RunAsync
) -> None:
    """Discovery reports each listed address; double-clicking a found THREAD connects to it."""
    addresses = [u.removeprefix("http://") for u in host.urls] + ["127.0.0.1:9"]
    shell.page.candidates_edit.setPlainText("\n".join(addresses))
    shell.page.discover_clicked()
    run_async(shell.page.discovery_runner.wait_idle())
    texts = [
        shell.page.discovery_list.item(i).text() for i in range(shell.page.discovery_list.count())
    ]
    assert len(texts) == 3
    assert host.servers[1].serial_number in texts[1] and "no THREAD" in texts[2]
    assert "Found 2" in shell.page.discovery_status.text()
    shell.page._on_discovery_activated(shell.page.discovery_list.item(1))
    run_async(shell.page.connect_runner.wait_idle())
    assert shell.model.identity is not None
    assert shell.model.identity.serial_number == host.servers[1].serial_number
    assert shell.settings.discovery_candidates == addresses


def test_loss_and_return_shown_in_status_bar(
    shell: Shell, host: SimHost, run_async: RunAsync
) -> None:
    """Pulling the THREAD away shows Lost/Reconnecting, and it reconnects by itself."""
    _connect(shell, run_async, host.urls[0].removeprefix("http://"))
    seen: list[ConnectionState] = []
    shell.model.sig_state_changed.connect(lambda state, _detail: seen.append(state))

    async def vanish_and_return() -> None:
        async with httpx.AsyncClient(base_url=host.urls[0], trust_env=False) as http:
            await http.post("/_sim/unreachable", json={"seconds": 0.8})
        for _ in range(100):
            await asyncio.sleep(0.05)
            if (
                ConnectionState.RECONNECTING in seen
                and shell.model.state is ConnectionState.CONNECTED
            ):
                return

    run_async(vanish_and_return())
    assert ConnectionState.LOST in seen and ConnectionState.RECONNECTING in seen
    assert shell.model.state is ConnectionState.CONNECTED
    assert "Reconnected" in shell.window.status_indicator.detail_label.text()


def test_activity_log_lists_filters_and_exports(
    shell: Shell, host: SimHost, run_async: RunAsync, tmp_path: Path
) -> None:
    """Every request appears in the activity log; the filter narrows it; export writes a file."""
    _connect(shell, run_async, host.urls[0].removeprefix("http://"))
    dock = shell.window.activity
    dock.refresh_if_needed()
    paths = {row.path for row in dock.table_model.rows}
    assert {"serialNumber", "version", "firmware", "hardware", "time", "timeAccurate"} <= paths
    dock.filter_edit.setText("firmware")
    dock.refresh_if_needed()
    assert [r.path for r in dock.table_model.rows] == ["firmware"]
    target = tmp_path / "log.json"
    dock.ask_export_path = lambda: target
    dock.export_button.click()
    assert json.loads(target.read_text())[0]["path"] == "firmware"
    assert "Exported 1" in dock.count_label.text()


def test_layout_and_page_persist(shell: Shell) -> None:
    """Closing the window saves its geometry and the activity log's visibility."""
    shell.window.activity.setVisible(False)
    shell.window.close()
    saved = json.loads(shell.store.path.read_text())
    assert saved["window_geometry"] and saved["activity_log_visible"] is False


def test_exception_hook_shows_and_survives(qtbot: QtBot) -> None:
    """An uncaught error is logged and shown, not fatal; repeated errors do not spam dialogs."""
    hook = ExceptionHook()
    shown: list[str] = []
    hook.show_dialog = lambda summary, details: shown.append(summary)
    for _ in range(3):
        try:
            raise RuntimeError("boom")
        except RuntimeError as exc:
            hook.handle(type(exc), exc, exc.__traceback__)
    assert shown == ["RuntimeError: boom"]
    assert len(hook.seen) == 3


def test_shortcuts_exist(shell: Shell) -> None:
    """Standard shortcuts: Quit, page switching, activity log toggle, export."""
    from PySide6.QtWidgets import QMenu

    menus = shell.window.menuBar().findChildren(QMenu)
    shortcuts = {a.shortcut().toString() for menu in menus for a in menu.actions()}
    assert {"Ctrl+Q", "Ctrl+1", "Ctrl+L", "Ctrl+E"} <= shortcuts


def test_heartbeats_folded_unless_asked(shell: Shell, host: SimHost, run_async: RunAsync) -> None:
    """Connection checks are logged but hidden by default so real requests stay readable."""
    _connect(shell, run_async, host.urls[0].removeprefix("http://"))
    run_async(asyncio.sleep(0.5))
    dock = shell.window.activity
    dock._mark_dirty()
    dock.refresh_if_needed()
    shown = len(dock.table_model.rows)
    assert any(e.heartbeat for e in shell.activity.entries)
    assert not any(r.heartbeat for r in dock.table_model.rows)
    dock.heartbeats.setChecked(True)
    dock.refresh_if_needed()
    assert len(dock.table_model.rows) > shown
