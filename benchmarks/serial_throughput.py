"""Live console throughput from a local serial port: a pseudo-terminal standing in for USB-serial.

A writer in its own process opens a pseudo-terminal pair (raw mode) and, once told to go, writes
64-byte CSV lines (a sequence number and 7 readings) into the master side in 64 KiB writes, paced
to ``--rate-mb`` MB/s for ``--duration`` seconds. This process opens the slave path through
SerialStream, as the app does for a USB-serial adapter, and measures exactly what
stream_throughput.py measures (same pipeline, console stand-in, loss checks, lag, memory, CPU).
A pseudo-terminal may not reach 10 MB/s: ``--rate-mb 0`` writes as fast as the reader takes it,
and the figures say what it reached.

    .venv/bin/python benchmarks/serial_throughput.py [--duration 20] [--rate-mb 10] [--no-ui]
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import tty
from pathlib import Path
from typing import Any

from _common import (
    BLOCK_BYTES,
    LINE_BYTES,
    Pacer,
    add_common_arguments,
    emit,
    read_commands,
    run_benchmark,
)

BAUD = 921_600  # a pseudo-terminal ignores it; a standard rate every platform accepts


def write_pty(rate_mb: float, duration_s: float) -> None:
    """Child process: the pty writer. Reports 'ready' (with the slave path), then 'done'."""
    master, slave = os.openpty()
    tty.setraw(slave)
    go, stop = threading.Event(), threading.Event()

    def on_command(command: str) -> None:
        if command == "stop":
            stop.set()
        if command in ("go", "stop"):
            go.set()

    read_commands(on_command)
    emit({"event": "ready", "path": os.ttyname(slave)})
    go.wait()
    if not stop.is_set():
        pacer = Pacer(rate_mb * 1_000_000, duration_s)
        while not stop.is_set() and (step := pacer.next_block()) is not None:
            block, wait = step
            if wait:
                time.sleep(wait)
            view = memoryview(block)
            while view:
                view = view[os.write(master, view) :]
        emit(pacer.report())
    stop.wait()
    os.close(slave)
    os.close(master)


def make_stream(ready: dict[str, Any]) -> Any:
    from commissioner.core.serial.settings import SerialSettings
    from commissioner.core.serial.stream import SerialStream

    return SerialStream(SerialSettings(port=ready["path"], baud=BAUD))


def console_source(ready: dict[str, Any]) -> Any:
    from commissioner.core.serial.settings import SerialSettings
    from commissioner.ui.pages.console.sources import ConsoleSource

    return ConsoleSource.local(SerialSettings(port=ready["path"], baud=BAUD))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser, default_rate_mb=10.0)
    parser.add_argument("--write-pty", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.write_pty:
        write_pty(args.rate_mb, args.duration)
        return 0
    child = [str(Path(__file__).resolve()), "--write-pty"]
    child += ["--rate-mb", str(args.rate_mb), "--duration", str(args.duration)]
    rate = f"{args.rate_mb:g} MB/s" if args.rate_mb > 0 else "as fast as possible"
    settings = (
        f"pseudo-terminal (raw) read through SerialStream at {BAUD} baud, {LINE_BYTES}-byte lines"
        f" in {BLOCK_BYTES // 1024} KiB writes, {rate} for {args.duration:g} s"
    )
    return run_benchmark(
        "live console: serial (pseudo-terminal)", args, child, make_stream, console_source, settings
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
