"""Composition root: the QApplication, the qasync loop and the services, wired in one place.

Nothing else creates loops, clients or simulators for the GUI, so shutdown is in one place too:
every service is closed with an awaited, time-limited ``aclose()`` before the loop stops.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from contextlib import AsyncExitStack

log = logging.getLogger(__name__)


def run_gui(*, demo: bool = False, smoke: bool = False) -> int:
    """Start the GUI; ``demo`` runs it against an embedded simulated THREAD on 127.0.0.1."""
    if smoke:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("THREAD Commissioner")
    app.setOrganizationName("THREAD Commissioner")
    app.setDesktopFileName("commissioner")
    # _run() waits for lastWindowClosed itself and then closes the services; letting Qt quit on
    # its own would stop the loop before that shutdown has run.
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        return loop.run_until_complete(_run(demo=demo, smoke=smoke))


async def _run(*, demo: bool, smoke: bool) -> int:
    from PySide6.QtWidgets import QApplication

    from commissioner.core.edge.client import EdgeClient
    from commissioner.ui.shell.main_window import MainWindow

    app = QApplication.instance()
    assert app is not None
    quit_event = asyncio.Event()
    app.lastWindowClosed.connect(quit_event.set)
    async with AsyncExitStack() as services:
        window = MainWindow()
        if demo:
            from commissioner.sim.host import SimHost

            host = SimHost(count=1)
            await host.start()
            services.push_async_callback(_closing(host.aclose))
            url = host.urls[0]
            client = EdgeClient(url)
            services.push_async_callback(_closing(client.aclose))
            window.set_client(client, f"Simulator at {url}")
        window.show()
        if smoke:
            serial = await window.identity.refresh() if demo else None
            window.close()
            if serial is None:
                print("smoke failed: could not read the simulated THREAD", file=sys.stderr)
                return 1
            print(f"smoke ok serial={serial}", flush=True)
            return 0
        if demo:
            await window.identity.refresh()
        await quit_event.wait()
    return 0


def _closing(aclose: object) -> object:
    """Wrap an ``aclose`` so a hung service cannot keep the app from exiting."""

    async def close() -> None:
        try:
            await asyncio.wait_for(aclose(), 5.0)  # type: ignore[operator]
        except Exception as exc:
            log.warning("service did not close cleanly: %s", exc)

    return close
