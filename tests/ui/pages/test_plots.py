"""Plots page: channels from a CSV pipeline and from the THREAD's telemetry, statistics, acceptance
verdicts, pause, cursor, layouts, console attachment and CSV/PNG export."""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage, QPalette
from pytestqt.qtbot import QtBot

from commissioner.core.connection.session import ThreadSession
from commissioner.core.streams.acceptance import Acceptance, Verdict
from commissioner.core.streams.parsers import Channel, CsvParser, Sample
from commissioner.core.streams.pipeline import StreamPipeline
from commissioner.sim.server import ThreadServer
from commissioner.ui.pages.plots import PlotsPage
from commissioner.ui.pages.plots.channel_table import Col
from commissioner.ui.pages.plots.plot_area import Layout
from commissioner.ui.session_model import SessionModel
from commissioner.ui.theme import dark_palette
from commissioner.ui.widgets.inline_status import Level
from tests.core.health.conftest import until

RunAsync = Callable[..., Any]
SimModel = tuple[SessionModel, ThreadServer]

TEMP = "Port 1/temp"
HUM = "Port 1/hum"


def csv_pipeline() -> StreamPipeline:
    return StreamPipeline(parser=CsvParser([Channel("temp", "°C"), Channel("hum", "%")]))


def feed(pipeline: StreamPipeline, rows: list[tuple[float, float]], t: float) -> None:
    """One chunk of CSV lines received at ``t``."""
    pipeline.on_bytes("".join(f"{a},{b}\r\n" for a, b in rows).encode(), t)


@pytest.fixture
def page(qtbot: QtBot, run_async: RunAsync) -> Iterator[PlotsPage]:
    model = SessionModel(ThreadSession())
    widget = PlotsPage(model, capacity=10_000)
    widget.set_telemetry_interval(None)
    widget.resize(1100, 700)
    qtbot.addWidget(widget)
    yield widget
    run_async(widget.aclose())


@pytest.fixture
def filled(page: PlotsPage) -> tuple[PlotsPage, StreamPipeline, float]:
    """Twenty lines, 0.1 s apart, ending now: temp 20.0 .. 21.9, hum 40 .. 59."""
    pipeline = csv_pipeline()
    page.add_source("Port 1", pipeline)
    start = time.time() - 2.0
    for i in range(20):
        feed(pipeline, [(20 + i / 10, 40 + i)], start + i * 0.1)
    page.tick(force=True)
    return page, pipeline, start


def test_plot_fills_from_a_csv_pipeline_with_statistics(
    filled: tuple[PlotsPage, StreamPipeline, float],
) -> None:
    """Parsed lines become two curves with every value, and min, max, mean and rate per channel."""
    page, _pipeline, start = filled
    assert page.channel_keys() == [TEMP, HUM]
    x, y = page.plot.curves[TEMP].item.getData()
    assert len(x) == 20 and y[0] == pytest.approx(20.0) and y[-1] == pytest.approx(21.9)
    assert x[0] == pytest.approx(start)
    table = page.table
    assert table.text(TEMP, Col.CHANNEL) == "Port 1/temp (°C)"
    assert table.text(TEMP, Col.MIN) == "20"
    assert table.text(TEMP, Col.MAX) == "21.9"
    assert table.text(TEMP, Col.MEAN) == "20.95"
    assert table.text(HUM, Col.MAX) == "59"
    assert table.text(TEMP, Col.RATE) == "10/s"
    assert table.text(TEMP, Col.VALUE) == "21.9 °C"
    stats = page.series(TEMP).stats
    assert stats.count == 20 and stats.rate_hz == pytest.approx(10.0)


