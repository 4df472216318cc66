"""The whole app as the composition root builds it: smoke run, and the UI stays responsive."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from pytestqt.qtbot import QtBot

from commissioner.app import build_services
from commissioner.core.connection.session import ConnectionState
from commissioner.core.connection.targets import ConnectionKind, ConnectionTarget
from commissioner.core.settings import SettingsStore
from commissioner.sim.server import ThreadServer
from tests.core.edge.conftest import fast_scenario


def test_smoke_flag_runs_demo_headless(tmp_path: Path) -> None:
    """``commissioner --smoke``: embedded simulator, window, identity read, exit 0."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "COMMISSIONER_CONFIG_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "commissioner", "--smoke"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "smoke ok serial=" in result.stdout


def test_corrupt_settings_do_not_stop_the_app(
    qtbot: QtBot, tmp_path: Path, run_async: Callable[..., Any]
) -> None:
    """A damaged settings file: the app still builds, with defaults, and says what happened."""
    (tmp_path / "settings.json").write_text("][", encoding="utf-8")
    services = build_services(settings_store=SettingsStore(tmp_path))
    qtbot.addWidget(services.window)
    assert "damaged" in services.store.problem
    assert services.window.pages[0].key == "connection"
    for closer in services.closers:
        run_async(closer())


def test_refresh_interval_persists(
    qtbot: QtBot, tmp_path: Path, run_async: Callable[..., Any]
) -> None:
    """The dashboard starts at the saved refresh interval, and a new choice is saved."""
    store = SettingsStore(tmp_path)
    settings = store.load()
    settings.refresh_interval_s = 10.0
    store.save(settings)
    services = build_services(settings_store=SettingsStore(tmp_path))
    qtbot.addWidget(services.window)
    dashboard = next(p.widget for p in services.window.pages if p.key == "dashboard")
    assert dashboard.interval_combo.currentData() == 10.0  # type: ignore[attr-defined]
    combo = dashboard.interval_combo  # type: ignore[attr-defined]
    combo.setCurrentIndex(combo.findData(1.0))
    assert SettingsStore(tmp_path).load().refresh_interval_s == 1.0
    for closer in services.closers:
        run_async(closer())


def test_port_memory_survives_restart(
    qtbot: QtBot, tmp_path: Path, run_async: Callable[..., Any]
) -> None:
    """Modes this app applied are remembered per THREAD across restarts; junk is forgotten."""
    from commissioner.core.edge.rules import PortMode

    services = build_services(settings_store=SettingsStore(tmp_path))
    qtbot.addWidget(services.window)
    ports = next(p.widget for p in services.window.pages if p.key == "ports")
    ports.workspace.memory.record_mode("ABC123", 2, PortMode.RS485)  # type: ignore[attr-defined]
    ports.sig_applied.emit(None)  # type: ignore[attr-defined]
    for closer in services.closers:
        run_async(closer())
    again = build_services(settings_store=SettingsStore(tmp_path))
    qtbot.addWidget(again.window)
    ports2 = next(p.widget for p in again.window.pages if p.key == "ports")
    assert ports2.workspace.memory.mode("ABC123", 2) is PortMode.RS485  # type: ignore[attr-defined]
    for closer in again.closers:
        run_async(closer())
    store = SettingsStore(tmp_path)
    settings = store.load()
    settings.port_memory = {"ABC123": {"2": {"mode": "WARP"}}}
    store.save(settings)
    third = build_services(settings_store=SettingsStore(tmp_path))
    qtbot.addWidget(third.window)
    ports3 = next(p.widget for p in third.window.pages if p.key == "ports")
    assert ports3.workspace.memory.mode("ABC123", 2) is None  # type: ignore[attr-defined]
    for closer in third.closers:
        run_async(closer())


def test_loop_stays_responsive_during_slow_connect(
    qtbot: QtBot, tmp_path: Path, run_async: Callable[..., Any]
) -> None:
    """A slow THREAD (600 ms per answer) does not block the event loop: timers keep firing."""
    services = build_services(settings_store=SettingsStore(tmp_path))
    qtbot.addWidget(services.window)

    async def scenario() -> int:
        async with ThreadServer(fast_scenario()) as server:
            async with httpx.AsyncClient(base_url=server.url, trust_env=False) as http:
                await http.put("/_sim/faults", json={"latency_ms": 600})
            ticks = 0

            async def ticker() -> None:
                nonlocal ticks
                while True:
                    await asyncio.sleep(0.05)
                    ticks += 1

            task = asyncio.ensure_future(ticker())
            await services.model.connect_to(ConnectionTarget(ConnectionKind.ETHERNET, server.url))
            task.cancel()
            assert services.model.state is ConnectionState.CONNECTED
            for closer in services.closers:
                await closer()
            return ticks

    assert run_async(scenario()) >= 8
