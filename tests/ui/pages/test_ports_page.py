"""The Ports page against a simulated THREAD: stage, diff, confirm, apply, verify, survive loss."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from commissioner.core.connection.session import ConnectionState, ThreadSession
from commissioner.core.edge.rules import Parity, PortMode, PortVoltage
from commissioner.core.ports.apply import StepEvent, StepStatus
from commissioner.core.ports.fields import PortField
from commissioner.sim.server import ThreadServer
from commissioner.ui.pages.ports import PortsPage
from commissioner.ui.session_model import SessionModel

RunAsync = Callable[..., Any]
SimModel = tuple[SessionModel, ThreadServer]


class Answers:
    """Stands in for the confirmation dialog: records what was asked, answers as told."""

    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.asked: list[tuple[str, str]] = []

    def __call__(self, title: str, text: str) -> bool:
        self.asked.append((title, text))
        return self.answer


async def sim_port(server: ThreadServer, port: int) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server.url, trust_env=False) as http:
        state = (await http.get("/_sim/state")).json()
    return {**state["persistent"]["ports"][str(port)], "link": state["ports"][str(port)]}


def choose(combo: QComboBox, value: object) -> None:
    """Pick an item the way a user does (``activated`` is only emitted for user choices)."""
    index = combo.findData(value)
    assert index >= 0, f"{value!r} not offered"
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


@pytest.fixture
def page(qtbot: QtBot, run_async: RunAsync, sim_model: SimModel) -> Iterator[PortsPage]:
    model, _ = sim_model
    widget = PortsPage(model)
    widget.settle_s = 0.0
    qtbot.addWidget(widget)
    run_async(widget.wait_idle())
    yield widget
    run_async(widget.aclose())


def test_stage_apply_and_verify_port1(
    page: PortsPage, run_async: RunAsync, sim_model: SimModel
) -> None:
    """RS232 / 12 V / 9600 / connection on: diff shown, 12 V confirmed, every field verified."""
    model, server = sim_model
    run_async(model.require_client().set_port_properties(1, {"BAUD_RATE": 19200}))
    run_async(page.refresh())
    p1 = page.panel(1)
    assert p1.diff_text("BAUD_RATE") == "device: 19200"
    choose(p1.mode_combo, PortMode.RS232)
    choose(p1.voltage_combo, PortVoltage.V12)
    choose(p1.baud_combo, 9600)
    p1.connection_check.click()
    assert p1.diff_text("BAUD_RATE") == "device: 19200 → pending: 9600"
    assert p1.diff_text("MODE") == "device: unknown → pending: RS232"
    assert p1.diff_text("DEVICE_CONNECTION") == "device: off → pending: on"
    assert p1.diff_text("DATA_BITS") == "device: 8"
    assert "4 pending" in page.tabs.tabText(0)
    assert page.apply_button.isEnabled()

    answers = Answers(True)
    page.confirm = answers
    task = page.apply()
    assert task is not None
    run_async(page.wait_idle())
    assert len(answers.asked) == 1
    title, text = answers.asked[0]
    assert "port 1" in title and "12 V" in title
    assert "port 1" in text and "12 V" in text and "device connection" in text
    for field in ("MODE", "VOLTAGE", "BAUD_RATE", "DEVICE_CONNECTION"):
        assert p1.field_status(field).state == "verified", p1.field_status(field)
    assert "COMM_TYPE reads RS232" in p1.field_status("MODE").text
    port1 = run_async(sim_port(server, 1))
    assert port1["mode"] == "RS232" and port1["voltage"] == 1
    assert port1["properties"]["BAUD_RATE"] == 9600 and port1["device_connection"] is True
    assert port1["link"]["data_blocked_by"] is None  # the weather probe can talk now
    assert not page.workspace.has_edits and not page.apply_button.isEnabled()
    assert all(line.lstrip().startswith(("Apply", "✔")) for line in page.steps.lines)


def test_invalid_delimiter_cannot_be_applied(
    page: PortsPage, qtbot: QtBot, run_async: RunAsync, sim_model: SimModel
) -> None:
    """Typing delimiter "0G" marks the field invalid, disables Apply and says why; nothing is sent."""
    _, server = sim_model
    edit = page.panel(1).delimiters_edit
    edit.selectAll()
    qtbot.keyClicks(edit, "0D0A, 0G")
    status = page.panel(1).field_status("DELIMITERS_HEX")
    assert status.state == "invalid" and "hex bytes" in status.text
    assert not page.apply_button.isEnabled()
    assert "Delimiters" in page.apply_reason.text() and "'0G'" in page.apply_reason.text()
    assert page.apply() is None
    assert run_async(sim_port(server, 1))["properties"]["DELIMITERS_HEX"] == ["0D0A"]
    qtbot.keyClick(edit, "\b")
    qtbot.keyClick(edit, "\b")
    qtbot.keyClicks(edit, "0D")
    assert page.panel(1).field_status("DELIMITERS_HEX").state == ""
    assert page.apply_button.isEnabled()


def test_fifteen_volts_declined_sends_nothing(
    page: PortsPage, run_async: RunAsync, sim_model: SimModel
) -> None:
    """Choosing 15 V asks, naming port 2 and 15 V; answering no sends nothing and keeps the edit."""
    _, server = sim_model
    choose(page.panel(2).voltage_combo, PortVoltage.V15)
    answers = Answers(False)
    page.confirm = answers
    assert page.apply() is None
    assert len(answers.asked) == 1
    title, text = answers.asked[0]
    assert "port 2" in title and "15 V" in title and "port 2" in text and "15 V" in text
    assert "not confirmed" in page.status.text()
    assert run_async(sim_port(server, 2))["voltage"] == 0
    assert page.workspace.stagings[2].edits == {PortField.VOLTAGE: PortVoltage.V15}


def test_usb_only_on_port_1_with_host_and_port(page: PortsPage) -> None:
    """USB is offered on port 1 only; HOST/PORT are editable only once port 1 is set to USB."""

    def modes(port: int) -> list[str]:
        combo = page.panel(port).mode_combo
        return [combo.itemText(i) for i in range(combo.count())]

    assert "USB" in modes(1)
    assert "USB" not in modes(2) and "USB" not in modes(3)
    for port in (1, 2, 3):
        assert not page.panel(port).host_edit.isEnabled()
    choose(page.panel(1).mode_combo, PortMode.USB)
    assert page.panel(1).host_edit.isEnabled() and page.panel(1).tcp_port_edit.isEnabled()
    assert not page.panel(2).host_edit.isEnabled()


def test_revert_drops_edits(page: PortsPage, qtbot: QtBot) -> None:
    """Revert drops every staged edit; the editors show the THREAD's values again."""
    p2 = page.panel(2)
    choose(p2.baud_combo, 19200)
    choose(p2.parity_combo, Parity.EVEN)
    qtbot.keyClicks(p2.delimiters_edit, "0D")
    assert "pending" in p2.diff_text("PARITY_BIT")
    page.revert_button.click()
    assert not page.workspace.has_edits
    assert p2.baud_combo.currentData() == 9600
    assert p2.parity_combo.currentData() == "NONE"
    assert p2.delimiters_edit.text() == "0D0A"
    assert "pending" not in p2.diff_text("PARITY_BIT")
    assert page.tabs.tabText(1) == "Port 2"
    assert not page.revert_button.isEnabled()