def test_acceptance_verdicts_pass_out_of_range_and_stale(
    filled: tuple[PlotsPage, StreamPipeline, float],
) -> None:
    """Edited in the table: in range passes, a value above the maximum fails, silence is stale."""
    page, pipeline, _start = filled
    assert page.verdicts()[TEMP][0] is Verdict.PASS  # no range set: any value passes
    row = page.table.row_of(TEMP)
    page.table.item(row, Col.LOW).setText("19")
    page.table.item(row, Col.HIGH).setText("22.5")
    page.table.item(row, Col.EVERY).setText("5")
    assert page.series(TEMP).acceptance == Acceptance(19.0, 22.5, 5.0)
    assert pipeline.judges["temp"].acceptance == Acceptance(19.0, 22.5, 5.0)
    verdict, reason = page.verdicts()[TEMP]
    assert verdict is Verdict.PASS and "within 19 to 22.5" in reason
    page.tick(force=True)
    assert page.table.text(TEMP, Col.RESULT).startswith("✔ pass")

    feed(pipeline, [(23.0, 50)], time.time())
    verdict, reason = page.verdicts()[TEMP]
    assert verdict is Verdict.OUT_OF_RANGE and "above the maximum 22.5" in reason
    page.tick(force=True)
    assert page.table.text(TEMP, Col.RESULT).startswith("✖ out of range")

    page.set_acceptance(HUM, Acceptance(max_interval_s=0.05))
    assert page.verdicts()[HUM][0] is Verdict.PASS
    time.sleep(0.1)  # no value for longer than expected
    verdict, reason = page.verdicts()[HUM]
    assert verdict is Verdict.STALE and "expected every 0.05 s" in reason
    page.tick(force=True)
    assert page.table.text(HUM, Col.RESULT).startswith("⚠ stale")


def test_bad_acceptance_edits_are_refused_with_the_reason(
    filled: tuple[PlotsPage, StreamPipeline, float],
) -> None:
    """Text that is not a number, or a minimum above the maximum, keeps the previous value."""
    page, _pipeline, _start = filled
    page.set_acceptance(TEMP, Acceptance(10.0, 30.0))
    row = page.table.row_of(TEMP)
    page.table.item(row, Col.LOW).setText("ten")
    assert page.status.level is Level.ERROR and "'ten' is not a number" in page.status.text()
    assert page.table.text(TEMP, Col.LOW) == "10"
    page.table.item(row, Col.LOW).setText("40")
    assert "above the maximum" in page.status.text()
    assert page.series(TEMP).acceptance == Acceptance(10.0, 30.0)
    page.table.item(row, Col.HIGH).setText("")  # empty: no maximum
    assert page.series(TEMP).acceptance == Acceptance(10.0, None)
    assert page.status.level is Level.NONE or not page.status.text().startswith("✖")


def test_pause_holds_plots_and_statistics_but_verdicts_stay_live(
    filled: tuple[PlotsPage, StreamPipeline, float],
) -> None:
    """While paused new values wait (plot and table unchanged); on resume they all appear."""
    page, pipeline, _start = filled
    page.set_acceptance(TEMP, Acceptance(maximum=25.0))
    page.set_paused(True)
    assert page.paused and page.pause_button.text() == "&Resume"
    before = page.plot.curves[TEMP].item.getData()[1].copy()
    for i in range(5):
        feed(pipeline, [(30.0 + i, 60)], time.time())
    page.tick(force=True)
    assert list(page.plot.curves[TEMP].item.getData()[1]) == list(before)
    assert page.table.text(TEMP, Col.MAX) == "21.9"
    assert page.series(TEMP).stats.count == 20
    assert page.verdicts()[TEMP][0] is Verdict.OUT_OF_RANGE  # judged live
    assert "10 new values wait" in page.status.text()  # 5 lines x 2 channels

    page.set_paused(False)
    page.tick(force=True)
    assert len(page.plot.curves[TEMP].item.getData()[1]) == 25
    assert page.table.text(TEMP, Col.MAX) == "34"
    assert not page.status.text().startswith("Paused")


def test_cursor_shows_each_channel_at_the_mouse_time(
    filled: tuple[PlotsPage, StreamPipeline, float],
) -> None:
    """With the cursor at a time, the table shows the value each channel had then."""
    page, _pipeline, start = filled
    page.plot.set_cursor(start + 0.55)  # after the sixth line (index 5)
    page.tick(force=True)
    assert page.table.horizontalHeaderItem(Col.VALUE).text() == "At cursor"
    assert page.table.text(TEMP, Col.VALUE) == "20.5 °C"
    assert page.table.text(HUM, Col.VALUE) == "45 %"
    assert page.cursor_label.text().startswith("Cursor at ")
    page.plot.set_cursor(start - 10)
    page.tick(force=True)
    assert page.table.text(TEMP, Col.VALUE) == "—"
    page.plot.set_cursor(None)
    page.tick(force=True)
    assert page.table.horizontalHeaderItem(Col.VALUE).text() == "Latest"
    assert page.table.text(TEMP, Col.VALUE) == "21.9 °C"


