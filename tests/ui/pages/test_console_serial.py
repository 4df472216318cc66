"""A console on a local serial port, through a pseudo-terminal: the test writes sensor lines to
the master side and reads back what the console sends, as a device on a USB adapter would."""

from __future__ import annotations

import asyncio
import os
import select
import tty
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from commissioner.core.connection.session import ThreadSession
from commissioner.core.serial.settings import SerialSettings
from commissioner.ui.pages.console import ConsolePage, ConsoleSource, ConsoleWidget
from commissioner.ui.pages.console.macros import Macro
from commissioner.ui.pages.console.send_bar import LineEnding
from commissioner.ui.session_model import SessionModel
from tests.ui.pages.test_console_page import csv_rows, until

RunAsync = Callable[..., Any]


class Pty:
    """The device end of a pseudo-terminal; ``path`` is what the console opens."""

    def __init__(self, link: Path) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        os.set_blocking(self.master, False)
        link.symlink_to(os.ttyname(self.slave))
        self.path = str(link)
        self.received = bytearray()

    def write(self, data: bytes) -> None:
        os.write(self.master, data)

    def poll(self) -> bytes:
        """What the console sent so far (reads whatever is waiting, never blocks)."""
        while select.select([self.master], [], [], 0)[0]:
            chunk = os.read(self.master, 4096)
            if not chunk:
                break
            self.received += chunk
        return bytes(self.received)

    def close(self) -> None:
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def pty(tmp_path: Path) -> Iterator[Pty]:
    device = Pty(tmp_path / "ttyTEST0")
    yield device
    device.close()


@pytest.fixture
def page(qtbot: QtBot, run_async: RunAsync) -> Iterator[ConsolePage]:
    model = SessionModel(ThreadSession())
    widget = ConsolePage(model, serial_extra_paths=())
    qtbot.addWidget(widget)
    yield widget
    run_async(widget.aclose())
    run_async(model.aclose())


def serial_console(page: ConsolePage, pty: Pty, run_async: RunAsync) -> ConsoleWidget:
    console = page.open_console(ConsoleSource.local(SerialSettings(pty.path, 9600)))
    assert console is not None and console.stream is not None, page.status.text()
    assert run_async(console.stream.wait_connected(2.0)), console.stream.last_error
    console.refresh_counters()
    return console


def test_serial_console_receives_and_sends(
    page: ConsolePage, pty: Pty, run_async: RunAsync
) -> None:
    """Sensor lines written to the pty appear; a typed line and a hex line reach the device."""
    console = serial_console(page, pty, run_async)
    assert console.title == "ttyTEST0" and "9600 8N1" in console.source.description
    for _ in range(3):
        pty.write(b"23.41,45.20,1013.2\r\n")
    run_async(until(lambda: len(csv_rows(console)) == 3))
    console.send_bar.set_ending(LineEnding.CR)
    console.send_bar.edit.setText("01R")
    console.send_bar.send()
    run_async(until(lambda: pty.poll() == b"01R\r"))
    console.send_bar.hex_box.setChecked(True)
    console.send_bar.edit.setText("30 31 49 0D 0A")
    console.send_bar.send()
    run_async(until(lambda: pty.poll() == b"01R\r01I\r\n"))
    assert console.pipeline.counters.bytes_out == 9
    assert "DTR" in console.line_buttons


def test_serial_parser_counts_exactly(page: ConsolePage, pty: Pty, run_async: RunAsync) -> None:
    """Three good CSV lines and two bad ones: 3 parsed, 2 errors, and the bad lines inspectable."""
    console = serial_console(page, pty, run_async)
    editor = console.parser_editor
    editor.set_kind("csv")
    pty.write(b"1,2,3\r\n")
    run_async(until(lambda: console.last_line is not None))
    editor.fill_from_last_line()
    assert [row[0] for row in editor.rows()] == ["column 1", "column 2", "column 3"]
    assert editor.apply()
    pty.write(b"1.5,2,3\r\noops\r\n4,5,6\r\n7,8\r\n-1,0,1e3\r\n")
    run_async(until(lambda: console.pipeline.counters.lines == 6))
    counters = console.pipeline.counters
    assert (counters.parsed, counters.parse_errors) == (3, 2)
    console.refresh_counters()
    assert "Parsed 3" in console.counters.text() and "Parse errors 2" in console.counters.text()
    assert "column 3 <b>1000</b>" in editor.latest_label.text()
    dialog = console.inspect_errors()
    assert [dialog.table.item(r, 1).text() for r in range(2)] == ["7,8", "oops"]
    dialog.close()


def test_macro_repeat_through_pty(page: ConsolePage, pty: Pty, run_async: RunAsync) -> None:
    """A macro repeated 5 times reaches the device exactly 5 times; clicking again stops one."""
    console = serial_console(page, pty, run_async)
    task = console.run_macro(Macro("poll", "01R", LineEnding.CRLF, repeat_s=0.01, count=5))
    run_async(asyncio.wait_for(task, 5))
    run_async(until(lambda: pty.poll().count(b"01R\r\n") == 5))
    endless = Macro("forever", "X", LineEnding.NONE, repeat_s=0.01)
    console.macro_clicked(endless)
    run_async(until(lambda: console.macro_runner.sent.get("forever", 0) >= 2))
    console.macro_clicked(endless)  # a running macro's button stops it
    run_async(until(lambda: not console.macro_runner.running("forever")))
    assert "forever: stopped after" in console.send_bar.status.text()


def test_new_console_dialog_opens_serial_port(
    page: ConsolePage, pty: Pty, run_async: RunAsync
) -> None:
    """The chooser lists the pty (an extra path), opens it with the settings chosen; the same
    port cannot be opened twice."""
    page.serial_extra_paths = (pty.path,)
    dialog = page.new_console_clicked()
    assert not dialog.thread_radio.isEnabled()  # no THREAD connected
    assert page.watcher is not None
    run_async(page.watcher.refresh())
    assert dialog.port_combo.findData(pty.path) >= 0
    dialog.port_combo.setCurrentIndex(dialog.port_combo.findData(pty.path))
    dialog.baud_combo.setCurrentText("19200")
    button = dialog.buttons.button(QDialogButtonBox.StandardButton.Open)
    assert button is not None
    button.click()
    assert list(page.pipelines()) == ["ttyTEST0"]
    console = page.console("ttyTEST0")
    assert console.source.serial is not None and console.source.serial.baud == 19200
    run_async(until(lambda: page.watcher is None))  # the watcher stops with the dialog
    assert page.open_console(console.source) is None
    assert "already open in 'ttyTEST0'" in page.status.text()


def test_replay_of_missing_or_damaged_capture_is_explained(
    page: ConsolePage, tmp_path: Path
) -> None:
    """A capture that is not there, or is not a capture, opens no tab and says why."""
    page.ask_open_path = lambda: tmp_path / "gone.log"
    assert page.replay_clicked() is None
    assert "Console not opened" in page.status.text() and "gone.log" in page.status.text()
    damaged = tmp_path / "damaged.log"
    damaged.write_bytes(b"\xff\xfe not a capture\n")
    page.ask_open_path = lambda: damaged
    assert page.replay_clicked() is None
    assert "line 1: expected <time> TAB <kind>" in page.status.text()
    assert page.tabs.count() == 0
