"""Shared pieces of the live-console throughput benchmarks (not a benchmark itself).

The stream and serial benchmarks differ only in where the bytes come from (a WebSocket flood
server or a pseudo-terminal writer, each in its own process) and which ReconnectingStream reads
them. Everything else lives here: the 64-byte test lines, the child-process plumbing, the
measuring side (pipeline, console stand-in, loop-lag probe, RSS sampler) and the report with its
PASS/FAIL verdicts. Loopback and local pseudo-terminals only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import math
import os
import platform
import pstats
import queue
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# -- the test stream ---------------------------------------------------------------------------

LINE_BYTES = 64
BLOCK_LINES = 1024  # 64 KiB per WebSocket message / pty write
BLOCK_BYTES = LINE_BYTES * BLOCK_LINES
MB = 1_000_000  # figures are in MB = 10^6 bytes
CHANNELS = ("seq", "temp", "humidity", "pressure", "accel_x", "accel_y", "accel_z", "supply")

TARGET_LAG_P99_MS = 50.0
TARGET_RATE_FRACTION = 0.95  # "at 10 MB/s" = received at least 95 % of the requested rate
FLAT_LIMIT_MB = 20.0  # "memory stays flat": growth over the last 75 % of the stream


def _suffix(k: int) -> bytes:
    values = (
        20 + (k % 100) / 10,
        40 + (k % 37) / 4,
        1013.2 - (k % 50) / 10,
        (k % 13) / 7,
        9.81 - (k % 7) / 100,
        -((k % 11) / 9),
        230 + (k % 17) / 3,
    )
    text = ",%07.2f,%06.2f,%06.1f,%06.3f,%06.3f,%07.3f,%07.2f\r\n" % values  # noqa: UP031
    return text.encode("ascii")


_SUFFIXES = [_suffix(k) for k in range(1000)]
assert all(len(s) == LINE_BYTES - 10 for s in _SUFFIXES)


def make_line(seq: int) -> bytes:
    """Line ``seq``: a 10-digit sequence number and 7 readings, exactly 64 bytes with CRLF."""
    return b"%010d" % seq + _SUFFIXES[seq % 1000]


def make_block(first_seq: int, count: int = BLOCK_LINES) -> bytes:
    suffixes = _SUFFIXES
    return b"".join(
        [b"%010d" % s + suffixes[s % 1000] for s in range(first_seq, first_seq + count)]
    )


def compare_with_stream(path: Path, expected_bytes: int) -> str:
    """'' when the file holds exactly the first ``expected_bytes`` of the test stream, else why not."""
    size = path.stat().st_size if path.exists() else -1
    if size != expected_bytes:
        return f"size {size:,} bytes, expected {expected_bytes:,}"
    with path.open("rb") as f:
        seq = 0
        offset = 0
        while offset < expected_bytes:
            want = make_block(seq)[: expected_bytes - offset]
            got = f.read(len(want))
            if got != want:
                at = next((i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b), 0)
                return f"first difference at byte {offset + at:,} (line {seq + at // LINE_BYTES:,})"
            offset += len(want)
            seq += BLOCK_LINES
    return ""


# -- figures -----------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); nan for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def rss_mb() -> float:
    """Resident set size of this process in MB (psutil when installed, else /proc)."""
    try:
        import psutil  # type: ignore[import-untyped]

        return float(psutil.Process().memory_info().rss) / MB
    except ImportError:
        pass
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024 / MB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MB


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "-"


def print_header(title: str) -> None:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    pyside = _version("PySide6-Essentials")
    if pyside == "-":
        pyside = _version("PySide6")
    libs = ", ".join(
        f"{name} {_version(dist)}"
        for name, dist in (
            ("qasync", "qasync"),
            ("websockets", "websockets"),
            ("aiohttp", "aiohttp"),
            ("numpy", "numpy"),
            ("pyserial", "pyserial"),
            ("psutil", "psutil"),
        )
    )
    print(f"== {title} ==")
    print(f"machine: {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}")
    print(f"python {platform.python_version()} ({platform.python_implementation()})")
    print(f"libraries: PySide6 {pyside}, {libs}")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    share = cpu_share()
    busy = " (other work is running: figures are pessimistic)" if share < 0.9 else ""
    print(f"machine load: load average {load}; one busy thread got {share:.0%} of a core{busy}")


def cpu_share(seconds: float = 0.5) -> float:
    """The share of a core a busy-looping thread gets right now (1.0 on an idle machine)."""
    t0, c0 = time.perf_counter(), time.process_time()
    while time.perf_counter() - t0 < seconds:
        pass
    return (time.process_time() - c0) / (time.perf_counter() - t0)


# -- child processes (the byte sources) ----------------------------------------------------------


def emit(message: dict[str, Any]) -> None:
    """Child side: one JSON message per line on stdout."""
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def read_commands(on_command: Callable[[str], None]) -> threading.Thread:
    """Child side: call ``on_command`` for each line on stdin, then with 'stop' at end of input."""

    def run() -> None:
        for line in sys.stdin:
            on_command(line.strip())
        on_command("stop")

    thread = threading.Thread(target=run, name="commands", daemon=True)
    thread.start()
    return thread


class Pacer:
    """When each 64 KiB block is due, so that ``rate`` bytes/s leave for ``duration_s`` seconds.

    A sender that falls behind (the reader pushed back) sends back to back until it catches up, so
    the achieved rate is what the reader could take. ``rate`` 0 means as fast as possible.
    """

    def __init__(self, rate: float, duration_s: float) -> None:
        self.rate = rate
        self.duration_s = duration_s
        self.t0 = time.perf_counter()
        self.sent = 0
        self.seq = 0

    def next_block(self) -> tuple[bytes, float] | None:
        """The next block and how long to wait before sending it, or None when time is up."""
        elapsed = time.perf_counter() - self.t0
        if elapsed >= self.duration_s:
            return None
        wait = self.sent / self.rate - elapsed if self.rate > 0 else 0.0
        block = make_block(self.seq)
        self.seq += BLOCK_LINES
        self.sent += len(block)
        return block, max(0.0, wait)

    def report(self) -> dict[str, Any]:
        return {
            "event": "done",
            "bytes": self.sent,
            "lines": self.seq,
            "seconds": time.perf_counter() - self.t0,
            "cpu_s": time.process_time(),
        }


class Child:
    """Parent side of a source process speaking JSON lines on stdout, commands on stdin."""

    def __init__(self, argv: Sequence[str]) -> None:
        self.argv = [sys.executable, *argv]
        self.proc: subprocess.Popen[str] | None = None
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )
        threading.Thread(target=self._read, name="child-stdout", daemon=True).start()

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            with contextlib.suppress(ValueError):
                self.messages.put(json.loads(line))
        self.messages.put({"event": "exit"})

    def send(self, command: str) -> None:
        if self.proc is not None and self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.write(command + "\n")
                self.proc.stdin.flush()

    async def wait_for(self, event: str, timeout_s: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                message = self.messages.get_nowait()
            except queue.Empty:
                await asyncio.sleep(0.05)
                continue
            if message.get("event") == event:
                return message
            if message.get("event") == "exit":
                raise RuntimeError(f"the source process ended before '{event}'")
        raise TimeoutError(f"the source process did not report '{event}' in {timeout_s:.0f} s")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        self.send("stop")
        with contextlib.suppress(OSError):
            assert proc.stdin is not None
            proc.stdin.close()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


# -- the measuring side ----------------------------------------------------------------------------


class SequenceChecker:
    """Sample listener: checks that the lines' sequence numbers arrive complete and in order.

    Cheap on the fast paths: a chunk's samples grouped by channel or line by line, or a columnar
    result with numpy arrays, are checked by their first and last sequence numbers and count;
    anything else is walked sample by sample.
    """

    def __init__(self) -> None:
        self.width = len(CHANNELS)
        self.next = 0
        self.lines = 0
        self.samples = 0
        self.gaps = 0
        self.missing = 0
        self.out_of_order = 0

    def __call__(self, batch: Any) -> None:
        values = getattr(batch, "values", None)
        if isinstance(values, dict):  # a columnar parse result: one array per channel
            self.samples += sum(len(v) for v in values.values())
            seq = values.get("seq")
            if seq is not None and len(seq):
                self._run(int(seq[0]), int(seq[-1]), len(seq), lambda: [int(v) for v in seq])
            return
        samples: Sequence[Any] = batch
        n = len(samples)
        if not n:
            return
        self.samples += n
        k, width = n // self.width, self.width
        seqs: Sequence[Any] = ()
        if n % width == 0 and samples[0].channel == "seq":
            if samples[k - 1].channel == "seq" and (k == n or samples[k].channel != "seq"):
                seqs = samples[:k]  # grouped by channel
            elif samples[-width].channel == "seq":
                seqs = samples[::width]  # line by line
        if seqs:
            self._run(
                int(seqs[0].value),
                int(seqs[-1].value),
                len(seqs),
                lambda: [int(s.value) for s in samples if s.channel == "seq"],
            )
        else:
            for v in [int(s.value) for s in samples if s.channel == "seq"]:
                self._line(v)

    def _run(self, first: int, last: int, count: int, each: Callable[[], list[int]]) -> None:
        if first == self.next and last - first == count - 1:
            self.next = last + 1
            self.lines += count
        else:
            for v in each():
                self._line(v)

    def _line(self, seq: int) -> None:
        if seq > self.next:
            self.gaps += 1
            self.missing += seq - self.next
        elif seq < self.next:
            self.out_of_order += 1
        self.next = seq + 1
        self.lines += 1


class Arrivals:
    """A StreamListener counting bytes and noting when the first and last arrived."""

    def __init__(self) -> None:
        self.bytes = 0
        self.chunks = 0
        self.first = 0.0
        self.last = 0.0
        self.expected = -1
        self.complete = asyncio.Event()

    def expect(self, total: int) -> asyncio.Event:
        """An event set once ``total`` bytes have arrived."""
        self.expected = total
        if self.bytes >= total:
            self.complete.set()
        return self.complete

    def on_bytes(self, data: bytes, timestamp: float) -> None:
        now = time.perf_counter()
        if not self.bytes:
            self.first = now
        self.last = now
        self.bytes += len(data)
        self.chunks += 1
        if self.bytes >= self.expected >= 0:
            self.complete.set()

    def on_sent(self, data: bytes, timestamp: float) -> None:
        pass

    def on_gap(self, gap: Any) -> None:
        pass

    def on_state(self, state: Any, detail: str) -> None:
        pass


@dataclass
class Lag:
    """Event-loop lag: how late a timer armed every ``interval_s`` actually fired."""

    interval_s: float = 0.010
    samples_ms: list[float] = field(default_factory=list)
    running: bool = False
    _armed: float = 0.0

    def fired(self) -> None:
        now = time.perf_counter()
        self.samples_ms.append(max(0.0, (now - self._armed - self.interval_s) * 1000))
        self._armed = now


class QtLagProbe(Lag):
    def start(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self.running = True
        self._armed = time.perf_counter()
        self._timer.start(round(self.interval_s * 1000))

    def _tick(self) -> None:
        self.fired()
        if self.running:
            self._timer.start(round(self.interval_s * 1000))

    def stop(self) -> None:
        self.running = False
        self._timer.stop()


class AsyncioLagProbe(Lag):
    def start(self) -> None:
        self.running = True
        self._armed = time.perf_counter()
        self._handle = asyncio.get_running_loop().call_later(self.interval_s, self._tick)

    def _tick(self) -> None:
        self.fired()
        if self.running:
            self._handle = asyncio.get_running_loop().call_later(self.interval_s, self._tick)

    def stop(self) -> None:
        self.running = False
        self._handle.cancel()


class Periodic:
    """Run ``fn`` every ``interval_s`` on the running asyncio loop until stopped."""

    def __init__(self, fn: Callable[[], None], interval_s: float) -> None:
        self.fn, self.interval_s = fn, interval_s
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            self.fn()
            await asyncio.sleep(self.interval_s)

    async def stop(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


class StandInConsole:
    """A minimal console: a timer drains the pipeline into a QPlainTextEdit with bounded history.

    When one tick brings more lines than ``tail_lines`` only the newest are inserted (like the app's
    console, which draws a fixed budget of lines per tick during a flood).
    """

    def __init__(self, pipeline: Any, hz: float, max_blocks: int, tail_lines: int) -> None:
        from PySide6.QtCore import QTimer
        from PySide6.QtGui import QTextCursor
        from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

        self.pipeline = pipeline
        self.tail_lines = min(tail_lines, max_blocks)
        self.window = QWidget()
        self.window.resize(1000, 700)
        layout = QVBoxLayout(self.window)
        self.view = QPlainTextEdit()
        self.view.setReadOnly(True)
        self.view.setUndoRedoEnabled(False)
        self.view.setMaximumBlockCount(max_blocks)
        self.status = QLabel()
        layout.addWidget(self.view)
        layout.addWidget(self.status)
        self.window.show()
        self._end = QTextCursor.MoveOperation.End
        self.items = 0
        self.lines_drawn = 0
        self.lines_skipped = 0
        self.tick_ms: list[float] = []
        self.timer = QTimer()
        self.timer.timeout.connect(self.drain)
        self.timer.start(round(1000 / hz))

    def drain(self) -> None:
        t0 = time.perf_counter()
        items = self.pipeline.drain_display()
        if items:
            self.items += len(items)
            text = "".join(
                item.text if item.kind == "rx" else f"\n[{item.kind}] {item.text}\n"
                for item in items
            ).replace("\r\n", "\n")
            parts = text.rsplit("\n", self.tail_lines)
            if len(parts) > self.tail_lines:
                self.lines_skipped += parts[0].count("\n") + 1
                text = "\n" + "\n".join(parts[1:])
            self.lines_drawn += text.count("\n")
            cursor = self.view.textCursor()
            cursor.movePosition(self._end)
            cursor.insertText(text)
            self.view.setTextCursor(cursor)
            bar = self.view.verticalScrollBar()
            bar.setValue(bar.maximum())
            c = self.pipeline.counters
            self.status.setText(
                f"{c.bytes_in:,} bytes, {c.lines:,} lines, {c.parse_errors:,} errors, "
                f"{c.display_dropped_bytes:,} display bytes dropped"
            )
        self.tick_ms.append((time.perf_counter() - t0) * 1000)

    def summary(self) -> str:
        return (
            f"stand-in console: {self.items:,} items drained, {self.lines_drawn:,} lines drawn,"
            f" {self.lines_skipped:,} not (beyond {self.tail_lines:,} lines per tick)"
        )

    async def aclose(self) -> None:
        self.timer.stop()
        self.drain()
        self.window.close()


class AppConsole:
    """The app's own ConsoleWidget (view, counters, parser editor) on the stream, timed per tick."""

    def __init__(self, source: Any, stream: Any) -> None:
        from commissioner.ui.pages.console.console_widget import ConsoleWidget
        from commissioner.ui.pages.console.macros import MacroStore

        self.widget = ConsoleWidget(source, stream, MacroStore(None))
        self.widget.resize(1200, 800)
        self.widget.show()
        self.pipeline = self.widget.pipeline
        self.items = 0
        self.tick_ms: list[float] = []
        drain = self.pipeline.drain_display

        def counted() -> Any:
            items = drain()
            self.items += len(items)
            return items

        self.pipeline.drain_display = counted
        self.lines_drawn = 0
        render = self.widget.view.render_pending

        def rendered(*args: Any, **kwargs: Any) -> int:
            written: int = render(*args, **kwargs)
            self.lines_drawn += written
            return written

        self.widget.view.render_pending = rendered
        timer = self.widget.display_timer
        timer.timeout.disconnect()
        timer.timeout.connect(self.tick)

    def tick(self) -> None:
        t0 = time.perf_counter()
        self.widget.refresh_display()
        self.tick_ms.append((time.perf_counter() - t0) * 1000)

    def summary(self) -> str:
        return (
            f"app ConsoleWidget: {self.items:,} items drained, {self.lines_drawn:,} lines drawn,"
            f" {self.widget.view.dropped_bytes:,} bytes not drawn (its flood policy)"
        )

    async def aclose(self) -> None:
        self.widget.display_timer.stop()
        self.tick()
        await self.widget.aclose()
        self.widget.close()


