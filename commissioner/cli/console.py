"""``commissioner edge --url URL console --port N``: a port's bytes on the terminal.

Received bytes go to stdout as they come (or as a hex dump with ``--hex``); lines typed on stdin
are sent to the device with the chosen line ending. Link drops, reconnects and gaps are reported
on stderr so that stdout stays exactly what the device sent.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
import time
from typing import TextIO

from commissioner.core.edge.port_stream import EdgePortStream
from commissioner.core.streams.base import Gap, StreamListener, StreamState

LINE_ENDINGS = {"none": b"", "cr": b"\r", "lf": b"\n", "crlf": b"\r\n"}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, required=True, help="device port, 1-3")
    parser.add_argument("--hex", action="store_true", help="show received bytes as a hex dump")
    parser.add_argument("--send", action="append", default=[], help="send this text once connected")
    parser.add_argument(
        "--eol", choices=sorted(LINE_ENDINGS), default="crlf", help="line ending for sent text"
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=0.0,
        help="stop after this many seconds (0 = until Ctrl-C)",
    )
    parser.add_argument(
        "--no-stdin", action="store_true", help="do not read lines to send from stdin"
    )


class _TerminalListener(StreamListener):
    def __init__(self, hex_dump: bool, err: TextIO) -> None:
        self.hex_dump = hex_dump
        self.err = err
        self.offset = 0

    def on_bytes(self, data: bytes, timestamp: float) -> None:
        if self.hex_dump:
            for i in range(0, len(data), 16):
                chunk = data[i : i + 16]
                printable = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
                sys.stdout.write(f"{self.offset + i:08x}  {chunk.hex(' '):<47}  {printable}\n")
            self.offset += len(data)
        else:
            sys.stdout.buffer.write(data)
        sys.stdout.flush()

    def on_gap(self, gap: Gap) -> None:
        stamp = time.strftime("%H:%M:%S", time.localtime(gap.start))
        self.err.write(f"[gap] from {stamp} for {gap.duration_s:.2f} s: {gap.reason}\n")

    def on_state(self, state: StreamState, detail: str) -> None:
        self.err.write(f"[{state.value}] {detail}\n")
        self.err.flush()


def _start_stdin_reader(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]) -> None:
    """stdin is read in a daemon thread: portable (Windows has no async pipes for consoles)."""

    def pump() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(queue.put_nowait, line.rstrip("\r\n"))
        loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=pump, name="stdin reader", daemon=True).start()


async def run_console(base_url: str, args: argparse.Namespace) -> int:
    stream = EdgePortStream(base_url, args.port)
    stream.add_listener(_TerminalListener(args.hex, sys.stderr))
    eol = LINE_ENDINGS[args.eol]
    stream.start()
    deadline = time.monotonic() + args.duration if args.duration > 0 else None
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    for text in args.send:
        queue.put_nowait(text)
    if not args.no_stdin:
        _start_stdin_reader(asyncio.get_running_loop(), queue)
    try:
        while deadline is None or time.monotonic() < deadline:
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                line = await asyncio.wait_for(queue.get(), timeout)
            except TimeoutError:
                break
            if line is None:
                if deadline is None:
                    await asyncio.Event().wait()  # stdin closed: keep listening until Ctrl-C
                continue
            if not await stream.wait_connected(10.0):
                sys.stderr.write(f"[error] not connected; could not send {line!r}\n")
                continue
            await stream.send(line.encode("utf-8") + eol)
    finally:
        await stream.aclose()
        counters = stream.counters
        sys.stderr.write(
            f"[done] {counters.bytes_in} bytes in, {counters.bytes_out} out, "
            f"{counters.reconnects} reconnects, {counters.gaps} gaps\n"
        )
    return 0
