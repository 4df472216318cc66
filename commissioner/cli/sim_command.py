"""``commissioner sim``: simulated THREADs in the foreground, for demos, scripts and tests.

``--cloud-port N`` also runs the cloud simulator (iTwin IoT IMS, REST and JSON-RPC socket) on
loopback port N (0 = any free port) and prints its URL for ``commissioner cloud --sim-url URL``.
It is not started unless asked for. ``--count 0 --cloud-port 0`` runs the cloud simulator alone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from commissioner.sim.cloud.server import CloudSim
    from commissioner.sim.host import SimHost


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=int, default=8080, help="first THREAD's port (0 = any free port)"
    )
    parser.add_argument(
        "--count", type=int, default=1, help="how many THREADs (consecutive ports; 0 = none)"
    )
    parser.add_argument(
        "--cloud-port",
        type=int,
        default=None,
        metavar="N",
        help="also run the cloud simulator on this port (0 = any free port; default: not started)",
    )
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
    if args.count < 1 and args.cloud_port is None:
        print(
            "error: --count 0 runs nothing; add --cloud-port N for the cloud simulator",
            file=sys.stderr,
        )
        return 2
    host = None
    if args.count > 0:
        host = SimHost(
            count=args.count,
            scenario=load_scenario(args.scenario),
            host=args.host,
            base_port=args.port,
            faults=faults,
        )
    cloud = None
    if args.cloud_port is not None:
        from commissioner.sim.cloud.server import CloudSim

        cloud = CloudSim(args.host, args.cloud_port, seed=args.seed)
    try:
        if host is not None:
            await host.start()
        if cloud is not None:
            await cloud.start()
        return await _serve(host, cloud)
    finally:
        if cloud is not None:
            await cloud.aclose()
        if host is not None:
            await host.aclose()


async def _serve(host: SimHost | None, cloud: CloudSim | None) -> int:
    """Print where everything listens, then wait for Ctrl-C / SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    for server in host.servers if host is not None else []:
        print(
            f"THREAD {server.serial_number} at {server.url}  (ports: {server.url.replace('http', 'ws')}/ws/port/1..3)"
        )
    if cloud is not None:
        print(
            f"Cloud simulator at {cloud.url}  (use: commissioner cloud --sim-url {cloud.url} ...; "
            f"control: GET {cloud.url}/_sim/cloud/state, PUT {cloud.url}/_sim/cloud/faults)"
        )
    print(
        "Control: GET <url>/_sim/state, PUT <url>/_sim/faults, POST <url>/_sim/reboot. Ctrl-C stops.",
        flush=True,
    )
    await stop.wait()
    return 0
