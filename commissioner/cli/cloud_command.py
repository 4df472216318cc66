"""``commissioner cloud [options] OPERATION``: sign in, templates, register, queue, verify, watch.

The command line drives the same :class:`CloudWorkspace` as the app, so the journal, the offline
queue and the template cache are shared with it (per cloud profile, in the user data folder).
Every operation prints readable text, or with ``--json`` one stable JSON object (``watch``: one
JSON line per observation). Errors print ``error: <message>`` on stderr and exit with the codes
in :mod:`commissioner.cli.exit_codes` (6: the registration waits in the offline queue).
Secrets are never taken from the command line; see :mod:`commissioner.cli.cloud_session`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable

from commissioner.cli import cloud_live, cloud_ops, cloud_queue
from commissioner.cli.cloud_format import Result
from commissioner.cli.cloud_session import METHODS, select_profile
from commissioner.cli.exit_codes import ExitCode, exit_code_for
from commissioner.core.cloud.errors import CloudError
from commissioner.core.cloud.journal import JournalError
from commissioner.core.cloud.registration import SpecFileError
from commissioner.core.cloud.workspace import CloudWorkspace
from commissioner.core.settings import data_dir

Operation = Callable[[CloudWorkspace, argparse.Namespace], Awaitable[Result]]
OPERATIONS: dict[str, Operation] = {
    "signin": cloud_live.signin,
    "signout": cloud_live.signout,
    "templates": cloud_ops.templates,
    "preview": cloud_ops.preview,
    "register": cloud_ops.register,
    "queue": cloud_queue.queue,
    "verify": cloud_ops.verify,
    "status": cloud_live.status,
    "watch": cloud_live.watch,
    "upload": cloud_live.upload,
    "nodes": cloud_ops.nodes,
}
EXIT_CODES = (
    "Exit codes: 0 ok, 1 failure (verification differs, connection offline), 2 bad input "
    "(profile, file, local validation), 3 cloud unreachable, 4 request rejected (sign-in, role), "
    "5 malformed answer, 6 queued (the registration waits in the offline queue)."
)


def _json_flag(parser: argparse.ArgumentParser) -> None:
    """``--json`` also after the operation name; SUPPRESS keeps the one given before it."""
    parser.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print JSON for scripts"
    )


def _op(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help: str
) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help, description=help)
    _json_flag(parser)
    return parser


def configure(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EXIT_CODES
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--profile",
        metavar="NAME",
        help='saved cloud profile (default: the app\'s; built in: "iTwin IoT")',
    )
    where.add_argument(
        "--sim-url",
        metavar="URL",
        help="the cloud simulator printed by 'commissioner sim --cloud-port 0'",
    )
    parser.add_argument("--project", metavar="ID", help="asset (iTwin / project) id to use")
    parser.add_argument(
        "--method", choices=sorted(METHODS), help="sign-in method (default: the profile's)"
    )
    parser.add_argument(
        "--secret-stdin",
        action="store_true",
        help="read the service client secret or API key from stdin (never on the command line)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON for scripts")
    parser.add_argument(
        "--timeout", type=float, default=15.0, help="seconds per request (default 15)"
    )
    sub = parser.add_subparsers(dest="cloud_op", metavar="OPERATION", required=True)

    _op(sub, "signin", "sign in with the profile's method and show the account")
    _op(sub, "signout", "sign out and forget stored tokens and secrets of the profile")
    p = _op(sub, "templates", "list device/sensor templates and metrics (cached for offline use)")
    p.add_argument("--kind", choices=cloud_ops.KINDS, help="only this list")
    fresh = p.add_mutually_exclusive_group()
    fresh.add_argument("--refresh", action="store_true", help="fetch them from the cloud now")
    fresh.add_argument("--offline", action="store_true", help="only the cache; no network")
    p = _op(sub, "preview", "print the exact integrate request for FILE and its problems")
    p.add_argument("file", metavar="FILE", help="registration file or saved draft (JSON)")
    p = _op(sub, "register", "register FILE (journaled; queued when the cloud is unreachable)")
    p.add_argument("file", metavar="FILE", help="registration file or saved draft (JSON)")
    p.add_argument(
        "--queue", action="store_true", help="only queue it; send later with 'queue flush'"
    )
    p = _op(sub, "queue", "the offline registration queue: list, retry, discard, flush")
    actions = p.add_subparsers(dest="queue_action", metavar="ACTION")
    lst = actions.add_parser("list", help="queued and failed registrations (default)")
    lst.add_argument("--all", action="store_true", help="also sent and discarded ones")
    _json_flag(lst)
    for name, help in (("retry", "send one registration now"), ("discard", "drop one")):
        q = actions.add_parser(name, help=help)
        q.add_argument("id", type=int, metavar="ID", help="registration id from 'queue list'")
        _json_flag(q)
    _json_flag(actions.add_parser("flush", help="send every queued registration now"))
    p = _op(sub, "verify", "compare a sent registration with what the cloud holds")
    p.add_argument("id", type=int, metavar="ID", help="registration id")
    p = _op(sub, "status", "is a connection online? (ACCESSIBLE / LAST_COMM)")
    p.add_argument("node_id", metavar="NODE_ID", help="connection id, e.g. /api/ABC123/node")
    p = _op(sub, "watch", "print a sensor's observations as they arrive")
    p.add_argument("sensor_id", metavar="SENSOR_ID")
    p.add_argument("--metric", required=True, help="metric id, e.g. T")
    p.add_argument("--unit", help="unit id (default: the metric's default unit)")
    p.add_argument(
        "--count",
        type=int,
        default=0,
        help="stop after N observations (exit 1 if fewer by --timeout)",
    )
    p.add_argument(
        "--timeout",
        dest="watch_timeout",
        type=float,
        default=0.0,
        help="stop after S seconds (0 = Ctrl-C)",
    )
    p = _op(sub, "upload", "upload a readings CSV (the Plots export) as a sensor's observations")
    p.add_argument("sensor_id", metavar="SENSOR_ID")
    p.add_argument("file", metavar="FILE.csv")
    p.add_argument(
        "--map", action="append", default=[], metavar="CHANNEL=METRIC",
        help="channel column to metric id (repeatable; default: the column names)",
    )  # fmt: skip
    p.add_argument("--batch", type=int, default=500, help="observations per request (1-500)")
    _op(sub, "nodes", "list the connections (nodes) of the asset")


def _wait_notice(seconds_left: float, reason: str) -> None:
    print(f"[wait] {reason}: {seconds_left:.0f} s", file=sys.stderr, flush=True)


async def run(args: argparse.Namespace) -> int:
    """One operation; never a traceback for a cloud, file or input problem."""
    try:
        workspace = CloudWorkspace(select_profile(args), data_dir(), timeout_s=args.timeout)
        workspace.add_wait_listener(_wait_notice)
        try:  # not started: the CLI flushes the queue only when asked ('queue flush')
            text, data, code = await OPERATIONS[args.cloud_op](workspace, args)
        finally:
            await workspace.aclose()
    except (CloudError, SpecFileError, JournalError) as exc:
        code = exit_code_for(exc) if isinstance(exc, CloudError) else ExitCode.BAD_INPUT
        if args.json:
            print(json.dumps({"error": str(exc), "kind": type(exc).__name__}))
        print(f"error: {exc}", file=sys.stderr)
        return int(code)
    if args.json:
        if data is not None:
            print(json.dumps(data, indent=2, default=str))
    elif text:
        print(text)
    return int(code)