def test_remove_property(page: PortsPage, run_async: RunAsync, sim_model: SimModel) -> None:
    """Remove stages a property's deletion; Apply deletes it and verifies it is gone."""
    _, server = sim_model
    row = page.panel(3).rows[PortField.DELIMITERS_HEX]
    assert row.remove_button is not None
    row.remove_button.click()
    assert page.panel(3).diff_text("DELIMITERS_HEX") == "device: 0D0A → pending: removed"
    assert row.remove_button.text() == "Keep"
    page.apply()
    run_async(page.wait_idle())
    assert page.panel(3).field_status("DELIMITERS_HEX").state == "verified"
    assert "DELIMITERS_HEX" not in run_async(sim_port(server, 3))["properties"]


def test_thread_vanishing_mid_apply_keeps_edits(
    page: PortsPage, run_async: RunAsync, sim_model: SimModel
) -> None:
    """The THREAD goes away mid-apply: failure explained on the field, edits kept, re-read later."""
    model, server = sim_model
    p2 = page.panel(2)
    choose(p2.mode_combo, PortMode.RS485)
    choose(p2.voltage_combo, PortVoltage.V12)
    choose(p2.baud_combo, 19200)

    def vanish(event: StepEvent) -> None:
        if event.index == 1 and event.status is StepStatus.RUNNING:
            server.device.go_down(0.5, "test: cable pulled")

    page.sig_step.connect(vanish)
    page.confirm = Answers(True)
    page.apply()
    run_async(page.wait_idle())
    mode = p2.field_status("MODE")
    assert mode.state == "failed" and "unreachable" in mode.text and "Apply again" in mode.text
    assert p2.field_status("VOLTAGE").state == "not sent"
    assert model.state in (ConnectionState.LOST, ConnectionState.RECONNECTING)
    assert "kept" in page.banner.text()
    assert not page.apply_button.isEnabled()
    staged = page.workspace.stagings[2].edits
    assert staged[PortField.MODE] == PortMode.RS485 and staged[PortField.VOLTAGE] == PortVoltage.V12

    async def back() -> None:
        connected = asyncio.Event()
        model.sig_state_changed.connect(
            lambda state, _: connected.set() if state is ConnectionState.CONNECTED else None
        )
        await connected.wait()
        await page.wait_idle()

    run_async(back())
    assert page.workspace.stagings[2].edits == staged
    assert p2.diff_text("VOLTAGE") == "device: off → pending: 12 V"
    assert p2.diff_text("BAUD_RATE") == "device: 19200"  # landed before the THREAD went
    assert page.apply_button.isEnabled()


