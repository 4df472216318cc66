"""System page jobs that send the THREAD away: sleep and update, with progress, stop and return."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from pytestqt.qtbot import QtBot

from commissioner.core.connection.session import ConnectionState
from commissioner.core.system import Phase, Progress
from commissioner.sim.server import ThreadServer
from commissioner.ui.pages.system import SystemPage
from commissioner.ui.session_model import SessionModel
from commissioner.ui.widgets.inline_status import Level
from tests.ui.pages.test_system_page import (
    RunAsync,
    make_page,
    record_exchanges,
    sim_state,
    writes,
)
from tests.waiting import until


@dataclass
class Seen:
    """What the page looked like at one progress report."""

    progress: Progress
    progress_visible: bool
    stop_enabled: bool
    flash_enabled: bool


def watch_progress(page: SystemPage, group: str) -> list[Seen]:
    """Record every progress report with the widgets' state at that moment (no timed sampling)."""
    target = getattr(page, group)
    seen: list[Seen] = []
    original = target.progress.show_progress

    def show(progress: Progress) -> None:
        original(progress)
        seen.append(
            Seen(
                progress,
                target.progress.isVisibleTo(page),
                target.progress.stop_button.isEnabled(),
                page.identify.flash_button.isEnabled(),
            )
        )

    target.progress.show_progress = show
    return seen


def record_states(model: SessionModel) -> list[tuple[ConnectionState, str]]:
    states: list[tuple[ConnectionState, str]] = []
    model.sig_state_changed.connect(lambda state, detail: states.append((state, detail)))
    return states


@pytest.fixture
def page(
    qtbot: QtBot, sim_model: tuple[SessionModel, ThreadServer], run_async: RunAsync
) -> Iterator[SystemPage]:
    page = make_page(qtbot, sim_model[0], run_async)
    yield page
    run_async(page.aclose())


def test_declined_sleep_sends_nothing(
    page: SystemPage, sim_model: tuple[SessionModel, ThreadServer], run_async: RunAsync
) -> None:
    """The confirmation names the duration; answering no sends nothing."""
    exchanges = record_exchanges(sim_model[0])
    asked: list[tuple[str, str]] = []

    def decline(title: str, text: str) -> bool:
        asked.append((title, text))
        return False

    page.confirm = decline
    page.sleep.set_duration(90, "seconds")
    page.sleep.sleep_button.click()
    run_async(page.wait_idle())
    assert "1 min 30 s" in asked[0][0] and "1 min 30 s" in asked[0][1]
    assert writes(exchanges) == []
    assert "Not sent" in page.sleep.status.text()


def test_sleep_waits_shows_progress_and_reconnects(
    page: SystemPage, sim_model: tuple[SessionModel, ThreadServer], run_async: RunAsync
) -> None:
    """Sleep: the session is told why the THREAD is away, the countdown stays visible with the
    other controls off, and when it wakes the page says so and the app is connected again."""
    model = sim_model[0]
    seen = watch_progress(page, "sleep")
    states = record_states(model)
    page.sleep.set_duration(1, "seconds")
    page.sleep.sleep_button.click()
    run_async(page.wait_idle())
    away = [s for s in seen if s.progress.phase is Phase.AWAY]
    assert away and away[0].progress.text.startswith("Asleep, back in about")
    assert all(s.progress_visible and s.stop_enabled and not s.flash_enabled for s in away)
    assert any(
        state is ConnectionState.LOST and "asleep for 1 s" in detail for state, detail in states
    )
    assert page.sleep.status.level is Level.OK
    assert "awake again" in page.sleep.status.text()
    assert not page.sleep.progress.isVisibleTo(page)
    run_async(until(lambda: model.state is ConnectionState.CONNECTED))
    assert page.identify.flash_button.isEnabled() and page.sleep.sleep_button.isEnabled()


def test_stop_waiting_leaves_thread_asleep(
    page: SystemPage, sim_model: tuple[SessionModel, ThreadServer], run_async: RunAsync
) -> None:
    """Stop waiting ends the page's wait only; the THREAD sleeps on and the app reconnects."""
    model, server = sim_model
    seen = watch_progress(page, "sleep")
    page.sleep.set_duration(1, "seconds")
    page.sleep.sleep_button.click()
    run_async(until(lambda: any(s.progress.phase is Phase.AWAY for s in seen)))
    page.sleep.progress.stop_button.click()
    run_async(page.wait_idle())
    assert page.sleep.status.level is Level.WARNING
    assert "Stopped waiting" in page.sleep.status.text()
    assert not page.sleep.progress.isVisibleTo(page)
    assert server.device.is_down()
    run_async(until(lambda: model.state is ConnectionState.CONNECTED))


