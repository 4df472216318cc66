"""The pipeline on a simulated THREAD's port 1: counters, CSV samples, capture across a reconnect."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from pathlib import Path

import httpx

from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.port_stream import EdgePortStream
from commissioner.core.edge.rules import PortMode, PortVoltage
from commissioner.core.streams.base import Gap, StreamListener
from commissioner.core.streams.capture import read_capture
from commissioner.core.streams.parsers import Channel, CsvParser, Sample
from commissioner.core.streams.pipeline import StreamPipeline
from commissioner.sim.server import ThreadServer


class Raw(StreamListener):
    def __init__(self) -> None:
        self.data = bytearray()
        self.gaps: list[Gap] = []

    def on_bytes(self, data: bytes, timestamp: float) -> None:
        self.data += data

    def on_gap(self, gap: Gap) -> None:
        self.gaps.append(gap)


async def _until(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    for _ in range(int(timeout_s / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


async def test_pipeline_captures_parses_and_marks_gap_across_reconnect(
    thread: ThreadServer, client: EdgeClient, control: httpx.AsyncClient, tmp_path: Path
) -> None:
    """Probe lines parse into 3 channels; capture spans a dropped socket with a GAP and every byte."""
    parser = CsvParser([Channel("t", "°C"), Channel("rh", "%"), Channel("p", "hPa")])
    pipeline = StreamPipeline(parser=parser, display_limit_bytes=100)  # never drained
    samples: list[Sample] = []
    pipeline.add_sample_listener(samples.extend)
    raw = Raw()
    stream = EdgePortStream(thread.url, 1, backoff_initial_s=0.05, backoff_max_s=0.2)
    stream.add_listener(raw)
    stream.add_listener(pipeline)
    writer = pipeline.start_capture(tmp_path / "port1", stream.name)
    stream.start()
    try:
        assert await stream.wait_connected(3.0)
        await client.set_port_mode(1, PortMode.RS232)
        await client.set_port_voltage(1, PortVoltage.V12)
        await client.set_device_connection(1, True)
        await _until(lambda: pipeline.counters.parsed >= 3)
        (await control.post("/_sim/drop-websockets")).raise_for_status()
        await _until(lambda: pipeline.counters.gaps == 1)
        lines_at_gap = pipeline.counters.lines
        await _until(lambda: pipeline.counters.parsed >= lines_at_gap + 3)
    finally:
        await stream.aclose()
    pipeline.close()

    c = pipeline.counters
    assert c.bytes_in == stream.counters.bytes_in == len(raw.data) == c.captured_bytes
    assert c.reconnects == stream.counters.reconnects == 1
    assert c.lines == c.parsed + c.parse_errors and c.parse_errors <= 1
    assert c.samples == 3 * c.parsed == len(samples)
    assert {s.channel for s in samples} == {"t", "rh", "p"}
    assert all(math.isfinite(s.value) for s in samples)
    assert 900 < next(s.value for s in samples if s.channel == "p") < 1100

    shown = sum(len(item.data) for item in pipeline.drain_display() if item.kind == "rx")
    assert c.display_dropped_bytes > 0 and shown + c.display_dropped_bytes == c.bytes_in
    assert writer.path_bin.read_bytes() == bytes(raw.data)
    log_lines = writer.path_log.read_text("utf-8").splitlines()
    gap_lines = [line for line in log_lines if line.split("\t")[1] == "GAP"]
    assert len(gap_lines) == 1
    gap_payload = gap_lines[0].split("\t")[2]
    assert gap_payload.startswith("start=") and " end=" in gap_payload
    assert " duration_s=" in gap_payload and " reason=" in gap_payload
    events = read_capture(writer.path_log)
    assert events[0].kind == "START" and events[-1].kind == "END"
    assert b"".join(e.data for e in events if e.kind == "RX") == bytes(raw.data)
    rx_before_gap = [e for e in events if e.kind == "RX" and e.t < raw.gaps[0].start]
    rx_after_gap = [e for e in events if e.kind == "RX" and e.t >= raw.gaps[0].end - 0.001]
    assert rx_before_gap and rx_after_gap
