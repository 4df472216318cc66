"""Capture files: writing, reading back (gaps, truncation), flushing and timed replay."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from commissioner.core.streams.base import Gap, StreamListener, StreamState
from commissioner.core.streams.capture import (
    CaptureEvent,
    CaptureFormatError,
    CaptureWriter,
    Replayer,
    gap_from_event,
    iso_time,
    parse_iso_time,
    read_capture,
)

T0 = 1_714_555_800.125


class Collector(StreamListener):
    def __init__(self) -> None:
        self.calls: list[tuple[str, object, float]] = []
        self.wall: list[float] = []

    def on_bytes(self, data: bytes, timestamp: float) -> None:
        self.calls.append(("rx", data, timestamp))
        self.wall.append(time.monotonic())

    def on_sent(self, data: bytes, timestamp: float) -> None:
        self.calls.append(("tx", data, timestamp))
        self.wall.append(time.monotonic())

    def on_gap(self, gap: Gap) -> None:
        self.calls.append(("gap", gap, gap.end))
        self.wall.append(time.monotonic())

    def on_state(self, state: StreamState, detail: str) -> None:
        self.calls.append(("state", (state, detail), 0.0))
        self.wall.append(time.monotonic())


def _write_sample_capture(base: Path) -> CaptureWriter:
    writer = CaptureWriter(base)
    writer.start("THREAD port 1 (ws://127.0.0.1/ws/port/1)", T0)
    writer.rx(b"23.41,45.20,1013.2\r\n", T0 + 0.1)
    writer.tx(b"01R\r\n", T0 + 0.2)
    writer.state("reconnecting link lost:\nclosed", T0 + 0.3)
    writer.gap(Gap(T0 + 0.3, T0 + 1.5, "ConnectionClosedError: no close frame"))
    writer.rx(b"\xff\x00garbled", T0 + 1.6)
    writer.close(T0 + 2.0)
    return writer


def test_iso_times_round_trip_to_the_millisecond() -> None:
    """Log times are UTC ISO 8601 with milliseconds and read back exactly."""
    assert iso_time(T0) == "2024-05-01T09:30:00.125Z"
    assert parse_iso_time(iso_time(T0)) == T0
    assert parse_iso_time("2024-05-01T09:30:00Z") == T0 - 0.125


def test_capture_files_hold_raw_bytes_and_a_readable_log(tmp_path: Path) -> None:
    """The .bin holds exactly the received bytes; the .log has one tab-separated line per event."""
    writer = _write_sample_capture(tmp_path / "probe")
    assert writer.path_bin == tmp_path / "probe.bin" and writer.path_log == tmp_path / "probe.log"
    assert writer.path_bin.read_bytes() == b"23.41,45.20,1013.2\r\n\xff\x00garbled"
    assert writer.bytes_written == 29
    lines = writer.path_log.read_text("utf-8").splitlines()
    assert [line.split("\t")[1] for line in lines] == [
        "START", "RX", "TX", "STATE", "GAP", "RX", "END",
    ]  # fmt: skip
    assert lines[1] == "2024-05-01T09:30:00.225Z\tRX\t32332e34312c34352e32302c313031332e320d0a"
    assert lines[3].endswith("\tSTATE\treconnecting link lost: closed")
    assert lines[4] == (
        "2024-05-01T09:30:01.625Z\tGAP\tstart=2024-05-01T09:30:00.425Z "
        "end=2024-05-01T09:30:01.625Z duration_s=1.200 reason=ConnectionClosedError: no close frame"
    )
    assert lines[6].endswith("\tEND\trx_bytes=29 tx_bytes=5")


def test_read_capture_round_trip_with_gap(tmp_path: Path) -> None:
    """read_capture gives back every event: bytes for RX/TX, the gap's start, end and reason."""
    _write_sample_capture(tmp_path / "probe")
    events = read_capture(tmp_path / "probe.log")
    assert [e.kind for e in events] == ["START", "RX", "TX", "STATE", "GAP", "RX", "END"]
    assert events[1] == CaptureEvent(T0 + 0.1, "RX", b"23.41,45.20,1013.2\r\n", "")
    assert events[2].data == b"01R\r\n"
    assert events[5].data == b"\xff\x00garbled"
    gap = gap_from_event(events[4])
    assert gap.start == pytest.approx(T0 + 0.3) and gap.end == pytest.approx(T0 + 1.5)
    assert gap.reason == "ConnectionClosedError: no close frame"
    assert (
        b"".join(e.data for e in events if e.kind == "RX") == (tmp_path / "probe.bin").read_bytes()
    )