class HeadlessDrain:
    """--no-ui: drains the display queue at the same rate and throws it away."""

    def __init__(self, pipeline: Any, hz: float) -> None:
        self.pipeline = pipeline
        self.items = 0
        self.tick_ms: list[float] = []
        self._periodic = Periodic(self.drain, 1 / hz)

    def drain(self) -> None:
        t0 = time.perf_counter()
        self.items += len(self.pipeline.drain_display())
        self.tick_ms.append((time.perf_counter() - t0) * 1000)

    def summary(self) -> str:
        return f"no UI: {self.items:,} items drained and discarded"

    async def aclose(self) -> None:
        await self._periodic.stop()
        self.drain()


# -- the run ---------------------------------------------------------------------------------


def add_common_arguments(parser: argparse.ArgumentParser, default_rate_mb: float) -> None:
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of streaming")
    parser.add_argument(
        "--rate-mb",
        type=float,
        default=default_rate_mb,
        help="target rate in MB/s (10^6 bytes); 0 = as fast as the reader takes it",
    )
    parser.add_argument("--no-ui", action="store_true", help="plain asyncio loop, no Qt console")
    parser.add_argument(
        "--console",
        choices=("app", "standin"),
        default="app",
        help="app: the app's ConsoleWidget; standin: a bare QPlainTextEdit console",
    )
    parser.add_argument("--ui-hz", type=float, default=30.0, help="standin: redraw rate")
    parser.add_argument("--max-blocks", type=int, default=5000, help="standin: scrollback lines")
    parser.add_argument(
        "--tail-lines",
        type=int,
        default=600,
        help="standin: most lines inserted per tick (the newest; like the app's 600-row budget)",
    )
    parser.add_argument(
        "--sample-listener",
        action="store_true",
        help="check sequence numbers through add_sample_listener (a Sample object per value)"
        " instead of add_batch_listener (numpy columns)",
    )
    parser.add_argument("--profile", metavar="FILE", help="cProfile the measuring process")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a target is missed (default: exit 0)"
    )


