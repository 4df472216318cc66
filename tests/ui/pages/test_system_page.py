"""System page settings over loopback against a simulated THREAD: read, set, read back, refuse."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from pytestqt.qtbot import QtBot

from commissioner.core.connection.session import ConnectionState
from commissioner.core.edge.transport import Exchange
from commissioner.core.system import SleepOptions, UpdateOptions, WaitSettings
from commissioner.sim.faults import Faults
from commissioner.sim.server import ThreadServer
from commissioner.ui.pages.system import SystemPage
from commissioner.ui.session_model import SessionModel
from commissioner.ui.widgets.inline_status import Level

QUICK = WaitSettings(poll_s=0.05, probe_timeout_s=0.5, tick_s=0.05)
RunAsync = Callable[..., Any]


def make_page(qtbot: QtBot, model: SessionModel, run_async: RunAsync) -> SystemPage:
    """A page with quick waits and confirmations answered yes, after its first reads."""
    page = SystemPage(model)
    qtbot.addWidget(page)
    page.confirm = lambda _title, _text: True
    page.sleep.options = SleepOptions(margin_s=5.0, wait=QUICK)
    page.update_group.options = UpdateOptions(timeout_s=10.0, expected_restart_s=0.4, wait=QUICK)
    run_async(page.wait_idle())
    return page


def sim_state(run_async: RunAsync, server: ThreadServer) -> dict[str, Any]:
    async def get() -> dict[str, Any]:
        async with httpx.AsyncClient(trust_env=False) as http:
            response = await http.get(f"{server.url}/_sim/state")
            return dict(response.json())

    return dict(run_async(get()))


def record_exchanges(model: SessionModel) -> list[Exchange]:
    exchanges: list[Exchange] = []
    model.session.add_exchange_listener(exchanges.append)
    return exchanges


def writes(exchanges: list[Exchange]) -> list[Exchange]:
    return [e for e in exchanges if e.method != "GET"]


@pytest.fixture
def page(
    qtbot: QtBot, sim_model: tuple[SessionModel, ThreadServer], run_async: RunAsync
) -> Iterator[SystemPage]:
    page = make_page(qtbot, sim_model[0], run_async)
    yield page
    run_async(page.aclose())


def test_current_values_read_on_connect(page: SystemPage) -> None:
    """Opening the page shows what the THREAD has now: cloud, route, battery saver, version."""
    assert page.led_cloud.cloud_label.text() == "enabled"
    assert page.network.priority_label.text() == "Ethernet (eth0)"
    assert page.battery.current_label.text().startswith("off")
    assert page.update_group.installed_label.text() == "7.18.0"
    assert not page.network.ethernet_button.isEnabled() and page.network.cellular_button.isEnabled()
    assert page.connection_status.text().startswith("THREAD ")


def test_flash_led_counts_on_thread(
    page: SystemPage, sim_model: tuple[SessionModel, ThreadServer], run_async: RunAsync
) -> None:
    """Flash LED reaches the THREAD once per click and says so inline."""
    server = sim_model[1]
    before = sim_state(run_async, server)["ephemeral"]["led_flashes"]
    page.identify.flash_button.click()
    run_async(page.wait_idle())
    assert sim_state(run_async, server)["ephemeral"]["led_flashes"] == before + 1
    assert page.identify.status.level is Level.OK


def test_accessible_led_explains_cloud_override(
    page: SystemPage, sim_model: tuple[SessionModel, ThreadServer], run_async: RunAsync
) -> None:
    """Green is set; with the cloud connection on, the page warns that cloud health wins."""
    server = sim_model[1]
    page.led_cloud.green_button.click()
    run_async(page.wait_idle())
    state = sim_state(run_async, server)
    assert state["ephemeral"]["accessible"] is True
    assert page.led_cloud.status.level is Level.WARNING
    assert "cloud connection is enabled" in page.led_cloud.status.text()
    page.led_cloud.disable_button.click()
    run_async(page.wait_idle())
    page.led_cloud.red_button.click()
    run_async(page.wait_idle())
    assert sim_state(run_async, server)["ephemeral"]["accessible"] is False
    assert page.led_cloud.status.level is Level.OK
    assert page.led_cloud.led_label.text() == "red"


def test_cloud_connection_toggled_and_read_back(
    page: SystemPage, sim_model: tuple[SessionModel, ThreadServer], run_async: RunAsync
) -> None:
    """Disabling asks first, persists on the THREAD, is read back; enabling restores it."""
    server = sim_model[1]
    asked: list[str] = []
    page.confirm = lambda _title, text: asked.append(text) or True
    page.led_cloud.disable_button.click()
    run_async(page.wait_idle())
    assert "persists across reboots" in asked[0] and "red" in asked[0]
    assert sim_state(run_async, server)["persistent"]["cloud_connection"] is False
    assert page.led_cloud.cloud_label.text() == "disabled"
    assert "read back" in page.led_cloud.status.text()
    assert page.led_cloud.enable_button.isEnabled()
    assert not page.led_cloud.disable_button.isEnabled()
    page.led_cloud.enable_button.click()
    run_async(page.wait_idle())
    assert sim_state(run_async, server)["persistent"]["cloud_connection"] is True
    assert page.led_cloud.cloud_label.text() == "enabled"


def test_declining_cloud_disable_sends_nothing(
    page: SystemPage, sim_model: tuple[SessionModel, ThreadServer], run_async: RunAsync
) -> None:
    """Saying no to the confirmation leaves the cloud connection alone."""
    exchanges = record_exchanges(sim_model[0])
    page.confirm = lambda _title, _text: False
    page.led_cloud.disable_button.click()
    run_async(page.wait_idle())
    assert writes(exchanges) == []
    assert sim_state(run_async, sim_model[1])["persistent"]["cloud_connection"] is True


def test_interface_priority_switched(
    page: SystemPage, sim_model: tuple[SessionModel, ThreadServer], run_async: RunAsync
) -> None:
    """Prefer cellular, then Ethernet: the THREAD's route follows and is shown."""
    server = sim_model[1]
    page.network.cellular_button.click()
    run_async(page.wait_idle())
    assert sim_state(run_async, server)["persistent"]["interface_priority"] == "ppp0"
    assert page.network.priority_label.text() == "Cellular (ppp0)"
    assert not page.network.cellular_button.isEnabled()
    page.network.ethernet_button.click()
    run_async(page.wait_idle())
    assert sim_state(run_async, server)["persistent"]["interface_priority"] == "eth0"


