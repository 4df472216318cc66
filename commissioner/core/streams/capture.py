"""Capturing a stream to disk, reading a capture back and replaying it.

A capture is two files side by side:

``<name>.bin``
    every received byte, exactly, in order (across reconnects; nothing else).
``<name>.log``
    UTF-8 text, one event per line: ``<UTC time, ISO 8601 with ms>\\t<KIND>\\t<payload>`` where
    KIND is START (payload: the source), RX or TX (the bytes in hex), GAP
    (``start=<iso> end=<iso> duration_s=<s> reason=<text>``), STATE (``<state> <detail>``) or END
    (``rx_bytes=<n> tx_bytes=<n>``). Example::

        2024-05-01T09:30:00.125Z	START	THREAD port 1 (ws://192.168.7.1/ws/port/1)
        2024-05-01T09:30:01.004Z	RX	32332e34312c34352e32302c313031332e320d0a
        2024-05-01T09:30:07.870Z	GAP	start=2024-05-01T09:30:05.112Z end=2024-05-01T09:30:07.870Z duration_s=2.758 reason=ConnectionClosedError

Writes go through large buffers and are flushed at least every 0.5 s (by a timer on the running
event loop, and by the next write otherwise) and on close, so a crash loses at most that much.
Nothing is ever dropped: a write that fails raises, and the caller says so.
"""

from __future__ import annotations

import asyncio
import calendar
import contextlib
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from commissioner.core.streams.base import Gap, StreamListener, StreamState

KINDS = ("START", "RX", "TX", "GAP", "STATE", "END")
FLUSH_INTERVAL_S = 0.5
_BUFFER_BYTES = 1 << 20


class CaptureFormatError(ValueError):
    """A capture log line that cannot be read (other than a truncated last line)."""


# -- times ----------------------------------------------------------------------------------------

_iso_cache: tuple[int, str] = (-1, "")


def iso_time(t: float) -> str:
    """``1714555800.125`` -> ``2024-05-01T09:30:00.125Z`` (UTC, milliseconds, truncated)."""
    global _iso_cache
    sec, ms = divmod(int(t * 1000.0 + 1e-3), 1000)  # the tolerance keeps .125 from reading .124
    cached_sec, prefix = _iso_cache
    if sec != cached_sec:
        prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec))
        _iso_cache = (sec, prefix)
    return f"{prefix}.{ms:03d}Z"


_parse_cache: dict[str, int] = {}


def parse_iso_time(text: str) -> float:
    """The inverse of :func:`iso_time` (also accepts no fraction, or micro-seconds)."""
    text = text.strip()
    if not text.endswith("Z"):
        raise ValueError(f"{text!r} is not a UTC time ending in Z")
    head, _, frac = text[:-1].partition(".")
    sec = _parse_cache.get(head)
    if sec is None:
        sec = calendar.timegm(time.strptime(head, "%Y-%m-%dT%H:%M:%S"))
        if len(_parse_cache) > 4096:
            _parse_cache.clear()
        _parse_cache[head] = sec
    if frac and not frac.isdigit():
        raise ValueError(f"{text!r} has a bad fraction of a second")
    return sec + (int(frac) / 10 ** len(frac) if frac else 0.0)


def _one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ").replace("\t", " ")


def capture_paths(base_path: Path | str) -> tuple[Path, Path]:
    """``captures/probe`` (or ``probe.bin`` / ``probe.log``) -> (``probe.bin``, ``probe.log``)."""
    base = Path(base_path)
    if base.suffix in (".bin", ".log"):
        base = base.with_suffix("")
    return base.parent / (base.name + ".bin"), base.parent / (base.name + ".log")


# -- writing --------------------------------------------------------------------------------------