@dataclass
class Run:
    """Everything measured in one run, filled in by :func:`measure`."""

    source: dict[str, Any] = field(default_factory=dict)
    arrivals: Arrivals = field(default_factory=lambda: Arrivals())
    checker: SequenceChecker = field(default_factory=SequenceChecker)
    counters: Any = None
    lag: Lag = field(default_factory=Lag)
    display: Any = None  # StandInConsole | AppConsole | HeadlessDrain
    capture_bytes: int = -1
    capture_check: str = "not checked"
    rss: list[tuple[float, float]] = field(default_factory=list)
    rss_start: float = 0.0
    cpu_s: float = 0.0
    wall_s: float = 0.0
    capture_dir: str = ""


async def measure(
    args: argparse.Namespace,
    child: Child,
    make_stream: Callable[[dict[str, Any]], Any],
    console_source: Callable[[dict[str, Any]], Any],
) -> Run:
    from commissioner.core.streams.framing import LineFramer
    from commissioner.core.streams.parsers import Channel, CsvParser
    from commissioner.core.streams.pipeline import StreamPipeline

    run = Run()
    child.start()
    workdir = Path(tempfile.mkdtemp(prefix="commissioner-bench-"))
    run.capture_dir = str(workdir)
    stream = None
    try:
        ready = await child.wait_for("ready", 20)
        stream = make_stream(ready)
        parser = CsvParser([Channel(name) for name in CHANNELS])
        if not args.no_ui and args.console == "app":
            run.display = AppConsole(console_source(ready), stream)  # attaches its own pipeline
            pipeline = run.display.pipeline
            pipeline.set_parser(parser)
        else:
            pipeline = StreamPipeline(framer=LineFramer(), parser=parser)
            stream.add_listener(pipeline)
        if args.sample_listener or not hasattr(pipeline, "add_batch_listener"):
            pipeline.add_sample_listener(run.checker)  # one Sample object per value
        else:
            pipeline.add_batch_listener(run.checker)  # one numpy array per channel, as plots use
        pipeline.start_capture(workdir / "stream")
        stream.add_listener(run.arrivals)
        stream.start()
        if not await stream.wait_connected(10):
            raise RuntimeError(f"could not connect: {stream.last_error}")

        run.rss_start = rss_mb()
        t_start = time.perf_counter()
        sampler = Periodic(lambda: run.rss.append((time.perf_counter() - t_start, rss_mb())), 0.25)
        if args.no_ui:
            run.display = HeadlessDrain(pipeline, args.ui_hz)
        elif run.display is None:
            run.display = StandInConsole(pipeline, args.ui_hz, args.max_blocks, args.tail_lines)
        run.lag = AsyncioLagProbe() if args.no_ui else QtLagProbe()
        run.lag.start()
        cpu0 = cpu_seconds()

        child.send("go")
        run.source = await child.wait_for("done", args.duration * 4 + 30)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(run.arrivals.expect(run.source["bytes"]).wait(), 30)
        await asyncio.sleep(0.1)

        run.cpu_s = cpu_seconds() - cpu0
        run.wall_s = time.perf_counter() - t_start
        run.lag.stop()
        await sampler.stop()
        run.rss.append((time.perf_counter() - t_start, rss_mb()))
        await run.display.aclose()
        pipeline.stop_capture()
        run.counters = pipeline.counters
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    finally:
        if stream is not None:
            await stream.aclose()
        child.stop()
    return run


