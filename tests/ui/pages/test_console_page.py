"""Console page over loopback against a simulated THREAD: receive, send, hex, parse, macros,
capture and replay, and reconnects with gaps after the simulator drops the port WebSockets."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytestqt.qtbot import QtBot

from commissioner.core.edge.rules import PortMode, PortVoltage
from commissioner.core.streams.capture import read_capture
from commissioner.sim.server import ThreadServer
from commissioner.ui.pages.console import ConsolePage, ConsoleSource, ConsoleWidget
from commissioner.ui.pages.console.display import GAP_MARK, TX_MARK, ViewMode
from commissioner.ui.pages.console.macros import Macro
from commissioner.ui.pages.console.send_bar import LineEnding
from commissioner.ui.session_model import SessionModel
from commissioner.ui.widgets.inline_status import Level

STAMP = len("12:00:00.000  ")
RunAsync = Callable[..., Any]
SimModel = tuple[SessionModel, ThreadServer]
CSV_ROW = re.compile(r"-?\d+\.\d+,-?\d+\.\d+,-?\d+\.\d+$", re.MULTILINE)
ANSWER = re.compile(r"01,[+-]\d+\.\d+,mm$")


async def until(predicate: Callable[[], bool], timeout_s: float = 5.0) -> None:
    """Let the loop (and the console's timers) run until ``predicate`` holds; a bound only."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not predicate():
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(0.02)


async def power_up(model: SessionModel, port: int) -> None:
    """Port 1: the RS-232 weather probe; port 2: the RS-485 transducer at 19200 baud."""
    client = model.require_client()
    if port == 2:
        await client.set_port_properties(2, {"BAUD_RATE": 19200})
    await client.set_port_mode(port, PortMode.RS232 if port == 1 else PortMode.RS485)
    await client.set_port_voltage(port, PortVoltage.V12)
    await client.set_device_connection(port, True)


async def sim_post(server: ThreadServer, path: str, body: dict[str, Any] | None = None) -> None:
    async with httpx.AsyncClient(base_url=server.url, trust_env=False, timeout=5) as http:
        (await http.post(path, json=body or {})).raise_for_status()


def rows(console: ConsoleWidget) -> list[str]:
    console.refresh_display()
    return console.view.plain_text().splitlines()


def csv_rows(console: ConsoleWidget) -> list[str]:
    return [r for r in rows(console) if CSV_ROW.search(r)]


def connected(console: ConsoleWidget, run_async: RunAsync) -> None:
    """Wait for the link, then let the console show it (its counters tick does that at 4 Hz)."""
    assert console.stream is not None
    assert run_async(console.stream.wait_connected(3.0))
    console.refresh_counters()
    assert console.send_bar.send_button.isEnabled()


def opened(page: ConsolePage, source: ConsoleSource) -> ConsoleWidget:
    console = page.open_console(source)
    assert console is not None, page.status.text()
    return console


@pytest.fixture
def page(qtbot: QtBot, sim_model: SimModel, run_async: RunAsync) -> Iterator[ConsolePage]:
    widget = ConsolePage(sim_model[0])
    qtbot.addWidget(widget)
    yield widget
    run_async(widget.aclose())


def test_port1_console_receives_csv(
    page: ConsolePage, sim_model: SimModel, run_async: RunAsync
) -> None:
    """The weather probe's CSV lines appear with receive times, and the counters follow."""
    console = opened(page, ConsoleSource.thread(1))
    run_async(power_up(sim_model[0], 1))
    run_async(until(lambda: len(csv_rows(console)) >= 3))
    assert re.match(r"\d\d:\d\d:\d\d\.\d{3}  ", csv_rows(console)[0])
    console.refresh_counters()
    values = console.counter_values()
    assert values.bytes_in > 0 and values.lines >= 3
    assert "Received" in console.counters.text() and "Lines" in console.counters.text()
    assert console.state_status.level is Level.OK and "Connected" in console.state_status.text()
    assert list(page.pipelines()) == ["Port 1"]
    assert page.pipelines()["Port 1"] is console.pipeline


def test_send_01R_to_port2_and_see_answer(
    page: ConsolePage, sim_model: SimModel, run_async: RunAsync
) -> None:
    """Typing 01R (CR LF) sends it, shown as sent, and the transducer's answer appears."""
    run_async(power_up(sim_model[0], 2))
    console = opened(page, ConsoleSource.thread(2))
    connected(console, run_async)
    console.send_bar.set_ending(LineEnding.CRLF)
    console.send_bar.edit.setText("01R")
    console.send_bar.send_button.click()
    run_async(until(lambda: any(ANSWER.search(r) for r in rows(console))))
    text = rows(console)
    sent = [r for r in text if TX_MARK in r]
    assert sent and sent[0].endswith("» 01R  [CR LF]")
    assert text.index(sent[0]) < next(i for i, r in enumerate(text) if ANSWER.search(r))
    assert console.send_bar.history.items == ["01R"]
    assert console.pipeline.counters.bytes_out == 5


def test_hex_view_shows_bytes(page: ConsolePage, sim_model: SimModel, run_async: RunAsync) -> None:
    """In hex view each received line is its bytes in hex, the CR LF included."""
    console = opened(page, ConsoleSource.thread(1))
    console.view.set_mode(ViewMode.HEX)
    run_async(power_up(sim_model[0], 1))
    run_async(until(lambda: any("0D 0A" in r for r in rows(console))))
    hex_row = next(r for r in rows(console) if " 2E " in r)  # "." of 23.41
    assert re.search(r"([0-9A-F]{2} ){8}", hex_row) and "|" in hex_row
    console.view.set_mode(ViewMode.BOTH)
    run_async(until(lambda: len(csv_rows(console)) >= 1))


def test_parser_counts_parsed_lines_and_errors(
    page: ConsolePage, sim_model: SimModel, run_async: RunAsync
) -> None:
    """A 3-column CSV parser parses every line; asking for 4 columns makes each an error."""
    console = opened(page, ConsoleSource.thread(1))
    run_async(power_up(sim_model[0], 1))
    editor = console.parser_editor
    editor.set_kind("csv")
    for name, unit in (("temperature", "°C"), ("humidity", "%"), ("pressure", "hPa")):
        editor.add_channel_row(name, unit)
    assert editor.apply()
    run_async(until(lambda: console.pipeline.counters.parsed >= 3))
    console.refresh_counters()
    assert "temperature" in editor.latest_label.text() and "°C" in editor.latest_label.text()
    assert console.pipeline.counters.parse_errors == 0
    editor.add_channel_row("missing")
    editor.apply()
    run_async(until(lambda: console.pipeline.counters.parse_errors >= 2))
    dialog = console.inspect_errors()
    assert dialog.table.rowCount() >= 2
    assert CSV_ROW.search(dialog.table.item(0, 1).text())
    assert "expected at least 4" in dialog.table.item(0, 2).text()
    dialog.close()
    console.refresh_counters()
    assert "Parse errors" in console.counters.text()


def test_macro_repeat_sends_n_times(
    page: ConsolePage, sim_model: SimModel, run_async: RunAsync
) -> None:
    """A macro repeated 4 times at 20 ms reaches port 2 exactly 4 times, each answered."""
    model, server = sim_model
    run_async(power_up(model, 2))
    console = opened(page, ConsoleSource.thread(2))
    connected(console, run_async)
    before = server.device.to_dict()["ports"]["2"]["bytes_from_clients"]
    task = console.run_macro(Macro("poll", "01R", LineEnding.CRLF, repeat_s=0.02, count=4))
    run_async(asyncio.wait_for(task, 5))
    assert server.device.to_dict()["ports"]["2"]["bytes_from_clients"] - before == 4 * 5
    assert console.macro_runner.sent["poll"] == 4
    assert "poll: sent 4 times" in console.send_bar.status.text()
    run_async(until(lambda: sum(bool(ANSWER.search(r)) for r in rows(console)) >= 4))
    assert sum(TX_MARK in r for r in rows(console)) == 4


def test_capture_then_replay_shows_same_lines(
    page: ConsolePage, sim_model: SimModel, run_async: RunAsync, tmp_path: Path
) -> None:
    """Recorded lines, replayed as fast as possible in a new tab, read the same (times too)."""
    console = opened(page, ConsoleSource.thread(1))
    run_async(power_up(sim_model[0], 1))
    run_async(until(lambda: len(csv_rows(console)) >= 1))
    console.capture.ask_save_path = lambda suggested: tmp_path / suggested
    console.capture.record_button.click()
    assert console.pipeline.capture is not None
    log_path = console.pipeline.capture.path_log
    start = len(csv_rows(console))
    run_async(until(lambda: len(csv_rows(console)) >= start + 6))
    console.capture.record_button.click()  # stop
    assert console.pipeline.capture is None and "Saved" in console.capture.size_label.text()
    assert any(e.kind == "RX" for e in read_capture(log_path))

    page.ask_open_path = lambda: log_path
    page.replay_speed.set_speed(0.0)
    page.replay_button.click()
    replay = page.console(f"Replay {log_path.name}")
    assert not replay.send_bar.isVisibleTo(replay)
    run_async(until(lambda: replay.replayer is not None and replay.replayer.finished))
    # the first and last line may be cut by starting and stopping; times are kept to the ms
    replayed = [r[STAMP:] for r in csv_rows(replay)[1:-1]]
    assert len(replayed) >= 4
    original = [r[STAMP:] for r in csv_rows(console)]
    first = original.index(replayed[0])
    assert original[first : first + len(replayed)] == replayed
    assert replay.state_status.text().endswith("events")
    assert set(page.pipelines()) == {"Port 1", f"Replay {log_path.name}"}


def test_reconnect_after_drop_shows_gap_and_counters(
    page: ConsolePage, sim_model: SimModel, run_async: RunAsync
) -> None:
    """Dropped WebSockets come back by themselves; the gap is marked and counted."""
    model, server = sim_model
    run_async(power_up(model, 1))
    console = opened(page, ConsoleSource.thread(1))
    run_async(until(lambda: len(csv_rows(console)) >= 1))
    run_async(sim_post(server, "/_sim/drop-websockets"))
    run_async(until(lambda: console.pipeline.counters.gaps >= 1))
    run_async(until(lambda: any(GAP_MARK in r for r in rows(console))))
    gap_row = next(r for r in rows(console) if GAP_MARK in r)
    assert "gap of" in gap_row
    before = len(csv_rows(console))
    run_async(until(lambda: len(csv_rows(console)) > before))  # data flows again
    console.refresh_counters()
    assert console.pipeline.counters.reconnects >= 1
    assert "Reconnects 1" in console.counters.text() and "Gaps 1" in console.counters.text()


def test_tabs_open_close_and_signal(
    page: ConsolePage, sim_model: SimModel, run_async: RunAsync, qtbot: QtBot
) -> None:
    """Several consoles at once, unique titles; closing one closes its stream and says so."""
    changes: list[int] = []
    page.sig_pipelines_changed.connect(lambda: changes.append(len(page.pipelines())))
    first = opened(page, ConsoleSource.thread(1))
    second = opened(page, ConsoleSource.thread(1))
    assert list(page.pipelines()) == ["Port 1", "Port 1 (2)"] and page.tabs.count() == 2
    task = page.close_console_at(0)
    assert task is not None
    run_async(task)
    assert first.stream is not None and first.stream.state.value == "closed"
    assert list(page.pipelines()) == ["Port 1 (2)"] and changes == [1, 2, 1]
    assert second.stream is not None
    run_async(sim_model[0].close_connection())
    assert page.open_console(ConsoleSource.thread(3)) is None
    assert "connect to a THREAD first" in page.status.text()
