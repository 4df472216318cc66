"""The stream pipeline on its own: counters, parsing, errors, display limits, gaps, capture."""

from __future__ import annotations

from pathlib import Path

import pytest

from commissioner.core.streams.acceptance import Acceptance, Verdict
from commissioner.core.streams.base import Gap, StreamState
from commissioner.core.streams.capture import Replayer, read_capture
from commissioner.core.streams.framing import LineFramer
from commissioner.core.streams.parsers import Channel, CsvParser, ParseResult, Sample
from commissioner.core.streams.pipeline import DisplayItem, StreamPipeline

CHANNELS = [Channel("t", "°C"), Channel("h", "%"), Channel("p", "hPa", scale=100.0)]


def _pipeline(display_limit_bytes: int = 2_000_000) -> StreamPipeline:
    return StreamPipeline(LineFramer(), CsvParser(CHANNELS), display_limit_bytes)


def test_counters_samples_and_judges() -> None:
    """Bytes, lines, parsed lines and samples are counted; judges see every channel."""
    pipeline = _pipeline()
    got: list[list[Sample]] = []
    batches: list[ParseResult] = []
    pipeline.add_sample_listener(got.append)
    pipeline.add_batch_listener(batches.append)
    pipeline.on_bytes(b"23.41,45.20,1013.2\r\n23.5,4", 1.0)
    pipeline.on_bytes(b"6,1013.3\r\n", 2.0)
    c = pipeline.counters
    assert (c.bytes_in, c.chunks, c.lines, c.parsed, c.parse_errors, c.samples) == (
        36, 2, 2, 2, 0, 6,
    )  # fmt: skip
    assert got == [
        [Sample("t", 1.0, 23.41), Sample("h", 1.0, 45.2), Sample("p", 1.0, 101320.0)],
        [Sample("t", 2.0, 23.5), Sample("h", 2.0, 46.0), Sample("p", 2.0, 101330.0)],
    ]
    assert batches[1].values["t"].tolist() == [23.5]
    assert set(pipeline.judges) == {"t", "h", "p"}
    pipeline.set_acceptance("t", Acceptance(0, 20, max_interval_s=5))
    assert pipeline.judges["t"].verdict(3.0)[0] is Verdict.OUT_OF_RANGE
    assert pipeline.judges["h"].verdict(3.0)[0] is Verdict.PASS
    assert pipeline.judges["t"].verdict(10.0)[0] is Verdict.STALE


def test_parse_errors_are_counted_and_inspectable() -> None:
    """Lines that do not parse are counted and kept (last 100) with their reason and index."""
    pipeline = _pipeline()
    pipeline.on_bytes(b"1,2,3\nbad\n" + b"x,y,z\n" * 150, 5.0)
    c = pipeline.counters
    assert (c.lines, c.parsed, c.parse_errors) == (152, 1, 151)
    assert len(pipeline.recent_errors) == 100
    line, reason = pipeline.recent_errors[-1]
    assert line.data == b"x,y,z" and line.index == 151 and line.t == 5.0
    assert "not a number" in reason


def test_listener_errors_do_not_stop_the_pipeline() -> None:
    """A failing sample listener is logged; the next chunk is still processed."""
    pipeline = _pipeline()

    def broken(_: list[Sample]) -> None:
        raise RuntimeError("ui bug")

    pipeline.add_sample_listener(broken)
    pipeline.on_bytes(b"1,2,3\n", 1.0)
    pipeline.on_bytes(b"1,2,3\n", 2.0)
    assert pipeline.counters.parsed == 2


def test_display_drops_oldest_but_capture_and_parsing_keep_everything(tmp_path: Path) -> None:
    """Over the display limit the oldest rx chunks are dropped and counted; nothing else is."""
    pipeline = _pipeline(display_limit_bytes=1000)
    writer = pipeline.start_capture(tmp_path / "cap")
    pipeline.on_state(StreamState.CONNECTED, "connected")
    chunk = b"23.41,45.20,1013.2\r\n" * 10  # 200 bytes
    for i in range(20):
        pipeline.on_bytes(chunk, float(i))
    pipeline.on_sent(b"01R\r\n", 20.0)
    c = pipeline.counters
    assert c.bytes_in == c.captured_bytes == 4000
    assert c.parsed == 200 and c.display_dropped_bytes == 3000
    items = pipeline.drain_display()
    kinds = [item.kind for item in items]
    assert kinds[0] == "state" and kinds[1] == "state" and kinds[-1] == "tx"
    assert "3000 received bytes not shown" in items[1].text
    assert sum(len(item.data) for item in items if item.kind == "rx") == 1000
    assert [item.t for item in items if item.kind == "rx"] == [15.0, 16.0, 17.0, 18.0, 19.0]
    assert pipeline.drain_display() == []
    pipeline.stop_capture()
    assert writer.path_bin.read_bytes() == chunk * 20