def verify_capture(run: Run) -> None:
    bins = sorted(Path(run.capture_dir).glob("*.bin"))
    if bins:
        run.capture_bytes = sum(p.stat().st_size for p in bins)
        run.capture_check = (
            compare_with_stream(bins[0], run.arrivals.bytes)
            if len(bins) == 1
            else f"{len(bins)} .bin files"
        )
    else:
        run.capture_check = "no .bin file was written"


def run_benchmark(
    title: str,
    args: argparse.Namespace,
    child_argv: Sequence[str],
    make_stream: Callable[[dict[str, Any]], Any],
    console_source: Callable[[dict[str, Any]], Any],
    settings: str,
) -> int:
    print_header(title)
    ui = "no UI (plain asyncio loop)" if args.no_ui else "Qt offscreen + qasync"
    if not args.no_ui:
        ui += ", the app's ConsoleWidget" if args.console == "app" else ", a stand-in console"
    listener = "add_sample_listener" if args.sample_listener else "add_batch_listener"
    print(f"settings: {settings}; {ui}; sequence check through {listener}")
    child = Child(child_argv)
    profiler = cProfile.Profile() if args.profile else None

    def go() -> Awaitable[Run]:
        return measure(args, child, make_stream, console_source)

    with _profiling(profiler):
        run = asyncio.run(go()) if args.no_ui else _run_qt(go)
    verify_capture(run)
    ok = report(args, run)
    if profiler is not None:
        profiler.dump_stats(args.profile)
        print(
            f"\nprofile of the measuring process (top 25 by own time; full stats in {args.profile}):"
        )
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(25)
    shutil.rmtree(run.capture_dir, ignore_errors=True)
    return 1 if (args.strict and not ok) else 0


