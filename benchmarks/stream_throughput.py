"""Live console throughput from a THREAD port WebSocket, over loopback.

A flood server in its own process serves ``/ws/port/1`` on 127.0.0.1 and, once told to go, sends
64-byte CSV lines (a sequence number and 7 readings) in 64 KiB messages, paced to ``--rate-mb``
MB/s for ``--duration`` seconds. This process reads them the way the app does: a qasync loop over
a QApplication (offscreen), an EdgePortStream feeding a StreamPipeline (LineFramer, an 8-column
CsvParser, capture to a temporary folder) and a 30 Hz console timer draining the display into a
QPlainTextEdit. It prints throughput, loss (bytes, sequence gaps, capture size and content),
parse errors, display drops, event-loop lag percentiles, memory and CPU, then PASS/FAIL against
the targets: 10 MB/s with zero loss, loop lag p99 under 50 ms, flat memory.

    .venv/bin/python benchmarks/stream_throughput.py [--duration 20] [--rate-mb 10] [--no-ui]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
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


async def serve(rate_mb: float, duration_s: float, text_frames: bool) -> None:
    """Child process: the flood server. Reports 'ready' (with the port), then 'done' (totals)."""
    from aiohttp import web

    loop = asyncio.get_running_loop()
    go, stop = asyncio.Event(), asyncio.Event()

    def on_command(command: str) -> None:
        event = {"go": go, "stop": stop}.get(command)
        if event is not None:
            loop.call_soon_threadsafe(event.set)

    async def port_stream(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0, compress=False)
        await ws.prepare(request)
        await go.wait()
        pacer = Pacer(rate_mb * 1_000_000, duration_s)
        while (step := pacer.next_block()) is not None:
            block, wait = step
            if wait:
                await asyncio.sleep(wait)
            if text_frames:
                await ws.send_str(block.decode("ascii"))
            else:
                await ws.send_bytes(block)
        emit(pacer.report())
        async for _ in ws:  # keep the link open until the reader closes it
            pass
        return ws

    app = web.Application()
    app.router.add_get("/ws/port/{n}", port_stream)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert server is not None
    port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    read_commands(on_command)
    emit({"event": "ready", "port": port})
    await stop.wait()
    await runner.cleanup()


def make_stream(ready: dict[str, Any]) -> Any:
    from commissioner.core.edge.port_stream import EdgePortStream

    return EdgePortStream(f"http://127.0.0.1:{ready['port']}", 1)


def console_source(ready: dict[str, Any]) -> Any:
    from commissioner.ui.pages.console.sources import ConsoleSource

    return ConsoleSource.thread(1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser, default_rate_mb=10.0)
    parser.add_argument("--text-frames", action="store_true", help="send text, not binary, frames")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(serve(args.rate_mb, args.duration, args.text_frames))
        return 0
    child = [str(Path(__file__).resolve()), "--serve"]
    child += ["--rate-mb", str(args.rate_mb), "--duration", str(args.duration)]
    if args.text_frames:
        child.append("--text-frames")
    rate = f"{args.rate_mb:g} MB/s" if args.rate_mb > 0 else "as fast as possible"
    settings = (
        f"WebSocket ws://127.0.0.1/ws/port/1, {LINE_BYTES}-byte lines in {BLOCK_BYTES // 1024} KiB"
        f" {'text' if args.text_frames else 'binary'} messages, {rate} for {args.duration:g} s"
    )
    return run_benchmark(
        "live console: WebSocket stream", args, child, make_stream, console_source, settings
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
