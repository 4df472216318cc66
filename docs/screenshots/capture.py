"""Render every page of the app against the built-in simulated THREAD and save PNGs here.

Run under a display (``xvfb-run .venv/bin/python docs/screenshots/capture.py``) so the shots show
the real window decorations-free rendering the README uses. Settings go to a temporary folder.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("COMMISSIONER_CONFIG_DIR", tempfile.mkdtemp(prefix="commissioner-shots-"))

import qasync
from PySide6.QtWidgets import QApplication

from commissioner.app import build_services
from commissioner.core.connection.targets import ConnectionKind, ConnectionTarget
from commissioner.ui.theme import apply_theme

OUT = Path(__file__).resolve().parent


async def capture(app: QApplication, theme: str) -> None:
    # A fresh data folder per run: the cloud journal must match the fresh cloud simulator.
    os.environ["COMMISSIONER_DATA_DIR"] = tempfile.mkdtemp(prefix="commissioner-shots-data-")
    services = build_services()
    apply_theme(app, theme)
    window = services.window
    window.resize(1360, 900)
    window.show()
    page = services.connection_page
    page.set_kind(ConnectionKind.SIMULATOR)
    page.connect_to(ConnectionTarget(ConnectionKind.SIMULATOR))
    await page.connect_runner.wait_idle()
    await _start_sensor_console(services)
    for entry in window.pages:
        window.show_page(entry.key)
        suffix = "" if theme == "light" else f"-{theme}"
        if entry.key == "commission":
            await _demo_commission(entry.widget, window, suffix)
            continue
        if entry.key == "cloud":
            await _demo_registration(entry.widget)
        await asyncio.sleep(2.5)
        path = OUT / f"{entry.key}{suffix}.png"
        window.grab().save(str(path))
        print(f"saved {path}")
        if entry.key == "cloud":
            await _demo_verify(entry.widget)
            path = OUT / f"cloud-verify{suffix}.png"
            window.grab().save(str(path))
            print(f"saved {path}")
    for closer in services.closers:
        await closer()
    window.close()


async def _start_sensor_console(services: object) -> None:
    """Power the port-1 weather probe and open a console with a CSV parser, as a user would."""
    from commissioner.core.edge.rules import PortMode, PortVoltage
    from commissioner.core.streams.parsers import Channel
    from commissioner.ui.pages.console.sources import ConsoleSource

    model = services.model  # type: ignore[attr-defined]
    client = model.require_client()
    await client.set_port_mode(1, PortMode.RS232)
    await client.set_port_voltage(1, PortVoltage.V12)
    await client.set_device_connection(1, True)
    console_page = next(p.widget for p in services.window.pages if p.key == "console")  # type: ignore[attr-defined]
    widget = console_page.open_console(ConsoleSource.thread(1))
    editor = widget.parser_editor
    editor.set_kind("csv")
    editor.set_channels(
        [Channel("temperature", "°C"), Channel("humidity", "%"), Channel("pressure", "hPa")]
    )
    editor.apply()
    await asyncio.sleep(4)


async def _demo_commission(page: Any, window: Any, suffix: str) -> None:
    """Commission the simulated THREAD through the wizard as a new user would: the plan, the
    verification and the finished run (report written) are saved as commission-*.png."""
    page.confirm = lambda _title, _text: True

    async def press() -> None:
        page.primary_button.click()
        await page.wait_idle()

    def save(name: str) -> None:
        path = OUT / f"commission-{name}{suffix}.png"
        window.grab().save(str(path))
        print(f"saved {path}")

    page.plan_step.site_edit.setText("Bridge 7 north")
    page.plan_step.location_edit.setText("Pier 3, cabinet B")
    page.plan_step.technician_edit.setText("A. Installer")
    await press()  # Start new run: identify, snapshot
    await press()  # Next: plan (the mixed three-port profile)
    await asyncio.sleep(0.5)
    save("plan")
    await press()  # Apply, then verify
    await asyncio.sleep(0.5)
    save("verify")
    await press()  # Next: register
    await page.wait_idle()
    page.register_step.sign_in_button.click()  # the embedded cloud simulator's sign-in
    await page.wait_idle()
    await press()  # Register now, then confirm in the cloud
    await press()  # Finish and write report
    await asyncio.sleep(0.5)
    save("done")


async def _demo_registration(page: Any) -> None:
    """Sign in to the embedded cloud simulator and register port 1's weather probe."""
    from commissioner.ui.pages.cloud.mapping_table import C_MODEL

    page.start()
    await page.wait_idle()
    page.account.sign_in()
    await page.wait_idle()
    tab = page.register_tab
    tab.refresh_templates()
    await page.wait_idle()
    tab.location_check.setChecked(True)
    tab.longitude.setValue(174.7762)
    tab.latitude.setValue(-41.2865)
    tab.elevation.setValue(20)
    combo = tab.table.combo(0, C_MODEL)
    combo.setCurrentIndex(combo.findData("wx-232"))
    tab.table._on_model_chosen(0)
    tab.register()
    await page.wait_idle()


async def _demo_verify(page: Any) -> None:
    """Check the registration in the cloud, watch the sensor and upload one test reading."""
    page.tabs.setCurrentWidget(page.verify_tab)
    verify = page.verify_tab
    verify.check()
    await page.wait_idle()
    verify.watch()
    await page.wait_idle()
    verify.upload_test_reading()
    await page.wait_idle()
    await asyncio.sleep(1.5)


def main() -> int:
    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    themes = sys.argv[1:] or ["light"]
    with loop:
        for theme in themes:
            loop.run_until_complete(capture(app, theme))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