def test_layouts_visibility_and_following(
    filled: tuple[PlotsPage, StreamPipeline, float],
) -> None:
    """Stacked gives one plot per shown channel with linked time; unticking hides a channel;
    zooming by hand stops following live data and Live resumes it."""
    page, _pipeline, _start = filled
    assert page.plot.layout_mode is Layout.STACKED  # the default: units and scales differ
    assert len(page.plot.plots) == 2 and set(page.plot.curves) == {TEMP, HUM}
    assert page.plot.plots[1].getViewBox().linkedView(0) is page.plot.plots[0].getViewBox()
    page.table.set_visible(HUM, False)
    assert len(page.plot.plots) == 1 and set(page.plot.curves) == {TEMP}
    page.table.set_visible(HUM, True)
    assert len(page.plot.plots) == 2
    page.layout_combo.setCurrentIndex(page.layout_combo.findData(Layout.SINGLE))
    assert page.plot.layout_mode is Layout.SINGLE and len(page.plot.plots) == 1

    assert page.live_button.isChecked()
    vb = page.plot.plots[0].getViewBox()
    vb.sigRangeChangedManually.emit(vb.state["mouseEnabled"])
    assert not page.plot.follow and not page.live_button.isChecked()
    assert page.live_button.text() == "Go &live"
    page.live_button.setChecked(True)
    assert page.plot.follow and page.live_button.text() == "● &Live"
    page.window_combo.setCurrentIndex(page.window_combo.findData(10.0))
    page.tick(force=True)
    x0, x1 = page.plot.x_range() or (0.0, 0.0)
    assert x1 - x0 == pytest.approx(10.0)
    assert x1 == pytest.approx(page.series(TEMP).newest_time())


def test_csv_export_writes_a_header_and_one_row_per_time(
    filled: tuple[PlotsPage, StreamPipeline, float], run_async: RunAsync, tmp_path: Path
) -> None:
    """The chosen file gets time columns and one column per channel, with every value."""
    page, _pipeline, start = filled
    target = tmp_path / "data.csv"
    asked: list[str] = []

    def choose(caption: str, suggested: str, filters: str) -> Path:
        asked.append(suggested)
        return target

    page.choose_save_path = choose
    assert run_async(page.export_csv()) == target
    assert asked[0].endswith(".csv")
    with target.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["time_utc", "epoch_s", "Port 1/temp (°C)", "Port 1/hum (%)"]
    assert len(rows) == 21
    assert rows[1][0].endswith("Z") and "T" in rows[1][0]
    assert float(rows[1][1]) == pytest.approx(start, abs=1e-6)
    assert [float(r[2]) for r in rows[1:]] == pytest.approx([20 + i / 10 for i in range(20)])
    assert [float(r[3]) for r in rows[1:]] == pytest.approx([40 + i for i in range(20)])
    assert page.status.level is Level.OK and "20 rows of 2 channels" in page.status.text()

    page.choose_save_path = lambda *_args: None  # cancelled: nothing happens
    assert run_async(page.export_csv()) is None


def test_png_export_saves_the_plots(
    filled: tuple[PlotsPage, StreamPipeline, float], run_async: RunAsync, tmp_path: Path
) -> None:
    """The plots are saved as a readable, non-empty PNG; a failure is said inline."""
    page, _pipeline, _start = filled
    target = tmp_path / "plots.png"
    page.choose_save_path = lambda *_args: target
    assert run_async(page.export_png()) == target
    assert target.stat().st_size > 1000
    image = QImage(str(target))
    assert not image.isNull() and image.width() > 100

    page.choose_save_path = lambda *_args: tmp_path / "missing" / "plots.png"
    page.export_png_clicked()
    run_async(page.export_runner.wait_idle())
    assert page.status.level is Level.ERROR and "Export failed" in page.status.text()