class CaptureWriter:
    """Writes one capture (``.bin`` + ``.log``); refuses to overwrite unless told to."""

    def __init__(
        self,
        base_path: Path | str,
        *,
        overwrite: bool = False,
        flush_interval_s: float = FLUSH_INTERVAL_S,
    ) -> None:
        self.path_bin, self.path_log = capture_paths(base_path)
        self.path_bin.parent.mkdir(parents=True, exist_ok=True)
        mode = "wb" if overwrite else "xb"
        self._bin: IO[bytes] = open(self.path_bin, mode, buffering=_BUFFER_BYTES)  # noqa: SIM115
        try:
            self._log: IO[bytes] = open(self.path_log, mode, buffering=_BUFFER_BYTES)  # noqa: SIM115
        except BaseException:
            self._bin.close()
            raise
        self.flush_interval_s = flush_interval_s
        self.bytes_written = 0  # received bytes in the .bin file
        self.tx_bytes = 0
        self.log_bytes = 0
        self.closed = False
        self.started = False
        self._last_flush = time.monotonic()
        self._flush_handle: asyncio.TimerHandle | None = None
        self._next_timer_try = 0.0

    # -- events ---------------------------------------------------------------------------------

    def start(self, source: str, t: float | None = None) -> None:
        self.started = True
        self._event(time.time() if t is None else t, "START", _one_line(source))

    def rx(self, data: bytes, t: float) -> None:
        if not data:
            return
        self._check_open()
        self._bin.write(data)
        self.bytes_written += len(data)
        self._event(t, "RX", data.hex())

    def tx(self, data: bytes, t: float) -> None:
        if not data:
            return
        self.tx_bytes += len(data)
        self._event(t, "TX", data.hex())

    def gap(self, gap: Gap) -> None:
        payload = (
            f"start={iso_time(gap.start)} end={iso_time(gap.end)} "
            f"duration_s={gap.duration_s:.3f} reason={_one_line(gap.reason)}"
        )
        self._event(gap.end, "GAP", payload)

    def state(self, text: str, t: float | None = None) -> None:
        self._event(time.time() if t is None else t, "STATE", _one_line(text))

    def _event(self, t: float, kind: str, payload: str) -> None:
        self._check_open()
        line = f"{iso_time(t)}\t{kind}\t{payload}\n".encode()
        self._log.write(line)
        self.log_bytes += len(line)
        self._after_write()

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError(f"the capture {self.path_log.name} is closed")

    # -- flushing and closing -------------------------------------------------------------------

    def _after_write(self) -> None:
        now = time.monotonic()
        if now - self._last_flush >= self.flush_interval_s:
            self.flush()
        elif self._flush_handle is None and now >= self._next_timer_try:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no running loop: a write after the interval flushes
                self._next_timer_try = now + self.flush_interval_s
            else:
                self._flush_handle = loop.call_later(self.flush_interval_s, self._timed_flush)

    def _timed_flush(self) -> None:
        self._flush_handle = None
        if not self.closed:
            with contextlib.suppress(OSError):  # the next write raises it to the caller
                self.flush()

    def flush(self) -> None:
        self._last_flush = time.monotonic()
        self._bin.flush()
        self._log.flush()

    def close(self, t: float | None = None) -> None:
        """Write END, flush and close both files. Safe to call twice."""
        if self.closed:
            return
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        try:
            self._event(
                time.time() if t is None else t,
                "END",
                f"rx_bytes={self.bytes_written} tx_bytes={self.tx_bytes}",
            )
        finally:
            self.closed = True
            try:
                self._bin.close()
            finally:
                self._log.close()


# -- reading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaptureEvent:
    """One log line: RX/TX carry ``data`` (and empty ``text``); the others carry ``text``."""

    t: float
    kind: str
    data: bytes
    text: str


def read_capture(log_path: Path | str) -> list[CaptureEvent]:
    """The events of a capture (``.log``, or its ``.bin`` or base name).

    A truncated last line (the writer stopped mid-line) keeps what can be read of it; a bad line
    elsewhere raises :class:`CaptureFormatError` naming the line.
    """
    _, path = capture_paths(log_path)
    raw = path.read_bytes()
    lines = raw.split(b"\n")
    complete = raw.endswith(b"\n")
    if complete:
        lines.pop()
    events: list[CaptureEvent] = []
    last = len(lines) - 1
    for number, line_b in enumerate(lines):
        truncated = number == last and not complete
        if not line_b.strip() and truncated:
            continue
        try:
            events.append(_event_from_line(line_b, truncated))
        except ValueError as exc:
            if truncated:
                continue
            raise CaptureFormatError(f"{path.name} line {number + 1}: {exc}") from None
    return events