def test_truncated_last_line_keeps_what_is_readable(tmp_path: Path) -> None:
    """A log cut mid-line (crash) still reads; the cut RX line keeps its whole bytes."""
    log = tmp_path / "cut.log"
    log.write_text(
        f"{iso_time(T0)}\tSTART\tx\n{iso_time(T0 + 1)}\tRX\t6162\n{iso_time(T0 + 2)}\tRX\t6364650"
    )
    events = read_capture(log)
    assert [(e.kind, e.data) for e in events] == [("START", b""), ("RX", b"ab"), ("RX", b"cde")]
    log.write_text(f"{iso_time(T0)}\tSTART\tx\n2024-05-01T09:3")
    assert [e.kind for e in read_capture(log)] == ["START"]


def test_bad_line_in_the_middle_is_an_error(tmp_path: Path) -> None:
    """A malformed line that is not the last one raises CaptureFormatError naming the line."""
    log = tmp_path / "bad.log"
    log.write_text(f"{iso_time(T0)}\tSTART\tx\nnonsense\n{iso_time(T0)}\tEND\t\n")
    with pytest.raises(CaptureFormatError, match="line 2"):
        read_capture(log)


def test_existing_capture_is_not_overwritten(tmp_path: Path) -> None:
    """Starting a capture over an existing one raises unless overwrite is asked for."""
    CaptureWriter(tmp_path / "c").close()
    with pytest.raises(FileExistsError):
        CaptureWriter(tmp_path / "c")
    CaptureWriter(tmp_path / "c.bin", overwrite=True).close()


async def test_writes_reach_the_disk_within_half_a_second(tmp_path: Path) -> None:
    """Buffered writes are flushed by a timer within 0.5 s, without closing the capture."""
    writer = CaptureWriter(tmp_path / "live")
    writer.rx(b"hello", time.time())
    assert writer.path_bin.read_bytes() == b""  # still buffered
    await asyncio.sleep(0.7)
    assert writer.path_bin.read_bytes() == b"hello"
    assert "\tRX\t68656c6c6f" in writer.path_log.read_text()
    writer.close()


def _timed_events() -> list[CaptureEvent]:
    return [
        CaptureEvent(T0, "START", b"", "src"),
        CaptureEvent(T0 + 0.0, "RX", b"a\n", ""),
        CaptureEvent(T0 + 0.5, "TX", b"q", ""),
        CaptureEvent(T0 + 1.0, "STATE", b"", "reconnecting link lost"),
        CaptureEvent(
            T0 + 2.0,
            "GAP",
            b"",
            f"start={iso_time(T0 + 1.0)} end={iso_time(T0 + 2.0)} duration_s=1.000 reason=x y",
        ),
        CaptureEvent(T0 + 3.0, "RX", b"b\n", ""),
    ]


def _expected_calls() -> list[tuple[str, object, float]]:
    return [
        ("rx", b"a\n", T0),
        ("tx", b"q", T0 + 0.5),
        ("state", (StreamState.RECONNECTING, "link lost"), 0.0),
        ("gap", Gap(T0 + 1.0, T0 + 2.0, "x y"), T0 + 2.0),
        ("rx", b"b\n", T0 + 3.0),
    ]


async def test_replay_as_fast_as_possible_is_exact() -> None:
    """Speed 0 delivers every event in order with the original timestamps, without waiting."""
    collector = Collector()
    replayer = Replayer(_timed_events(), speed=0, listener=collector)
    started = time.monotonic()
    await replayer.run()
    assert time.monotonic() - started < 0.2
    assert collector.calls == _expected_calls()
    assert replayer.finished and replayer.position == replayer.total == 6


async def test_replay_at_ten_times_speed_keeps_relative_timing() -> None:
    """At 10x the 3 s capture takes ~0.3 s, each event at its scaled offset, in order."""
    collector = Collector()
    replayer = Replayer(_timed_events(), 10.0)
    replayer.add_listener(collector)
    started = time.monotonic()
    await replayer.run()
    assert collector.calls == _expected_calls()
    offsets = [w - started for w in collector.wall]
    for got, want in zip(offsets, [0.0, 0.05, 0.1, 0.2, 0.3], strict=True):
        assert want - 0.005 <= got <= want + 0.1


async def test_replay_can_be_cancelled_and_resumed() -> None:
    """Cancelling a replay stops it; running again continues where it stopped."""
    collector = Collector()
    replayer = Replayer(_timed_events(), 1.0, collector)
    task = asyncio.create_task(replayer.run())
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert replayer.position == 2 and not replayer.finished
    replayer.speed = 0
    await replayer.run()
    assert collector.calls == _expected_calls()