def test_console_pages_pipelines_are_followed(page: PlotsPage) -> None:
    """Consoles opening and closing add and drop sources; no console page is fine too."""

    class FakeConsole(QObject):
        sig_pipelines_changed = Signal()

        def __init__(self) -> None:
            super().__init__()
            self.current: dict[str, StreamPipeline] = {}

        def pipelines(self) -> dict[str, StreamPipeline]:
            return dict(self.current)

    page.attach_console(None)
    page.attach_console(QObject())  # no pipelines(): ignored
    console = FakeConsole()
    first = csv_pipeline()
    console.current["USB0"] = first
    page.attach_console(console)
    assert set(page.sources) == {"USB0"}
    feed(first, [(1.0, 2.0)], time.time())
    second = csv_pipeline()
    console.current = {"Port 2": second}
    console.sig_pipelines_changed.emit()
    assert set(page.sources) == {"Port 2"}
    feed(first, [(3.0, 4.0)], time.time())  # closed console: ignored
    feed(second, [(5.0, 6.0)], time.time())
    page.tick(force=True)
    assert page.channel_keys() == ["USB0/temp", "USB0/hum", "Port 2/temp", "Port 2/hum"]
    assert len(page.series("USB0/temp").ring) == 1


def test_a_pipeline_with_only_sample_listeners_is_plotted(page: PlotsPage) -> None:
    """Any source offering add_sample_listener works (one list of samples per chunk)."""

    class SampleSource:
        def __init__(self) -> None:
            self.listeners: list[Callable[[list[Sample]], None]] = []

        def add_sample_listener(self, cb: Callable[[list[Sample]], None]) -> None:
            self.listeners.append(cb)

    source = SampleSource()
    page.add_source("probe", source)
    now = time.time()
    for cb in source.listeners:
        cb([Sample("a", now - 1, 1.0), Sample("b", now - 1, 5.0), Sample("a", now, 2.0)])
    page.tick(force=True)
    assert page.channel_keys() == ["probe/a", "probe/b"]
    assert list(page.plot.curves["probe/a"].item.getData()[1]) == [1.0, 2.0]
    page.remove_source("probe")
    assert page.sources == {}


def test_telemetry_channels_appear_from_the_simulator(
    qtbot: QtBot, sim_model: SimModel, run_async: RunAsync
) -> None:
    """Connected to a simulated THREAD, its voltages, battery, temperature, pressure and port
    values are polled at the chosen interval and plotted as THREAD/... channels."""
    model, _server = sim_model
    widget = PlotsPage(model)
    qtbot.addWidget(widget)
    try:
        widget.set_telemetry_interval(0.2)
        run_async(until(lambda: widget.telemetry.rounds >= 2, 5.0))
        widget.tick(force=True)
        keys = widget.channel_keys()
        assert "THREAD/Input voltage" in keys and "THREAD/Port 3 current" in keys
        assert len(keys) == 12
        battery = widget.series("THREAD/Battery voltage")
        assert battery.unit == "V" and len(battery.ring) >= 2
        assert 900 < (widget.series("THREAD/Pressure").ring.latest() or (0, 0))[1] < 1100
        assert widget.table.text("THREAD/Temperature", Col.VALUE).endswith("°C")
        assert widget.verdicts()["THREAD/Battery voltage"][0] is Verdict.PASS
        widget.set_telemetry_interval(None)
        rounds = widget.telemetry.rounds
        run_async(until(lambda: True))
        assert widget.telemetry.rounds <= rounds + 1
    finally:
        run_async(widget.aclose())


def test_plot_background_follows_the_palette(
    filled: tuple[PlotsPage, StreamPipeline, float],
) -> None:
    """Light or dark, the plot background is the palette's base colour and the axis text its
    text colour."""
    page, _pipeline, _start = filled
    page.setPalette(dark_palette())
    base = dark_palette().color(QPalette.ColorRole.Base)
    assert page.plot.view.backgroundBrush().color() == base
    axis = page.plot.plots[0].getAxis("left")
    assert axis.textPen().color() == dark_palette().color(QPalette.ColorRole.Text)


def test_another_thread_clears_the_telemetry_only(
    filled: tuple[PlotsPage, StreamPipeline, float],
) -> None:
    """When a THREAD with another serial number answers, its telemetry starts afresh; console
    channels keep their values."""
    page, _pipeline, _start = filled
    now = time.time()
    page.store.add_samples("THREAD", [Sample("Battery voltage", now, 12.5)])
    page._serial = "T-1"
    identity = SimpleNamespace(serial_number="T-2")
    page._on_identity(identity)  # type: ignore[arg-type]
    assert len(page.series("THREAD/Battery voltage").ring) == 0
    assert len(page.series(TEMP).ring) == 20
    assert "THREAD T-1 was cleared" in page.status.text()
    page._on_identity(None)  # disconnected: nothing forgotten
    assert page._serial == "T-2"
