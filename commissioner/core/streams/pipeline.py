"""What happens to every received chunk: capture, display queue, framing, parsing, acceptance.

A :class:`StreamPipeline` is a :class:`StreamListener`; attach it to a live stream (THREAD port,
local serial port) or to a :class:`~commissioner.core.streams.capture.Replayer`. Per chunk it
does, on the event loop:

1. count the bytes and hand them to the capture, if one is running (every byte, always);
2. queue them for the console (the UI pulls with :meth:`StreamPipeline.drain_display`); when
   more than ``display_limit_bytes`` wait, the oldest received chunks are dropped *from the
   display only* and counted in ``display_dropped_bytes``;
3. cut them into lines and parse all the chunk's lines in one call; update the acceptance judges
   column by column; call the batch and sample listeners once with the chunk's values.

Apart from framing and parsing (C-level splits and ``float`` calls) the work per chunk does not
depend on its size. Not thread-safe: call it from the event loop's thread only.
"""

from __future__ import annotations

import codecs
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from commissioner.core.streams.acceptance import Acceptance, ChannelJudge
from commissioner.core.streams.base import Gap, StreamListener, StreamState
from commissioner.core.streams.capture import CaptureWriter, iso_time
from commissioner.core.streams.framing import Line, LineFramer, visible_str, visible_text
from commissioner.core.streams.parsers import Parser, ParseResult, Sample

log = logging.getLogger(__name__)

RECENT_ERRORS = 100

DisplayKind = Literal["rx", "tx", "gap", "state"]


@dataclass
class PipelineCounters:
    bytes_in: int = 0
    bytes_out: int = 0
    lines: int = 0
    parsed: int = 0
    parse_errors: int = 0
    reconnects: int = 0
    gaps: int = 0
    display_dropped_bytes: int = 0
    captured_bytes: int = 0
    # additions to the shared contract
    chunks: int = 0
    samples: int = 0
    lines_cut: int = 0  # lines longer than the framer's max_line, cut into pieces
    gap_seconds: float = 0.0
    capture_failures: int = 0


@dataclass(frozen=True, slots=True)
class DisplayItem:
    """One thing for the console: received or sent bytes, a gap or a state change.

    ``text`` of rx/tx is the bytes as UTF-8 with invalid bytes and control characters (except
    tab, CR and LF) shown as ``\\xNN``; a multi-byte character split across chunks is shown whole
    in the item that completes it.
    """

    kind: DisplayKind
    t: float
    data: bytes
    text: str


_Queued = tuple[DisplayKind, float, bytes, str]