def _event_from_line(line_b: bytes, truncated: bool) -> CaptureEvent:
    line = line_b.decode("utf-8", "replace").rstrip("\r")
    parts = line.split("\t", 2)
    if len(parts) < 2:
        raise ValueError("expected <time> TAB <kind> TAB <payload>")
    t = parse_iso_time(parts[0])
    kind = parts[1]
    if kind not in KINDS:
        if truncated and any(k.startswith(kind) for k in KINDS):
            raise ValueError("truncated")
        raise ValueError(f"unknown event kind {kind!r}")
    payload = parts[2] if len(parts) == 3 else ""
    if kind in ("RX", "TX"):
        hex_text = payload.strip()
        if truncated:
            hex_text = hex_text[: len(hex_text) // 2 * 2]
        return CaptureEvent(t, kind, bytes.fromhex(hex_text), "")
    return CaptureEvent(t, kind, b"", payload)


_GAP = re.compile(r"start=(\S+) end=(\S+)(?: duration_s=\S+)?(?: reason=(.*))?$")


def gap_from_event(event: CaptureEvent) -> Gap:
    """The :class:`Gap` a GAP event describes."""
    match = _GAP.match(event.text)
    if match is None:
        raise ValueError(f"not a GAP payload: {event.text!r}")
    return Gap(parse_iso_time(match[1]), parse_iso_time(match[2]), match[3] or "")


def state_from_event(event: CaptureEvent) -> tuple[StreamState, str] | None:
    """The (state, detail) a STATE event describes, if it names a stream state."""
    word, _, detail = event.text.partition(" ")
    try:
        return StreamState(word), detail
    except ValueError:
        return None


# -- replaying ------------------------------------------------------------------------------------


class Replayer:
    """Feeds a capture's events to listeners with the original timing divided by ``speed``.

    ``speed`` 0 replays as fast as possible (still yielding to the event loop every ~20 ms).
    Listeners get the original timestamps unless ``original_times`` is false (then: now).
    Attach a :class:`StreamPipeline` with ``add_listener`` like to a live stream.
    """

    def __init__(
        self,
        events: Sequence[CaptureEvent],
        speed: float = 1.0,
        listener: StreamListener | None = None,
        *,
        original_times: bool = True,
    ) -> None:
        if speed < 0:
            raise ValueError("the replay speed cannot be negative")
        self.events = list(events)
        self.speed = speed
        self.original_times = original_times
        self.position = 0  # events delivered so far
        self.finished = False
        self._listeners: list[StreamListener] = [] if listener is None else [listener]

    @property
    def total(self) -> int:
        return len(self.events)

    def add_listener(self, listener: StreamListener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: StreamListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    async def run(self) -> None:
        """Replay from the start (or where a cancelled run stopped). Cancel to stop."""
        loop = asyncio.get_running_loop()
        events = self.events
        if self.position >= len(events):
            self.finished = True
            return
        t0 = events[self.position].t
        wall0 = loop.time()
        last_yield = wall0
        speed = self.speed
        for i in range(self.position, len(events)):
            event = events[i]
            now = loop.time()
            if speed > 0:
                delay = wall0 + (event.t - t0) / speed - now
                if delay > 0:
                    await asyncio.sleep(delay)
                    last_yield = loop.time()
                elif now - last_yield > 0.02:
                    await asyncio.sleep(0)
                    last_yield = loop.time()
            elif now - last_yield > 0.02:
                await asyncio.sleep(0)
                last_yield = loop.time()
            self._dispatch(event)
            self.position = i + 1
        self.finished = True

    def _dispatch(self, event: CaptureEvent) -> None:
        t = event.t if self.original_times else time.time()
        kind = event.kind
        listeners = list(self._listeners)
        if kind == "RX":
            for listener in listeners:
                listener.on_bytes(event.data, t)
        elif kind == "TX":
            for listener in listeners:
                listener.on_sent(event.data, t)
        elif kind == "GAP":
            try:
                gap = gap_from_event(event)
            except ValueError:
                return
            for listener in listeners:
                listener.on_gap(gap)
        elif kind == "STATE":
            state = state_from_event(event)
            if state is not None:
                for listener in listeners:
                    listener.on_state(*state)