def test_long_apply_can_be_cancelled(
    page: PortsPage, run_async: RunAsync, sim_model: SimModel
) -> None:
    """Cancel during a slow apply: the UI says what happened, the edits stay, ports are re-read."""
    _, server = sim_model
    from commissioner.sim.faults import Faults

    choose(page.panel(3).voltage_combo, PortVoltage.V12)
    choose(page.panel(3).mode_combo, PortMode.ANALOG)

    def slow_then_cancel(event: StepEvent) -> None:
        if event.index == 0 and event.status is StepStatus.RUNNING:
            server.device.set_faults(Faults(latency_ms=300))
            assert page.cancel_button.isEnabled() and not page.read_button.isEnabled()
            page.cancel()

    page.sig_step.connect(slow_then_cancel)
    page.apply()
    run_async(page.wait_idle())
    server.device.set_faults(Faults())
    run_async(page.wait_idle())
    assert "cancelled" in page.steps.text().lower()
    assert set(page.workspace.stagings[3].edits) == {PortField.VOLTAGE, PortField.MODE}
    assert not page.cancel_button.isEnabled() and page.apply_button.isEnabled()


def test_measure_and_loop_current(page: PortsPage, run_async: RunAsync) -> None:
    """Port 3 powered at 12 V in ANALOG mode: measured volts and a 4-20 mA reading are shown."""
    p3 = page.panel(3)
    choose(p3.mode_combo, PortMode.ANALOG)
    choose(p3.voltage_combo, PortVoltage.V12)
    page.apply()
    run_async(page.wait_idle())
    assert p3.field_status("MODE").state == "accepted, not readable"
    assert p3.field_status("VOLTAGE").state == "verified"
    p3.measure_button.click()
    run_async(page.wait_idle())
    assert "11." in p3.measured_label.text() or "12." in p3.measured_label.text()
    p3.loop_button.click()
    run_async(page.wait_idle())
    milliamps = float(p3.loop_label.text().split("<b>")[1].split(" mA")[0])
    assert 3.8 <= milliamps <= 20.5


def test_not_connected_stages_but_cannot_apply(qtbot: QtBot) -> None:
    """Without a THREAD the page explains itself; edits can be staged, not applied."""
    model = SessionModel(ThreadSession())
    widget = PortsPage(model)
    qtbot.addWidget(widget)
    assert "Not connected" in widget.banner.text()
    assert not widget.read_button.isEnabled()
    choose(widget.panel(1).baud_combo, 19200)
    assert widget.workspace.has_edits
    assert not widget.apply_button.isEnabled()
    assert "not read yet" in widget.panel(1).diff_text("BAUD_RATE")
    assert widget.apply_reason.text().startswith("No THREAD")
