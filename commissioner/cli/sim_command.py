"""``commissioner sim``: simulated THREADs in the foreground, for demos, scripts and tests."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=int, default=8080, help="first THREAD's port (0 = any free port)"
    )
    parser.add_argument("--count", type=int, default=1, help="how many THREADs (consecutive ports)")
    parser.add_argument(
        "--scenario", default="default", help="scenario name in resources/scenarios or a path"
    )
    faults = parser.add_argument_group("fault knobs")
    faults.add_argument("--latency-ms", type=float, default=0.0, help="added to every REST answer")
    faults.add_argument(
        "--error-rate", type=float, default=0.0, help="fraction of REST answers that are HTTP 500"
    )
    faults.add_argument(
        "--malformed-rate", type=float, default=0.0, help="fraction of answers with broken JSON"
    )
    faults.add_argument(
        "--drop-ws-every", type=float, default=0.0, help="drop port WebSockets every N s"
    )
    faults.add_argument(
        "--seed", type=int, default=None, help="seed for repeatable faults and noise"
    )


async def run(args: argparse.Namespace) -> int:
    from commissioner.sim.faults import Faults
    from commissioner.sim.host import SimHost
    from commissioner.sim.scenario import load_scenario

    faults = Faults(
        latency_ms=args.latency_ms,
        error_rate=args.error_rate,
        malformed_rate=args.malformed_rate,
        drop_ws_every_s=args.drop_ws_every,
        seed=args.seed,
    )
    host = SimHost(
        count=args.count,
        scenario=load_scenario(args.scenario),
        host=args.host,
        base_port=args.port,
        faults=faults,
    )
    await host.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        for server in host.servers:
            print(
                f"THREAD {server.serial_number} at {server.url}  (ports: {server.url.replace('http', 'ws')}/ws/port/1..3)"
            )
        print(
            "Control: GET <url>/_sim/state, PUT <url>/_sim/faults, POST <url>/_sim/reboot. Ctrl-C stops.",
            flush=True,
        )
        await stop.wait()
    finally:
        await host.aclose()
    return 0
