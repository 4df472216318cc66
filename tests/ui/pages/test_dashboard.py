"""Dashboard page against a simulated THREAD over loopback: real values, interval, verdicts,
staleness when the THREAD goes away, recovery, clock sync, and inline failures."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from pytestqt.qtbot import QtBot

from commissioner.core.connection.session import ConnectionState, ThreadSession
from commissioner.core.connection.targets import ConnectionKind, ConnectionTarget
from commissioner.core.edge.client import EdgeClient
from commissioner.core.health import SPECS, StalenessPolicy, Verdict
from commissioner.core.health import readings as R
from commissioner.sim.server import ThreadServer
from commissioner.ui.pages.dashboard import DashboardPage
from commissioner.ui.session_model import SessionModel
from commissioner.ui.widgets.inline_status import Level
from tests.core.edge.conftest import fast_scenario
from tests.core.health.conftest import CountingTransport, until

RunAsync = Callable[..., Any]
SimModel = tuple[SessionModel, ThreadServer]


async def sim(server: ThreadServer, method: str, path: str, body: dict[str, Any]) -> None:
    async with httpx.AsyncClient(base_url=server.url, trust_env=False, timeout=5) as http:
        response = await http.request(method, path, json=body)
        response.raise_for_status()


def first_round_done(page: DashboardPage) -> Callable[[], bool]:
    return lambda: page.poller.rounds >= 1 and not page.poller.busy


@pytest.fixture
def page(qtbot: QtBot, sim_model: SimModel, run_async: RunAsync) -> Iterator[DashboardPage]:
    model, _server = sim_model
    widget = DashboardPage(model)
    qtbot.addWidget(widget)
    yield widget
    run_async(widget.aclose())


def test_shows_real_values_from_the_simulator(
    page: DashboardPage, sim_model: SimModel, run_async: RunAsync
) -> None:
    """Every tile fills in from one concurrent round, in the right units, with its age."""
    _model, server = sim_model
    run_async(until(first_round_done(page)))
    state = server.device.to_dict()

    soc = page.tile(R.BATTERY_SOC)
    assert soc.value_text().endswith(" %")
    assert float(soc.value_text().split()[0]) == pytest.approx(
        state["power"]["state_of_charge"], abs=1
    )
    assert page.tile(R.PRESSURE).value_text().endswith(" hPa")
    assert "daPa" in page.tile(R.PRESSURE).detail_label.text()
    assert page.tile(R.TEMPERATURE).value_text().endswith(" °C")
    assert page.tile(R.INTERFACE_PRIORITY).value_text() == "ethernet"
    for port in R.PORTS:
        assert page.tile(R.port_voltage_key(port)).value_text().endswith(" V")
        assert page.tile(R.port_current_key(port)).value_text().endswith(" A")
    assert all(tile.value_text() != "—" for tile in page.tiles.values())
    assert all(tile.age_text().startswith("read ") for tile in page.tiles.values())
    assert page.stale_keys() == []
    assert f"All {len(SPECS)} values read" in page.status.text()
    clock = page.tile(R.CLOCK)
    assert clock.value_text().endswith("behind") and clock.verdict is Verdict.WARNING
    assert "sync the clock" in clock.status_text()


def test_interval_selector_takes_effect(page: DashboardPage, run_async: RunAsync) -> None:
    """The selector offers 1-30 s and Paused; pausing stops rounds, an interval resumes them."""
    combo = page.interval_combo
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "1 s",
        "2 s",
        "5 s",
        "10 s",
        "30 s",
        "Paused",
    ]
    assert page.poller.interval_s == 5.0
    run_async(until(first_round_done(page)))
    combo.setCurrentIndex(combo.findText("Paused"))
    assert page.poller.paused
    assert "Paused" in page.status.text()
    rounds = page.poller.rounds
    run_async(asyncio.sleep(0.4))
    assert page.poller.rounds == rounds

    page.set_interval(0.1)
    assert page.poller.interval_s == 0.1 and combo.currentText() == "0.1 s"
    run_async(until(lambda: page.poller.rounds >= rounds + 2))
    combo.setCurrentIndex(combo.findText("2 s"))
    assert page.poller.interval_s == 2.0


def test_low_battery_highlighted_with_its_reason(
    qtbot: QtBot, page: DashboardPage, sim_model: SimModel, run_async: RunAsync
) -> None:
    """State of charge 8 % and no charge input: alarm and warning, each saying why and what to do."""
    _model, server = sim_model
    run_async(until(first_round_done(page)))
    assert page.tile(R.BATTERY_SOC).verdict is Verdict.OK
    run_async(sim(server, "POST", "/_sim/power", {"soc": 8, "charge_input_v": 0}))
    qtbot.mouseClick(page.refresh_button, Qt.MouseButton.LeftButton)
    run_async(page.refresh_runner.wait_idle())

    soc = page.tile(R.BATTERY_SOC)
    assert soc.verdict is Verdict.ALARM
    assert "Alarm: Battery nearly empty (8 %)" in soc.status_text()
    assert "Connect the charger" in soc.status_text()
    charge = page.tile(R.CHARGE_INPUT_V)
    assert charge.verdict is Verdict.WARNING and "No charge input" in charge.status_text()
    assert "1 alarm" in page.status.text() and page.status.level is Level.ERROR


def test_values_go_stale_when_unreachable_and_recover(
    page: DashboardPage, sim_model: SimModel, run_async: RunAsync
) -> None:
    """The THREAD vanishes: values stay, age into "stale", the page says why; then all recover."""
    model, server = sim_model
    page.staleness = StalenessPolicy(minimum_s=0.4)
    page.set_interval(0.1)
    run_async(until(first_round_done(page)))
    before = page.tile(R.BATTERY_V).value_text()

    run_async(sim(server, "POST", "/_sim/unreachable", {"seconds": 1.0}))
    run_async(until(lambda: not model.state.usable))
    assert not page.refresh_button.isEnabled() and not page.sync_button.isEnabled()

    def all_stale() -> bool:
        page.tick()
        return len(page.stale_keys()) == len(SPECS)

    run_async(until(all_stale))
    battery = page.tile(R.BATTERY_V)
    assert battery.value_text() == before
    assert battery.age_text().startswith("stale · read ")
    assert battery.value_label.foregroundRole() is QPalette.ColorRole.PlaceholderText
    assert "stale" in page.status.text() and page.status.level is Level.ERROR

    run_async(until(lambda: model.state is ConnectionState.CONNECTED))

    def all_fresh() -> bool:
        page.tick()
        return page.stale_keys() == [] and not page.poller.latest[R.BATTERY_V].failed

    run_async(until(all_fresh))
    assert page.refresh_button.isEnabled()
    assert battery.value_label.foregroundRole() is QPalette.ColorRole.WindowText
    assert battery.status_text() == ""


def test_sync_time_brings_the_clock_offset_near_zero(
    qtbot: QtBot, page: DashboardPage, run_async: RunAsync
) -> None:
    """The default THREAD starts 95 s behind; one click sets it, and the clock tile says so."""
    run_async(until(first_round_done(page)))
    clock = page.tile(R.CLOCK)
    assert clock.reading.number == pytest.approx(-95, abs=3)
    qtbot.mouseClick(page.sync_button, Qt.MouseButton.LeftButton)
    run_async(page.sync_runner.wait_idle())
    assert clock.reading.number is not None and abs(clock.reading.number) < 2
    assert clock.verdict is Verdict.OK and clock.status_text() == ""
    assert page.sync_status.level is Level.OK and "THREAD clock set" in page.sync_status.text()


def test_disconnected_disables_and_says_what_to_do(
    page: DashboardPage, sim_model: SimModel, run_async: RunAsync
) -> None:
    """Not connected: controls off, polling suspended, old values forgotten, next step given."""
    model, _server = sim_model
    run_async(until(first_round_done(page)))
    run_async(model.close_connection())
    assert page.poller.suspended
    assert not page.refresh_button.isEnabled()
    assert not page.sync_button.isEnabled() and not page.interval_combo.isEnabled()
    assert "Connection page" in page.status.text()
    assert all(tile.value_text() == "—" for tile in page.tiles.values())
    assert page.tile(R.BATTERY_SOC).age_text() == "never read"


@pytest.fixture
def faulty(qtbot: QtBot, run_async: RunAsync) -> Iterator[Callable[[set[str]], DashboardPage]]:
    """A dashboard on a THREAD whose named requests answer HTTP 500 (the rest are real)."""
    made: list[tuple[DashboardPage, SessionModel, ThreadServer]] = []

    def make(fail: set[str]) -> DashboardPage:
        server = ThreadServer(fast_scenario())
        run_async(server.start())
        session = ThreadSession(
            heartbeat_s=0.5,
            client_factory=lambda url: EdgeClient(
                url, retry_backoff_s=0.01, http_transport=CountingTransport(fail)
            ),
        )
        model = SessionModel(session)
        run_async(model.connect_to(ConnectionTarget(ConnectionKind.ETHERNET, server.url)))
        widget = DashboardPage(model)
        qtbot.addWidget(widget)
        made.append((widget, model, server))
        return widget

    yield make
    for widget, model, server in made:
        run_async(widget.aclose())
        run_async(model.aclose())
        run_async(server.aclose())


def test_one_failed_read_is_said_on_its_tile(
    faulty: Callable[[set[str]], DashboardPage], run_async: RunAsync
) -> None:
    """A failing temperature read is shown on that tile and summarised; the rest stay normal."""
    page = faulty({"/api/tempRead"})
    run_async(until(first_round_done(page)))
    temperature = page.tile(R.TEMPERATURE)
    assert temperature.value_text() == "—"
    assert "Last read failed (HTTP 500)" in temperature.status_text()
    assert "simulated sensor fault" in temperature.status_label.toolTip()
    assert page.tile(R.PRESSURE).status_text() == ""
    assert page.status.level is Level.WARNING
    assert f"1 of {len(SPECS)} values could not be read (Temperature:" in page.status.text()


def test_failed_clock_sync_says_what_happened_next_to_the_button(
    qtbot: QtBot, faulty: Callable[[set[str]], DashboardPage], run_async: RunAsync
) -> None:
    """A refused clock write is reported inline by the sync button, with what to do next."""
    page = faulty({"POST /api/time"})
    run_async(until(first_round_done(page)))
    qtbot.mouseClick(page.sync_button, Qt.MouseButton.LeftButton)
    run_async(page.sync_runner.wait_idle())
    assert page.sync_status.level is Level.ERROR
    text = page.sync_status.text()
    assert "Could not set the THREAD's clock" in text and "HTTP 500" in text
    assert "try again" in text
    assert page.sync_button.isEnabled()


def test_aclose_stops_polling_and_ticking(page: DashboardPage, run_async: RunAsync) -> None:
    """The app's shutdown hook: nothing keeps running afterwards, and a second call is harmless."""
    run_async(until(first_round_done(page)))
    run_async(page.aclose())
    assert not page.ticker.isActive()
    rounds = page.poller.rounds
    page.poller.resume()
    run_async(asyncio.sleep(0.2))
    assert page.poller.rounds == rounds
    run_async(page.aclose())


@pytest.mark.parametrize(("width", "units", "rows"), [(1100, 6, 3), (800, 4, 4)])
def test_cards_reflow_to_the_width_without_squeezing_texts(
    page: DashboardPage, run_async: RunAsync, width: int, units: int, rows: int
) -> None:
    """Narrow windows get fewer tiles per row, and no tile is shorter than its texts need."""
    page.resize(width, 600)
    page.show()
    run_async(until(first_round_done(page)))
    run_async(asyncio.sleep(0.1))  # let Qt apply the layout requests the new texts posted
    assert page.flow.units == units
    assert len(page.flow.rows()) == rows
    for tile in page.tiles.values():
        assert tile.height() >= tile.heightForWidth(tile.width()) - 1, tile.key
