"""``commissioner commission``: commission a fleet of THREADs from a profile and a site manifest.

    commissioner commission --profile FILE --targets FILE [--parallel N]
        [--site-field KEY=VALUE ...] [--report-dir DIR] [--accept-scan] [--rollback-on-failure]
        [--queue] [--no-cloud] [--cloud-profile NAME | --sim-cloud-url URL] [--json]
    commissioner commission --resume RUN_ID [--profile FILE] [...]
    commissioner commission --rollback RUN_ID [--json]

Every unit of the manifest (format: :mod:`commissioner.cli.commission_manifest`) goes through
the same engine as the GUI wizard (:func:`commissioner.core.commissioning.headless.commission`):
connect, snapshot, plan, apply, verify, register, confirm, report, at most ``--parallel`` at a
time. Progress goes to stderr (a live table on a terminal, one line per stage change in logs);
the summary table, or with ``--json`` one JSON object, goes to stdout; one PDF and HTML report
per unit goes to ``--report-dir``. The journal is the app's, so the GUI's audit view lists
these runs, and ``--resume``/``--rollback`` work on runs of either.

Cloud: when the profile has ``[cloud]``, each THREAD is registered through the app's cloud
profile (``--cloud-profile`` or the profile's ``[cloud] profile``, else the app's current one)
signed in as ``commissioner cloud`` does; ``--sim-cloud-url`` uses the cloud simulator. When the
cloud cannot be reached, registrations are queued (``--queue`` queues them by choice) and sent
later by the app or ``commissioner cloud queue flush``, exactly once.

Exit codes: 0 every unit passed (and has its report); 7 at least one failed, was rolled back or
was interrupted; 2 bad input (profile, manifest, options); 3/4/5 for a THREAD or cloud that is
unreachable, rejects or answers garbage in ``--resume``/``--rollback`` and cloud sign-in;
130 Ctrl-C (the summary still says which units finished).
"""

from __future__ import annotations

import argparse

EXIT_CODES = (
    "Exit codes: 0 every THREAD passed, 7 at least one failed, was rolled back or interrupted, "
    "2 bad input (profile, manifest, options), 3 unreachable, 4 rejected, 5 malformed answer "
    "(--resume, --rollback, cloud sign-in), 130 interrupted by Ctrl-C."
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EXIT_CODES
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--targets", metavar="FILE", help="site manifest (TOML) listing the THREADs")
    what.add_argument("--resume", type=int, metavar="RUN_ID", help="continue an unfinished run")
    what.add_argument(
        "--rollback", type=int, metavar="RUN_ID", help="put a run's THREAD back to its snapshot"
    )
    parser.add_argument("--profile", metavar="FILE", help="commissioning profile (TOML)")
    parser.add_argument(
        "--parallel", type=int, default=4, metavar="N", help="THREADs at a time (default 4)"
    )
    parser.add_argument(
        "--site-field", action="append", default=[], metavar="KEY=VALUE",
        help="site, location, technician or notes for every unit (a unit's own value wins)",
    )  # fmt: skip
    parser.add_argument(
        "--report-dir",
        metavar="DIR",
        help="where reports go (default: <data dir>/commissioning/reports)",
    )
    parser.add_argument("--no-report", action="store_true", help="write no PDF/HTML reports")
    parser.add_argument(
        "--accept-scan", action="store_true",
        help="when a silent port's scan finds the baud rate/framing its sensor speaks, apply it",
    )  # fmt: skip
    parser.add_argument(
        "--rollback-on-failure", action="store_true",
        help="roll a THREAD back to its snapshot when its verification fails",
    )  # fmt: skip
    cloud = parser.add_argument_group("cloud registration")
    cloud.add_argument("--no-cloud", action="store_true", help="register nothing")
    cloud.add_argument("--queue", action="store_true", help="queue registrations, send later")
    where = cloud.add_mutually_exclusive_group()
    where.add_argument("--cloud-profile", metavar="NAME", help="saved cloud profile to use")
    where.add_argument(
        "--sim-cloud-url",
        metavar="URL",
        help="the cloud simulator ('commissioner sim --cloud-port 0')",
    )
    timing = parser.add_argument_group("timing")
    timing.add_argument(
        "--data-timeout", type=float, default=20.0, metavar="S",
        help="longest wait for each sensor's data (default 20)",
    )  # fmt: skip
    timing.add_argument(
        "--confirm-timeout", type=float, default=10.0, metavar="S",
        help="longest wait for the cloud to show the THREAD and its data (default 10)",
    )  # fmt: skip
    timing.add_argument(
        "--scan-listen", type=float, default=1.5, metavar="S",
        help="listening time per baud rate/framing when scanning a silent port (default 1.5)",
    )  # fmt: skip
    timing.add_argument("--no-scan", action="store_true", help="do not scan silent serial ports")
    timing.add_argument(
        "--timeout", type=float, default=5.0, metavar="S", help="seconds per THREAD request"
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")


def run(args: argparse.Namespace) -> int:
    """Dispatch; the engine, the cloud client and Qt are imported only now (fast CLI start)."""
    if args.resume is not None or args.rollback is not None:
        from commissioner.cli.commission_single import run_single

        return run_single(args)
    from commissioner.cli.commission_run import run_fleet_command

    return run_fleet_command(args)