class StreamPipeline(StreamListener):
    """Capture, console queue, lines, parsed samples and acceptance for one stream."""

    def __init__(
        self,
        framer: LineFramer | None = None,
        parser: Parser | None = None,
        display_limit_bytes: int = 2_000_000,
        *,
        source: str = "",
    ) -> None:
        self.framer = framer if framer is not None else LineFramer()
        self.parser: Parser | None = None
        self.display_limit_bytes = max(1, display_limit_bytes)
        self.source = source
        self.capture: CaptureWriter | None = None
        self.capture_error = ""
        self.counters = PipelineCounters()
        self.recent_errors: deque[tuple[Line, str]] = deque(maxlen=RECENT_ERRORS)
        self.judges: dict[str, ChannelJudge] = {}
        self.state = StreamState.IDLE
        self._sample_listeners: list[Callable[[list[Sample]], None]] = []
        self._batch_listeners: list[Callable[[ParseResult], None]] = []
        self._display: deque[_Queued] = deque()
        self._display_kept: list[_Queued] = []  # non-rx items taken out while dropping
        self._display_rx_bytes = 0
        self._dropped_since_drain = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")("backslashreplace")
        self._connected_before = False
        if parser is not None:
            self.set_parser(parser)

    # -- configuration --------------------------------------------------------------------------

    def set_parser(self, parser: Parser | None) -> None:
        """Parse from the next chunk on with ``parser`` (None: frame only). Judges are kept."""
        self.parser = parser
        if parser is not None:
            for ch in parser.channels:
                self._judge(ch.name)

    def set_framer(self, framer: LineFramer) -> None:
        """Frame with ``framer`` from now on; the unfinished line carries over."""
        leftover = self.framer.flush_bytes()
        if leftover:
            self.framer.lines_emitted -= 1  # it was not emitted; the new framer takes it over
        self.framer = framer
        if leftover:
            first = framer.lines_emitted
            lines = framer.split(leftover)
            if lines:
                self._handle_lines(lines, time.time(), first)

    def set_acceptance(self, channel: str, acceptance: Acceptance) -> None:
        """Judge ``channel`` against ``acceptance`` (what it already saw is kept)."""
        judge = self._judge(channel)
        judge.acceptance = acceptance
        judge.out_of_range_count = 0

    def add_sample_listener(self, callback: Callable[[list[Sample]], None]) -> None:
        """``callback(samples)`` once per chunk that had values (one object per value: slower)."""
        self._sample_listeners.append(callback)

    def remove_sample_listener(self, callback: Callable[[list[Sample]], None]) -> None:
        if callback in self._sample_listeners:
            self._sample_listeners.remove(callback)

    def add_batch_listener(self, callback: Callable[[ParseResult], None]) -> None:
        """``callback(result)`` once per chunk that had values: one numpy array per channel."""
        self._batch_listeners.append(callback)

    def remove_batch_listener(self, callback: Callable[[ParseResult], None]) -> None:
        if callback in self._batch_listeners:
            self._batch_listeners.remove(callback)

    def reset_counters(self) -> None:
        """Zero the counters and forget recent errors and judged values (not the acceptance)."""
        self.counters = PipelineCounters()
        self.recent_errors.clear()
        for judge in self.judges.values():
            judge.reset()

    # -- capture --------------------------------------------------------------------------------

    def start_capture(
        self, base_path: Path | str, source: str = "", *, overwrite: bool = False
    ) -> CaptureWriter:
        """Capture from now on to ``<base_path>.bin`` and ``.log`` (stopping any capture)."""
        self.stop_capture()
        writer = CaptureWriter(base_path, overwrite=overwrite)
        writer.start(source or self.source or "unknown source")
        writer.state(f"{self.state.value} capture started while {self.state.value}")
        self.capture = writer
        self.capture_error = ""
        return writer

    def stop_capture(self) -> None:
        writer, self.capture = self.capture, None
        if writer is not None:
            try:
                writer.close()
            except OSError as exc:
                self._capture_failed(writer, exc)

    def _capture_failed(self, writer: CaptureWriter, exc: OSError) -> None:
        self.capture = None
        self.counters.capture_failures += 1
        self.capture_error = f"capture to {writer.path_bin.name} stopped: {exc}"
        log.error("%s", self.capture_error)
        with contextlib.suppress(OSError, ValueError):
            writer.close()
        self._queue("state", time.time(), b"", self.capture_error)

    # -- StreamListener -------------------------------------------------------------------------

    def on_bytes(self, data: bytes, timestamp: float) -> None:
        n = len(data)
        if not n:
            return
        if type(data) is not bytes:
            data = bytes(data)  # a bytearray or memoryview from a transport
        counters = self.counters
        counters.bytes_in += n
        counters.chunks += 1
        writer = self.capture
        if writer is not None:
            try:
                writer.rx(data, timestamp)
            except OSError as exc:
                self._capture_failed(writer, exc)
            else:
                counters.captured_bytes += n
        self._display.append(("rx", timestamp, data, ""))
        self._display_rx_bytes += n
        if self._display_rx_bytes > self.display_limit_bytes:
            self._trim_display()
        framer = self.framer
        first = framer.lines_emitted
        cut_before = framer.lines_cut
        lines = framer.split(data)
        if framer.lines_cut != cut_before:
            counters.lines_cut += framer.lines_cut - cut_before
        if lines:
            self._handle_lines(lines, timestamp, first)

    def on_sent(self, data: bytes, timestamp: float) -> None:
        self.counters.bytes_out += len(data)
        writer = self.capture
        if writer is not None:
            try:
                writer.tx(data, timestamp)
            except OSError as exc:
                self._capture_failed(writer, exc)
        self._queue("tx", timestamp, data, visible_text(data, keep_line_breaks=True))

    def on_gap(self, gap: Gap) -> None:
        self.counters.gaps += 1
        self.counters.gap_seconds += gap.duration_s
        writer = self.capture
        if writer is not None:
            try:
                writer.gap(gap)
            except OSError as exc:
                self._capture_failed(writer, exc)
        text = (
            f"gap of {gap.duration_s:.3f} s from {iso_time(gap.start)} to {iso_time(gap.end)}: "
            f"{gap.reason}"
        )
        self._queue("gap", gap.end, b"", text)
        self.flush(gap.start)  # the line cut by the drop ends here; nothing joins across a gap

    def on_state(self, state: StreamState, detail: str) -> None:
        self.state = state
        if state is StreamState.CONNECTED:
            if self._connected_before:
                self.counters.reconnects += 1
            self._connected_before = True
        now = time.time()
        writer = self.capture
        if writer is not None:
            try:
                writer.state(f"{state.value} {detail}", now)
            except OSError as exc:
                self._capture_failed(writer, exc)
        self._queue("state", now, b"", f"{state.value}: {detail}" if detail else state.value)

    # -- lines and samples ----------------------------------------------------------------------

    def flush(self, t: float | None = None) -> None:
        """Treat the unfinished line as complete (a link drop, or the end of a replay)."""
        first = self.framer.lines_emitted
        pending = self.framer.flush_bytes()
        if pending:
            self._handle_lines([pending], time.time() if t is None else t, first)

    def _handle_lines(self, lines: Sequence[bytes], t: float, first: int) -> None:
        counters = self.counters
        counters.lines += len(lines)
        parser = self.parser
        if parser is None:
            return
        result = parser.parse_many(lines, t)
        counters.parsed += result.parsed
        errors = result.errors
        if errors:
            counters.parse_errors += len(errors)
            for pos, reason in errors[-RECENT_ERRORS:]:
                self.recent_errors.append((Line(lines[pos], t, first + pos), reason))
        if not result.values:
            return
        counters.samples += result.sample_count
        judges = self.judges
        for name, values in result.values.items():
            judge = judges.get(name)
            if judge is None:
                judge = self._judge(name)
            judge.update_values(t, values)
        if self._batch_listeners:
            for batch_cb in list(self._batch_listeners):
                try:
                    batch_cb(result)
                except Exception:  # a listener's bug must not stop the stream
                    log.exception("batch listener failed")
        if self._sample_listeners:
            samples = result.samples()
            for sample_cb in list(self._sample_listeners):
                try:
                    sample_cb(samples)
                except Exception:
                    log.exception("sample listener failed")

    def _judge(self, name: str) -> ChannelJudge:
        judge = self.judges.get(name)
        if judge is None:
            ch = self.parser.channel(name) if self.parser is not None else None
            judge = self.judges[name] = ChannelJudge(Acceptance(), ch.unit if ch else "")
        return judge

    # -- display --------------------------------------------------------------------------------

    @property
    def display_pending_bytes(self) -> int:
        return self._display_rx_bytes

    def _queue(self, kind: DisplayKind, t: float, data: bytes, text: str) -> None:
        self._display.append((kind, t, data, text))

    def _trim_display(self) -> None:
        """Drop the oldest received chunks until what waits fits the limit (amortised O(1))."""
        queue = self._display
        limit = self.display_limit_bytes
        dropped = 0
        while self._display_rx_bytes > limit and queue:
            item = queue[0]
            if item[0] != "rx":
                self._display_kept.append(queue.popleft())
                continue
            data = item[2]
            excess = self._display_rx_bytes - limit
            if len(queue) == 1 and len(data) > excess:  # the newest chunk: keep its tail
                queue[0] = (item[0], item[1], data[excess:], "")
                dropped += excess
                self._display_rx_bytes -= excess
                break
            queue.popleft()
            dropped += len(data)
            self._display_rx_bytes -= len(data)
        if dropped:
            self.counters.display_dropped_bytes += dropped
            self._dropped_since_drain += dropped
            self._decoder.reset()

    def drain_display(self) -> list[DisplayItem]:
        """Everything queued for the console since the last call, oldest first."""
        items: list[DisplayItem] = [DisplayItem(*q) for q in self._display_kept]
        self._display_kept.clear()
        if self._dropped_since_drain:
            items.append(
                DisplayItem(
                    "state",
                    time.time(),
                    b"",
                    f"{self._dropped_since_drain} received bytes not shown (the console could "
                    "not keep up); capture and parsing have every byte",
                )
            )
            self._dropped_since_drain = 0
        queue = self._display
        decode = self._decoder.decode
        while queue:
            kind, t, data, text = queue.popleft()
            if kind == "rx":
                text = visible_str(decode(data), keep_line_breaks=True)
            items.append(DisplayItem(kind, t, data, text))
        self._display_rx_bytes = 0
        return items

    def close(self) -> None:
        """Flush the unfinished line and stop any capture."""
        self.flush()
        self.stop_capture()