@contextlib.contextmanager
def _profiling(profiler: cProfile.Profile | None) -> Iterator[None]:
    if profiler is None:
        yield
        return
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()


def _run_qt(go: Callable[[], Awaitable[Run]]) -> Run:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    def quiet(mode: Any, context: Any, message: str) -> None:
        if "propagateSizeHints" not in message:  # the offscreen platform says it per window
            sys.stderr.write(message + "\n")

    qInstallMessageHandler(quiet)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)  # as app.py: closing the console must not stop the loop
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        result: Run = loop.run_until_complete(go())
    return result


def report(args: argparse.Namespace, run: Run) -> bool:
    """Print the figures and the verdicts; True when every target is met."""
    src, arr, chk, c = run.source, run.arrivals, run.checker, run.counters
    sent = int(src["bytes"])
    span = max(arr.last - arr.first, 1e-9)
    rx_rate = arr.bytes / span / MB
    print(
        f"source (own process): sent {sent:,} bytes ({src['lines']:,} lines) in {src['seconds']:.2f} s"
        f" = {sent / max(src['seconds'], 1e-9) / MB:.2f} MB/s; its CPU {src['cpu_s']:.1f} s"
    )
    print(
        f"received: {arr.bytes:,} bytes in {arr.chunks:,} chunks over {span:.2f} s (first to last"
        f" byte) = {rx_rate:.2f} MB/s"
    )
    print(
        f"parsed: {chk.lines:,} lines = {chk.lines / span:,.0f} lines/s, {chk.samples:,} samples;"
        f" pipeline counters: bytes_in {c.bytes_in:,}, lines {c.lines:,}, parsed {c.parsed:,},"
        f" parse_errors {c.parse_errors:,}, captured_bytes {c.captured_bytes:,}"
    )
    lost = sent - arr.bytes
    capture_ok = run.capture_check == ""
    print(
        f"loss: sent - received = {lost:,} bytes; sequence gaps {chk.gaps:,} ({chk.missing:,} lines"
        f" missing, {chk.out_of_order:,} out of order); lines parsed {chk.lines:,} of"
        f" {src['lines']:,}; capture .bin {run.capture_bytes:,} bytes"
        f" (== received: {'yes' if run.capture_bytes == arr.bytes else 'NO'}); capture equals the"
        f" sent stream byte for byte: {'yes' if capture_ok else 'NO, ' + run.capture_check}"
    )
    d = run.display
    print(
        f"display: {d.summary()}; {c.display_dropped_bytes:,} bytes dropped by the pipeline's"
        f" display limit; drain tick p50 {percentile(d.tick_ms, 50):.1f} / p99"
        f" {percentile(d.tick_ms, 99):.1f} / max {max(d.tick_ms, default=math.nan):.1f} ms"
    )
    lag = run.lag.samples_ms
    probe = "asyncio call_later" if args.no_ui else "QTimer"
    p50, p99, worst = percentile(lag, 50), percentile(lag, 99), max(lag, default=math.nan)
    print(
        f"loop lag ({probe} every 10 ms, {len(lag):,} samples): p50 {p50:.1f} ms, p99 {p99:.1f} ms,"
        f" max {worst:.1f} ms"
    )
    rss_values = [mb for _, mb in run.rss]
    peak, end = max(rss_values, default=math.nan), rss_values[-1] if rss_values else math.nan
    quarter = run.rss[len(run.rss) // 4][1] if run.rss else math.nan
    growth = end - quarter
    print(
        f"memory (RSS): start {run.rss_start:.1f} MB, peak {peak:.1f} MB, end {end:.1f} MB;"
        f" growth over the last 75% of the run {growth:+.1f} MB"
    )
    print(
        f"CPU (measuring process): {run.cpu_s:.1f} s over {run.wall_s:.1f} s ="
        f" {100 * run.cpu_s / max(run.wall_s, 1e-9):.0f}% of one core"
    )

    target = args.rate_mb
    verdicts = [
        (
            rx_rate >= TARGET_RATE_FRACTION * target if target > 0 else True,
            f"throughput: received {rx_rate:.2f} MB/s"
            + (f", target {target:g} MB/s (at least {TARGET_RATE_FRACTION:.0%})" if target else ""),
        ),
        (
            lost == 0
            and chk.gaps == 0
            and chk.out_of_order == 0
            and chk.lines == src["lines"]
            and c.parse_errors == 0
            and capture_ok,
            f"zero bytes lost: {lost:,} bytes and {chk.missing:,} lines missing, {c.parse_errors:,}"
            " parse errors, capture " + ("complete and exact" if capture_ok else "NOT exact"),
        ),
        (
            p99 < TARGET_LAG_P99_MS,
            f"loop lag p99 under {TARGET_LAG_P99_MS:.0f} ms: {p99:.1f} ms"
            + (" (no UI: asyncio loop)" if args.no_ui else " (Qt event loop with the console)"),
        ),
        (
            growth < FLAT_LIMIT_MB,
            f"memory flat: {growth:+.1f} MB over the last 75% of the run (limit {FLAT_LIMIT_MB:.0f} MB)",
        ),
    ]
    drawn = getattr(d, "lines_drawn", None)
    if drawn is not None:  # not a stated target, but a frozen console would pass the lag target
        ticks = len(d.tick_ms)
        verdicts.append(
            (
                drawn >= ticks,
                f"console stayed live: {drawn:,} lines drawn in {ticks:,} display ticks"
                " (at least one per tick on average)",
            )
        )
    print("targets:")
    for ok, text in verdicts:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")
    return all(ok for ok, _ in verdicts)


if __name__ == "__main__":
    print(
        "benchmarks/_common.py holds shared helpers; run stream_throughput.py or serial_throughput.py"
    )