def test_battery_saver_set_within_limits(
    page: SystemPage, sim_model: tuple[SessionModel, ThreadServer], run_async: RunAsync
) -> None:
    """Enabled with low 20 % and high 80 % reaches the THREAD and is shown as current."""
    page.battery.enabled_box.setChecked(True)
    page.battery.low_box.setValue(20)
    page.battery.high_box.setValue(80)
    page.battery.apply_button.click()
    run_async(page.wait_idle())
    saver = sim_state(run_async, sim_model[1])["persistent"]["battery_saver"]
    assert saver == {"value": True, "low": 20, "high": 80}
    assert page.battery.current_label.text().startswith("on (shut off at 20 %")
    assert page.battery.status.level is Level.OK


@pytest.mark.parametrize(("low", "high", "reason"), [(41, 80, "0 to 40"), (20, 59, "60 to 100")])
def test_battery_saver_out_of_limits_refused(
    page: SystemPage,
    sim_model: tuple[SessionModel, ThreadServer],
    run_async: RunAsync,
    low: int,
    high: int,
    reason: str,
) -> None:
    """Values outside the documented limits are refused with the rule; nothing is sent."""
    exchanges = record_exchanges(sim_model[0])
    page.battery.enabled_box.setChecked(True)
    page.battery.low_box.setValue(low)
    page.battery.high_box.setValue(high)
    assert page.battery.status.level is Level.ERROR  # said as soon as it is typed
    page.battery.apply_button.click()
    run_async(page.wait_idle())
    assert page.battery.status.level is Level.ERROR
    assert reason in page.battery.status.text() and "Not sent" in page.battery.status.text()
    assert writes(exchanges) == []
    saver = sim_state(run_async, sim_model[1])["persistent"]["battery_saver"]
    assert saver["value"] is False


def test_message_sent_to_port_2(
    page: SystemPage, sim_model: tuple[SessionModel, ThreadServer], run_async: RunAsync
) -> None:
    """Text plus the chosen ending reaches port 2 and nothing else."""
    before = sim_state(run_async, sim_model[1])["ports"]
    page.message.set_port(2)
    page.message.text_edit.setText("hello")
    page.message.ending_box.setCurrentText("CR LF")
    page.message.send_button.click()
    run_async(page.wait_idle())
    after = sim_state(run_async, sim_model[1])["ports"]
    assert after["2"]["bytes_from_clients"] - before["2"]["bytes_from_clients"] == 7
    assert after["1"]["bytes_from_clients"] == before["1"]["bytes_from_clients"]
    assert page.message.status.text().endswith("Sent 7 characters to port 2.")


def test_empty_message_refused(
    page: SystemPage, sim_model: tuple[SessionModel, ThreadServer], run_async: RunAsync
) -> None:
    """An empty message says what to do instead of sending."""
    exchanges = record_exchanges(sim_model[0])
    page.message.send_button.click()
    run_async(page.wait_idle())
    assert page.message.status.level is Level.ERROR and "type what to send" in (
        page.message.status.text()
    )
    assert writes(exchanges) == []


def test_rejection_shown_next_to_control(
    page: SystemPage, sim_model: tuple[SessionModel, ThreadServer], run_async: RunAsync
) -> None:
    """A THREAD that answers HTTP 500 gets a readable error in that group, with a next step."""
    sim_model[1].device.set_faults(Faults(error_rate=1.0))
    page.identify.flash_button.click()
    run_async(page.wait_idle())
    text = page.identify.status.text()
    assert page.identify.status.level is Level.ERROR
    assert "HTTP 500" in text and "try again" in text
    assert page.network.status.level is Level.NONE  # other groups are not blamed


def test_controls_follow_connection_state(
    page: SystemPage, sim_model: tuple[SessionModel, ThreadServer], run_async: RunAsync
) -> None:
    """Disconnected: every control off, old values forgotten, and the page says what to do."""
    model = sim_model[0]
    assert page.identify.flash_button.isEnabled()
    run_async(model.close_connection())
    assert model.state is ConnectionState.DISCONNECTED
    for widget in (
        page.identify.flash_button,
        page.led_cloud.green_button,
        page.led_cloud.disable_button,
        page.network.cellular_button,
        page.battery.apply_button,
        page.sleep.sleep_button,
        page.update_group.update_button,
        page.message.send_button,
    ):
        assert not widget.isEnabled(), widget.text()
    assert page.led_cloud.cloud_label.text() == "—"
    assert page.network.priority_label.text() == "—"
    assert page.update_group.installed_label.text() == "—"
    assert "Connection page" in page.connection_status.text()
