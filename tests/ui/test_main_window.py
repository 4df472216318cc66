"""The bare main window: identity of the connected THREAD, read without blocking the UI."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from pytestqt.qtbot import QtBot

from commissioner.core.edge.client import EdgeClient
from commissioner.sim.server import ThreadServer
from commissioner.ui.shell.main_window import MainWindow
from tests.core.edge.conftest import fast_scenario


def test_identity_shown_from_simulated_thread(qtbot: QtBot, run_async: Callable[..., Any]) -> None:
    """Connecting shows the Connect Code, versions and address read from the THREAD."""
    window = MainWindow()
    qtbot.addWidget(window)

    async def scenario() -> str:
        async with ThreadServer(fast_scenario()) as server, EdgeClient(server.url) as client:
            window.set_client(client, f"Simulator at {server.url}")
            serial = await window.identity.refresh()
            assert serial == server.serial_number
            return server.url

    url = run_async(scenario())
    panel = window.identity
    assert (
        panel.serial_label.text() == panel.serial_label.text().upper()
        and len(panel.serial_label.text()) == 6
    )
    assert panel.application_label.text() == "7.18.0"
    assert panel.hardware_label.text() == "V12"
    assert panel.url_label.text() == url
    assert window.connection_label.text().startswith("Simulator at")


def test_not_connected_says_what_to_do(qtbot: QtBot) -> None:
    """With no THREAD the window says how to get one, and Refresh is disabled."""
    window = MainWindow()
    qtbot.addWidget(window)
    assert "--demo" in window.identity.message_label.text()
    assert not window.identity.refresh_button.isEnabled()
    assert window.connection_label.text() == "Not connected"


def test_unreachable_thread_explained(qtbot: QtBot, run_async: Callable[..., Any]) -> None:
    """An absent THREAD gives a readable message in the panel, not a crash or a frozen window."""
    window = MainWindow()
    qtbot.addWidget(window)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    async def scenario() -> str | None:
        async with EdgeClient(f"http://127.0.0.1:{port}", read_retries=0) as client:
            window.set_client(client, "Ethernet")
            return await window.identity.refresh()

    assert run_async(scenario()) is None
    assert "unreachable" in window.identity.message_label.text()
    assert window.identity.serial_label.text() == "—"


def test_smoke_flag_runs_demo_headless() -> None:
    """``commissioner --smoke``: embedded simulator, window, identity read, exit 0."""
    result = subprocess.run(
        [sys.executable, "-m", "commissioner", "--smoke"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    assert "smoke ok serial=" in result.stdout


def test_loop_stays_responsive_during_slow_read(
    qtbot: QtBot, run_async: Callable[..., Any]
) -> None:
    """A slow THREAD (800 ms latency) does not block the event loop: timers keep firing."""
    import httpx

    window = MainWindow()
    qtbot.addWidget(window)

    async def scenario() -> int:
        async with ThreadServer(fast_scenario()) as server, EdgeClient(server.url) as client:
            async with httpx.AsyncClient(base_url=server.url, trust_env=False) as http:
                await http.put("/_sim/faults", json={"latency_ms": 800})
            window.set_client(client, "slow")
            ticks = 0

            async def ticker() -> None:
                nonlocal ticks
                while True:
                    await asyncio.sleep(0.05)
                    ticks += 1

            task = asyncio.ensure_future(ticker())
            await window.identity.refresh()
            task.cancel()
            return ticks

    assert run_async(scenario()) >= 5
