"""Command line: the GUI by default, plus ``sim``, ``edge``, ``cloud``, ``commission`` and
``journal``.

Qt is imported only for the GUI, so ``commissioner edge ...``, ``commissioner cloud ...`` and
``commissioner sim`` start fast and run on machines without a display. Exit codes (see
:mod:`commissioner.cli.exit_codes`): 0 ok, 1 failure, 2 bad input, 3 unreachable, 4 rejected,
5 malformed answer, 6 queued (a cloud registration waits in the offline queue), 7 a THREAD of
``commission`` did not pass. Qt is loaded by ``commission`` only to paint its PDF reports.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence

from commissioner import __version__
from commissioner.cli import (
    cloud_command,
    commission_command,
    console,
    edge_ops,
    journal_command,
    sim_command,
)
from commissioner.cli.exit_codes import ExitCode, exit_code_for
from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.errors import EdgeError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="commissioner",
        description="THREAD Commissioner: configure, watch, verify and register iTwin IoT THREAD gateways.",
        epilog="Exit codes: 0 ok, 1 failure, 2 bad input, 3 THREAD unreachable, 4 request rejected, "
        "5 malformed answer, 6 queued (cloud registration waiting in the offline queue), "
        "7 commission: a THREAD did not pass.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="start the embedded simulators and the GUI"
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="headless self-test: start the simulator and the window, read the serial number, exit",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sim = sub.add_parser("sim", help="run simulated THREADs in the foreground and print their URLs")
    sim_command.configure(sim)

    edge = sub.add_parser("edge", help="perform one THREAD Edge API operation")
    edge.add_argument("--url", required=True, help="THREAD base URL, e.g. http://127.0.0.1:8080")
    edge.add_argument("--json", action="store_true", help="print the result as JSON for scripts")
    edge.add_argument("--timeout", type=float, default=5.0, help="seconds per request (default 5)")
    ops = edge.add_subparsers(dest="operation", metavar="OPERATION", required=True)
    for op in edge_ops.OPERATIONS.values():
        op.configure(ops.add_parser(op.name, help=op.help, description=op.help))
    console.configure(ops.add_parser("console", help="stream a port's bytes to this terminal"))

    cloud = sub.add_parser(
        "cloud",
        help="iTwin IoT: sign in, templates, register THREADs, offline queue, verify, upload",
        description="Register THREADs in iTwin IoT and check their data, from scripts or a terminal.",
    )
    cloud_command.configure(cloud)

    commission = sub.add_parser(
        "commission",
        help="commission THREADs from a profile and a site manifest, with reports",
        description="Commission many THREADs concurrently from a profile and a site manifest: "
        "snapshot, apply, verify, register, confirm, and one report per THREAD.",
    )
    commission_command.configure(commission)

    journal = sub.add_parser(
        "journal",
        help="the commissioning journal: list and show runs, export the audit, support bundle",
        description="Every commissioning run and action: list, show, export (CSV/JSON), write a "
        "support bundle (secrets redacted), and check a THREAD's configuration hash.",
    )
    journal_command.configure(journal)
    return parser


async def _run_edge(args: argparse.Namespace) -> int:
    if args.operation == "console":
        return await console.run_console(args.url, args)
    op = edge_ops.OPERATIONS[args.operation]
    async with EdgeClient(args.url, timeout_s=args.timeout) as client:
        try:
            text, data = await op.run(client, args)
        except EdgeError as exc:
            if args.json:
                print(json.dumps({"error": str(exc), "kind": type(exc).__name__}))
            print(f"error: {exc}", file=sys.stderr)
            return int(exit_code_for(exc))
    print(json.dumps(data, indent=2, default=str) if args.json else text)
    return int(ExitCode.OK)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "sim":
            return asyncio.run(sim_command.run(args))
        if args.command == "edge":
            return asyncio.run(_run_edge(args))
        if args.command == "cloud":
            return asyncio.run(cloud_command.run(args))
        if args.command == "commission":
            return commission_command.run(args)
        if args.command == "journal":
            return asyncio.run(journal_command.run(args))
        from commissioner.app import run_gui

        return run_gui(demo=args.demo or args.smoke, smoke=args.smoke)
    except KeyboardInterrupt:
        return 130
