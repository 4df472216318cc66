"""Console building blocks without a device: display framing and formats, sending, macros, parsers,
the view's batching and search, and the source dialog's port list following hot-plug."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from commissioner.core.serial.errors import SerialSettingsError
from commissioner.core.serial.ports import PortInfo, PortWatcher
from commissioner.core.serial.settings import Parity
from commissioner.core.streams.parsers import Channel, CsvParser, RegexParser
from commissioner.ui.pages.console import ConsoleSource, ConsoleWidget
from commissioner.ui.pages.console.display import (
    DisplayFramer,
    Kind,
    ViewLine,
    ViewMode,
    format_line,
)
from commissioner.ui.pages.console.macro_dialog import MacroDialog, validate
from commissioner.ui.pages.console.macros import Macro, MacroStore
from commissioner.ui.pages.console.parser_editor import build_parser
from commissioner.ui.pages.console.send_bar import History, LineEnding, SendBar, encode_input
from commissioner.ui.pages.console.source_dialog import SourceDialog
from commissioner.ui.pages.console.sources import SourceKind
from commissioner.ui.pages.console.view import RENDER_BUDGET_ROWS, ConsoleView

RunAsync = Callable[..., Any]


def test_framer_keeps_delimiters_and_waits_for_line_ends() -> None:
    """CR LF split across chunks is one line; a lone CR ends a line; the tail waits."""
    framer = DisplayFramer()
    assert framer.feed_rx(b"23.41,45.2\r", 1.0) == []
    lines = framer.feed_rx(b"\nab\rcd", 2.0)
    assert [line.data for line in lines] == [b"23.41,45.2\r\n", b"ab\r"]
    assert lines[0].t == 2.0  # the arrival of the line's last byte
    assert framer.flush_stale(2.1) == []
    (partial,) = framer.flush_stale(3.0)
    assert partial.data == b"cd" and partial.partial


def test_framer_keeps_order_of_sent_and_received() -> None:
    """An unfinished received line is shown before what is sent after it."""
    framer = DisplayFramer()
    framer.feed("rx", 1.0, b"prompt> ", "")
    lines = framer.feed("tx", 1.1, b"01R\r\n", "")
    assert [(line.kind, line.data) for line in lines] == [
        (Kind.RX, b"prompt> "),
        (Kind.TX, b"01R\r\n"),
    ]


def test_formats_text_hex_and_both() -> None:
    """Invalid bytes are visible in text; hex shows every byte including CR LF; sent is marked."""
    line = ViewLine(Kind.RX, 0.0, b"A\xff\x01B\r\n")
    (text,) = format_line(line, ViewMode.TEXT, stamps=False)
    assert text == "A\\xff\\x01B"
    (hex_row,) = format_line(line, ViewMode.HEX, stamps=False)
    assert hex_row.startswith("41 FF 01 42 0D 0A") and hex_row.endswith("|A..B..|")
    both = format_line(line, ViewMode.BOTH, stamps=True)
    assert len(both) == 2 and both[0].endswith("A\\xff\\x01B") and "41 FF" in both[1]
    (sent,) = format_line(ViewLine(Kind.TX, 0.0, b"01R\r\n"), ViewMode.TEXT, stamps=False)
    assert sent == "» 01R  [CR LF]"
    long_rows = format_line(ViewLine(Kind.RX, 0.0, bytes(40)), ViewMode.HEX, stamps=False)
    assert len(long_rows) == 3


@pytest.mark.parametrize(
    ("text", "ending", "hex_mode", "expected"),
    [
        ("01R", LineEnding.CRLF, False, b"01R\r\n"),
        ("01R", LineEnding.CR, False, b"01R\r"),
        ("01R", LineEnding.NONE, False, b"01R"),
        ("30 31 52 0d 0a", LineEnding.CRLF, True, b"01R\r\n"),
        ("0x30,0x31", LineEnding.LF, True, b"01"),
    ],
)
def test_encode_input(text: str, ending: LineEnding, hex_mode: bool, expected: bytes) -> None:
    """Line endings are appended to text; hex input sends exactly the bytes typed."""
    assert encode_input(text, ending, hex_mode) == expected


def test_bad_hex_is_refused_with_the_reason(qtbot: QtBot) -> None:
    """Odd digits or non-hex characters are not sent and the bar says why."""
    sent: list[bytes] = []
    bar = SendBar(sent.append)
    qtbot.addWidget(bar)
    bar.hex_box.setChecked(True)
    bar.edit.setText("0D 0")
    bar.send()
    assert sent == [] and "pairs of digits" in bar.status.text()
    bar.edit.setText("zz")
    bar.send()
    assert sent == [] and "'z' is not a hex digit" in bar.status.text()


def test_history_walks_up_and_down() -> None:
    """Up recalls older lines, Down newer ones and finally what was being typed."""
    history = History()
    for text in ("01R", "01I", "01I"):
        history.add(text)
    assert history.items == ["01R", "01I"]
    assert history.older("draft") == "01I"
    assert history.older("01I") == "01R"
    assert history.older("01R") == "01R"
    assert history.newer() == "01I"
    assert history.newer() == "draft"


def test_macros_round_trip_and_validation(tmp_path: Path, qtbot: QtBot) -> None:
    """Macros are saved to and loaded from JSON; bad ones are refused with the row."""
    path = tmp_path / "macros.json"
    store = MacroStore(path)
    macro = Macro("poll", "01R", LineEnding.CR, repeat_s=0.5, count=3)
    store.set_macros([macro])
    assert MacroStore(path).macros == [macro]
    assert validate([Macro("", "x")]).startswith("Row 1: give the macro a name")
    assert "used twice" in validate([Macro("a", "x"), Macro("a", "y")])
    assert "hex" in validate([Macro("h", "0", hex=True)])
    path.write_text("not json", "utf-8")
    assert [m.name for m in MacroStore(path).macros] == ["Read 01", "Identify 01"]


def test_build_parser_from_editor_fields() -> None:
    """CSV rows are columns (an unnamed row skips one); a bad regex or number says which."""
    rows: Sequence[tuple[str, str, str, str]] = [
        ("temperature", "°C", "1", "0"),
        ("", "", "", ""),
        ("pressure", "hPa", "0.1", "0"),
    ]
    parser = build_parser("csv", rows)
    assert isinstance(parser, CsvParser)
    assert [c.name for c in parser.channels] == ["temperature", "pressure"]
    assert build_parser("none", rows) is None
    assert isinstance(build_parser("regex", [], pattern=r"(?P<mm>[-+\d.]+),mm"), RegexParser)
    with pytest.raises(ValueError, match="not usable"):
        build_parser("regex", [], pattern="(?P<x>")
    with pytest.raises(ValueError, match="row 1: scale 'abc'"):
        build_parser("csv", [("t", "", "abc", "0")])


def test_view_renders_a_flood_in_bounded_batches(qtbot: QtBot) -> None:
    """Each render writes at most its budget; overflow is dropped from display and counted."""
    view = ConsoleView()
    qtbot.addWidget(view)
    view.max_backlog = 1000
    view.stamps = False
    view.add_lines(ViewLine(Kind.RX, 0.0, b"%d\n" % i) for i in range(1500))
    assert view.dropped_bytes == sum(len(b"%d\n" % i) for i in range(500))
    assert view.render_pending(budget=300) == 300
    assert view.edit.document().blockCount() == 300
    view.set_paused(True)
    assert view.render_pending() == 0
    view.set_paused(False)
    view.render_pending(budget=10_000)
    assert view.edit.document().blockCount() == 1000
    view.set_search("99")
    assert view.match_count() == sum(str(i).count("99") for i in range(500, 1500))
    assert view.match_label.text() == f"{view.match_count()} matches"
    assert view.find_match()


def test_source_dialog_follows_hot_plug(qtbot: QtBot, run_async: RunAsync) -> None:
    """Plugging an adapter in adds it to the open dialog; the settings chosen make the source."""
    ports = [PortInfo("/dev/ttyUSB0", "ttyUSB0", "FT232R USB UART", manufacturer="FTDI")]
    watcher = PortWatcher(scan=lambda _extra: list(ports))
    run_async(watcher.refresh())
    dialog = SourceDialog(thread_available=False, watcher=watcher)
    qtbot.addWidget(dialog)
    assert not dialog.thread_radio.isEnabled() and dialog.serial_radio.isChecked()
    assert dialog.port_combo.itemText(0) == "/dev/ttyUSB0 - FT232R USB UART (FTDI)"
    ports.append(PortInfo("/dev/ttyACM0", "ttyACM0", "Sensor bridge"))
    run_async(watcher.refresh())
    assert dialog.port_combo.count() == 2
    assert "plugged in: /dev/ttyACM0" in dialog.ports_note.text()
    assert dialog.serial_device() == "/dev/ttyUSB0"  # the choice survives the refresh
    dialog.baud_combo.setCurrentText("19200")
    dialog.parity_combo.setCurrentIndex(dialog.parity_combo.findData(Parity.EVEN))
    dialog.rtscts_box.setChecked(True)
    dialog.dtr_combo.setCurrentIndex(2)  # off
    source = dialog.source()
    assert source.kind is SourceKind.SERIAL and source.serial is not None
    assert source.serial.describe() == "/dev/ttyUSB0 19200 8E1 RTS/CTS DTR off"
    dialog.baud_combo.setCurrentText("fast")
    with pytest.raises(SerialSettingsError, match="'fast' is not a whole number"):
        dialog.source()
    dialog.reject()


def test_up_down_keys_recall_history(qtbot: QtBot) -> None:
    """In the line editor, Up brings back the last line sent and Down returns to the draft."""
    sent: list[bytes] = []
    bar = SendBar(sent.append)
    qtbot.addWidget(bar)
    for text in ("01R", "01I"):
        bar.edit.setText(text)
        qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert sent == [b"01R\r\n", b"01I\r\n"]
    bar.edit.setText("draft")
    qtbot.keyClick(bar.edit, Qt.Key.Key_Up)
    assert bar.edit.text() == "01I"
    qtbot.keyClick(bar.edit, Qt.Key.Key_Up)
    assert bar.edit.text() == "01R"
    qtbot.keyClick(bar.edit, Qt.Key.Key_Down)
    qtbot.keyClick(bar.edit, Qt.Key.Key_Down)
    assert bar.edit.text() == "draft"


def test_copy_and_clear(qtbot: QtBot) -> None:
    """Copy takes everything shown (or the selection); Clear empties the view only."""
    view = ConsoleView()
    qtbot.addWidget(view)
    view.stamps = False
    view.add_lines([ViewLine(Kind.RX, 0.0, b"a\n"), ViewLine(Kind.TX, 0.0, b"b\r")])
    view.render_pending()
    assert view.copy() == "a\n» b  [CR]"
    view.edit.selectAll()
    assert view.copy() == "a\n» b  [CR]"
    view.clear()
    assert view.plain_text() == "" and view.dropped_bytes == 0


def test_macro_dialog_edits_the_store(qtbot: QtBot) -> None:
    """Rows added in the dialog become macros and buttons; a bad row keeps the dialog open."""
    store = MacroStore()
    dialog = MacroDialog(store.macros)
    qtbot.addWidget(dialog)
    dialog.add_row(Macro("Level", "01R", LineEnding.CRLF, repeat_s=1.0, count=10))
    assert dialog.macros()[-1] == Macro("Level", "01R", LineEnding.CRLF, repeat_s=1.0, count=10)
    dialog.add_row(Macro("Level", "x"))
    dialog._accept()
    assert "used twice" in dialog.status.text() and dialog.result() == 0
    dialog.table.removeRow(dialog.table.rowCount() - 1)
    dialog.accepted.connect(lambda: store.set_macros(dialog.macros()))
    dialog._accept()
    assert [m.name for m in store.macros] == ["Read 01", "Identify 01", "Level"]


def test_flood_is_drawn_in_bounded_batches(qtbot: QtBot) -> None:
    """Megabytes at once: one tick draws a bounded batch, says what was left out, and counts
    it; the parser still sees every line."""
    console = ConsoleWidget(ConsoleSource.thread(1), None, MacroStore())
    qtbot.addWidget(console)
    console.display_timer.stop()
    console.set_parser(CsvParser([Channel("a"), Channel("b"), Channel("c")]))
    chunk = b"23.41,45.20,1013.2\r\n" * 200
    for _ in range(250):  # 1 MB
        console.pipeline.on_bytes(chunk, 1.0)
    console.refresh_display()
    rows = console.view.plain_text().splitlines()
    assert len(rows) <= RENDER_BUDGET_ROWS + 1
    assert "faster than the screen" in rows[0]
    console.refresh_counters()
    values = console.counter_values()
    assert values.lines == values.parsed == 50_000
    assert values.display_dropped_bytes > 900_000
    assert console.counters.labels["display_dropped_bytes"].styleSheet()  # highlighted


def test_flood_of_big_chunks_still_draws_the_newest_whole_lines(qtbot: QtBot) -> None:
    """Chunks larger than a tick's share: the straddling chunk's tail is kept from a line start,
    so the newest lines are drawn whole; everything before them is counted as not drawn."""
    console = ConsoleWidget(ConsoleSource.thread(1), None, MacroStore())
    qtbot.addWidget(console)
    console.display_timer.stop()
    console.view.stamps = False
    line = b"x" * 62 + b"\r\n"  # 64-byte lines
    chunk = line * 1024  # 64 KiB: always larger than a tick's share
    for _ in range(4):
        console.pipeline.on_bytes(chunk, 1.0)
    console.refresh_display()
    drawn = console.view.plain_text().splitlines()
    assert "faster than the screen" in drawn[0]
    assert len(drawn) > 20 and all(row == "x" * 62 for row in drawn[1:])
    shown = (
        console.view.dropped_bytes
        + sum(len(v.data) for v in console.view.backlog)
        + 64 * (len(drawn) - 1)
    )
    assert shown == 4 * len(chunk)


def test_view_caps_drawing_by_time_and_stamps_once_per_chunk(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a budget a tick draws what fits its time (between a floor and a ceiling), learning
    the rate; lines of one chunk get their timestamp formatted once."""
    from commissioner.ui.pages.console import view as view_module

    calls: list[float] = []
    real = view_module.timestamp
    monkeypatch.setattr(view_module, "timestamp", lambda t: calls.append(t) or real(t))
    view = ConsoleView()
    qtbot.addWidget(view)
    view.add_lines(ViewLine(Kind.RX, 5.0, b"%d\n" % i) for i in range(3000))
    first = view.render_pending()
    assert view_module.RENDER_MIN_ROWS <= first <= RENDER_BUDGET_ROWS
    assert calls == [5.0]
    for _ in range(5):
        assert view.render_pending() >= view_module.RENDER_MIN_ROWS
    assert view_module.RENDER_MIN_ROWS <= view.row_budget <= RENDER_BUDGET_ROWS
    line = ViewLine(Kind.RX, 5.0, b"a\n")
    assert format_line(line, ViewMode.TEXT, True, real(5.0)) == format_line(
        line, ViewMode.TEXT, True
    )
