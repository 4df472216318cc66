"""UI tests run coroutines on a qasync loop, the way the app does, over the pytest-qt QApplication."""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest
import qasync
import shiboken6
from PySide6.QtWidgets import QApplication

from commissioner.core.connection.session import ThreadSession
from commissioner.core.connection.targets import ConnectionKind, ConnectionTarget
from commissioner.sim.server import ThreadServer
from commissioner.ui.session_model import SessionModel
from tests.core.edge.conftest import fast_scenario

T = TypeVar("T")


@pytest.fixture
def run_async(qapp: QApplication) -> Iterator[Callable[[Coroutine[Any, Any, T]], T]]:
    """Run a coroutine to completion on a qasync loop (never qtbot.waitUntil inside it).

    qasync (after ``run_until_complete``) and pytest-qt (after each test phase) process Qt events
    while no asyncio loop is running; a timer firing then steps a simulator or session task, which
    dies with "no running event loop". The loop is therefore kept current between runs too.
    """
    # Garbage holding Qt objects must be freed on the main thread: collected on a worker thread,
    # Shiboken defers the deletion and it can deadlock or crash inside Qt.
    gc.collect()
    loop = qasync.QEventLoop(qapp)
    loop.set_default_executor(
        concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="test-io")
    )
    asyncio.set_event_loop(loop)
    after_run = loop._after_run_forever  # type: ignore[attr-defined]

    def keep_current() -> None:
        after_run()
        asyncio.events._set_running_loop(loop)

    loop._after_run_forever = keep_current  # type: ignore[attr-defined]

    def run(coro: Coroutine[Any, Any, T]) -> T:
        asyncio.events._set_running_loop(None)
        return loop.run_until_complete(asyncio.wait_for(coro, 20))

    asyncio.events._set_running_loop(loop)
    yield run
    gc.collect()
    asyncio.events._set_running_loop(None)
    loop._after_run_forever = after_run  # type: ignore[attr-defined]
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()
    asyncio.set_event_loop(None)
    _destroy_loop_qobjects(loop)


def _destroy_loop_qobjects(loop: qasync.QEventLoop) -> None:
    """Destroy a closed loop's own QObjects now, on the GUI thread.

    qasync's ``close()`` leaves the Qt timers of callbacks that were still scheduled (cancelled
    timeouts and sleeps) registered on the loop's timer object; they are only killed when they
    fire. The loop object is freed when the garbage collector next finds it, and that can happen
    on a worker thread (``asyncio.to_thread`` runs on qasync's QThreadExecutor). Qt cannot
    unregister timers from another thread ("QObject::~QObject: Timers cannot be stopped from
    another thread"), so the GUI thread later delivers a timer event to freed memory: a SIGSEGV in
    whichever test runs next. Deleting them here unregisters the timers on the right thread.
    """
    owned = (loop._timer, loop._QEventLoop__call_soon_signaller)
    for qobject in owned:
        if shiboken6.isValid(qobject):
            shiboken6.delete(qobject)


def connected_model(run_async: Callable[[Coroutine[Any, Any, Any]], Any], url: str) -> SessionModel:
    """A SessionModel connected to ``url`` with quick loss detection (heartbeat 0.2 s)."""
    session = ThreadSession(
        heartbeat_s=0.2,
        probe_timeout_s=0.5,
        backoff_initial_s=0.1,
        backoff_max_s=0.4,
        request_timeout_s=2.0,
    )
    model = SessionModel(session)
    run_async(model.connect_to(ConnectionTarget(ConnectionKind.ETHERNET, url)))
    return model


@pytest.fixture
def sim_model(
    run_async: Callable[[Coroutine[Any, Any, Any]], Any],
) -> Iterator[tuple[SessionModel, ThreadServer]]:
    """A SessionModel connected over loopback to a fast simulated THREAD, with quick loss detection.

    Background work (heartbeat, sensors) only runs while ``run_async`` runs something, so tests
    let time pass with ``run_async(asyncio.sleep(...))``.
    """
    server = ThreadServer(fast_scenario())
    run_async(server.start())
    model = connected_model(run_async, server.url)
    yield model, server
    run_async(model.aclose())
    run_async(server.aclose())