def test_one_huge_chunk_keeps_its_newest_bytes_for_display() -> None:
    """A single chunk larger than the limit is shown by its tail; the rest counts as dropped."""
    pipeline = StreamPipeline(display_limit_bytes=10)
    pipeline.on_bytes(b"0123456789abcdef", 1.0)
    items = pipeline.drain_display()
    assert items[-1] == DisplayItem("rx", 1.0, b"6789abcdef", "6789abcdef")
    assert pipeline.counters.display_dropped_bytes == 6


def test_display_text_is_visible_and_whole_across_chunks() -> None:
    """Invalid bytes show as \\xNN; a UTF-8 character split across chunks is shown whole."""
    pipeline = StreamPipeline()
    pipeline.on_bytes(b"T=23\xc2", 1.0)
    pipeline.on_bytes(b"\xb0C\xff\x00\r\n", 2.0)
    texts = [item.text for item in pipeline.drain_display()]
    assert texts == ["T=23", "°C\\xff\\x00\r\n"]


def test_gap_ends_the_unfinished_line_and_reconnects_are_counted(tmp_path: Path) -> None:
    """A gap is counted, captured and shown; a line cut by it is not joined to later bytes."""
    pipeline = _pipeline()
    pipeline.start_capture(tmp_path / "cap", "test source")
    pipeline.on_state(StreamState.CONNECTED, "connected")
    pipeline.on_bytes(b"1,2,3\n4,5", 1.0)
    pipeline.on_state(StreamState.RECONNECTING, "link lost")
    pipeline.on_gap(Gap(1.5, 2.5, "dropped"))
    pipeline.on_state(StreamState.CONNECTED, "connected")
    pipeline.on_bytes(b",6\n7,8,9\n", 3.0)
    c = pipeline.counters
    assert (c.gaps, c.reconnects, c.lines, c.parsed, c.parse_errors) == (1, 1, 4, 2, 2)
    assert [line.data for line, _ in pipeline.recent_errors] == [b"4,5", b",6"]
    gap_items = [item for item in pipeline.drain_display() if item.kind == "gap"]
    assert "gap of 1.000 s" in gap_items[0].text and "dropped" in gap_items[0].text
    pipeline.close()
    kinds = [e.kind for e in read_capture(tmp_path / "cap.log")]
    assert kinds == ["START", "STATE", "STATE", "RX", "STATE", "GAP", "STATE", "RX", "END"]


async def test_replaying_a_capture_reproduces_the_counters(tmp_path: Path) -> None:
    """A capture replayed into a new pipeline gives the same lines, samples, gaps and bytes."""
    live = _pipeline()
    live.start_capture(tmp_path / "cap")
    live.on_state(StreamState.CONNECTED, "connected")
    live.on_bytes(b"1,2,3\n4,5,6\n", 1.0)
    live.on_gap(Gap(1.5, 2.5, "dropped"))
    live.on_state(StreamState.CONNECTED, "connected")
    live.on_bytes(b"7,8,9\nbad\n", 3.0)
    live.close()
    again = _pipeline()
    await Replayer(read_capture(tmp_path / "cap.log"), 0, again).run()
    for name in ("bytes_in", "lines", "parsed", "parse_errors", "gaps", "reconnects", "samples"):
        assert getattr(again.counters, name) == getattr(live.counters, name), name


def test_capture_failure_is_reported_and_the_stream_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failing disk write stops the capture with a visible error, not the stream."""
    pipeline = _pipeline()
    writer = pipeline.start_capture(tmp_path / "cap")

    def full(data: bytes, t: float) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer, "rx", full)
    pipeline.on_bytes(b"1,2,3\n", 1.0)
    assert pipeline.capture is None and "No space left" in pipeline.capture_error
    assert pipeline.counters.parsed == 1 and pipeline.counters.captured_bytes == 0
    assert any("No space left" in item.text for item in pipeline.drain_display())


def test_changing_framer_keeps_the_unfinished_line() -> None:
    """Switching delimiters re-frames the bytes still waiting for their end."""
    pipeline = StreamPipeline()
    pipeline.on_bytes(b"a;b;c", 1.0)
    pipeline.set_framer(LineFramer([b";"]))
    assert pipeline.counters.lines == 2
    assert pipeline.framer.pending == b"c"


def test_bytearray_chunks_are_accepted() -> None:
    """A transport handing over bytearray or memoryview chunks is treated like bytes."""
    pipeline = _pipeline()
    pipeline.on_bytes(bytearray(b"1,2,3\n"), 1.0)  # type: ignore[arg-type]
    pipeline.on_bytes(memoryview(b"4,5,6\n"), 2.0)  # type: ignore[arg-type]
    assert pipeline.counters.parsed == 2
    assert [item.data for item in pipeline.drain_display()] == [b"1,2,3\n", b"4,5,6\n"]