def test_disconnect_during_sleep_stops_waiting(
    page: SystemPage, sim_model: tuple[SessionModel, ThreadServer], run_async: RunAsync
) -> None:
    """Disconnecting while the THREAD sleeps stops the wait and says why."""
    seen = watch_progress(page, "sleep")
    page.sleep.set_duration(30, "seconds")
    page.sleep.sleep_button.click()
    run_async(until(lambda: any(s.progress.phase is Phase.AWAY for s in seen)))
    run_async(sim_model[0].close_connection())
    run_async(page.wait_idle())
    assert "you disconnected" in page.sleep.status.text()


def test_update_to_version_shows_progress_then_new_version(
    page: SystemPage, sim_model: tuple[SessionModel, ThreadServer], run_async: RunAsync
) -> None:
    """Update to 7.19.0: confirmation names both versions, progress runs through the restart,
    then the new version is shown in the group and in the session's identity."""
    model, server = sim_model
    seen = watch_progress(page, "update_group")
    asked: list[str] = []
    page.confirm = lambda _title, text: asked.append(text) or True
    page.update_group.version_radio.setChecked(True)
    page.update_group.version_edit.setText("7.19.0")
    page.update_group.update_button.click()
    run_async(page.wait_idle())
    assert "from 7.18.0 to version 7.19.0" in asked[0]
    phases = [s.progress.phase for s in seen]
    assert Phase.SENDING in phases and Phase.AWAY in phases and phases[-1] is Phase.BACK
    assert any(s.progress.text.startswith("Restarting") and s.stop_enabled for s in seen)
    assert page.update_group.installed_label.text() == "7.19.0"
    assert page.update_group.status.level is Level.OK
    assert "from 7.18.0 to 7.19.0" in page.update_group.status.text()
    assert sim_state(run_async, server)["application"] == "7.19.0"
    assert model.identity is not None and model.identity.versions.application == "7.19.0"
    run_async(until(lambda: model.state is ConnectionState.CONNECTED))
    assert page.update_group.update_button.isEnabled()


def test_update_from_file_on_thread(
    page: SystemPage, sim_model: tuple[SessionModel, ThreadServer], run_async: RunAsync
) -> None:
    """A .jar path on the THREAD installs the version its name carries."""
    page.update_group.file_radio.setChecked(True)
    page.update_group.file_edit.setText("/tmp/snoopy-7.20.1.jar")
    page.update_group.update_button.click()
    run_async(page.wait_idle())
    assert page.update_group.installed_label.text() == "7.20.1"


@pytest.mark.parametrize(
    ("radio", "text", "reason"),
    [
        ("version_radio", "7.x", "must look like 7.18.0"),
        ("version_radio", "", "type a version"),
        ("file_radio", "snoopy.jar", "absolute path"),
    ],
)
def test_invalid_update_target_refused_before_asking(
    page: SystemPage,
    sim_model: tuple[SessionModel, ThreadServer],
    run_async: RunAsync,
    radio: str,
    text: str,
    reason: str,
) -> None:
    """A bad version or path is refused with the reason; no confirmation, nothing sent."""
    exchanges = record_exchanges(sim_model[0])
    asked: list[str] = []

    def accept(_title: str, body: str) -> bool:
        asked.append(body)
        return True

    page.confirm = accept
    getattr(page.update_group, radio).setChecked(True)
    edit = (
        page.update_group.version_edit if radio == "version_radio" else page.update_group.file_edit
    )
    edit.setText(text)
    page.update_group.update_button.click()
    run_async(page.wait_idle())
    assert asked == [] and writes(exchanges) == []
    assert page.update_group.status.level is Level.ERROR
    assert reason in page.update_group.status.text()


def test_declined_update_sends_nothing(
    page: SystemPage, sim_model: tuple[SessionModel, ThreadServer], run_async: RunAsync
) -> None:
    """Saying no leaves the application as it is."""
    exchanges = record_exchanges(sim_model[0])
    page.confirm = lambda _title, _text: False
    page.update_group.update_button.click()
    run_async(page.wait_idle())
    assert writes(exchanges) == []
    assert "Not sent" in page.update_group.status.text()
    assert page.update_group.installed_label.text() == "7.18.0"
