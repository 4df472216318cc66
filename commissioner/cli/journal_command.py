"""``commissioner journal``: the commissioning journal for support staff and scripts.

    commissioner journal list [--serial S] [--limit N] [--json]
    commissioner journal show RUN [--json]
    commissioner journal export FILE [--run RUN ...]          (.csv: one row per event; else JSON)
    commissioner journal bundle FILE.zip [--run RUN ...] [--url THREAD] [--capture FILE ...]
    commissioner journal hash URL [--run RUN]

``hash`` reads a THREAD now and prints its configuration hash; with ``--run`` it compares it with
the hash on that run's report (exit 1 when they differ: a setting changed since commissioning).

``bundle`` is the support bundle: a diagnostics snapshot of the THREAD (with ``--url``), the app
log, the runs' journal, console captures and the app settings, with every secret redacted.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from commissioner.cli.exit_codes import ExitCode, exit_code_for
from commissioner.core.commissioning.audit_export import (
    export_runs_csv,
    export_runs_json,
    run_document,
    run_rows,
)
from commissioner.core.commissioning.bundle import (
    BundleSources,
    default_app_log_path,
    read_diagnostics,
    write_support_bundle,
)
from commissioner.core.commissioning.config_hash import config_hash
from commissioner.core.commissioning.journal import CommissioningJournal
from commissioner.core.commissioning.snapshot import read_snapshot
from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.errors import EdgeError
from commissioner.core.settings import SettingsStore


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--journal", type=Path, help="journal file (default: the app's)")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    ops = parser.add_subparsers(dest="journal_op", metavar="OPERATION", required=True)
    listing = ops.add_parser("list", help="runs, newest first")
    listing.add_argument("--serial", help="only THREADs whose serial number contains this")
    listing.add_argument("--limit", type=int, default=50, help="at most this many runs (50)")
    show = ops.add_parser("show", help="one run with every event")
    show.add_argument("run", type=int)
    export = ops.add_parser("export", help="write runs and their events to CSV or JSON")
    export.add_argument("file", type=Path, help="*.csv: one row per event; anything else: JSON")
    export.add_argument("--run", type=int, action="append", help="only this run (repeatable)")
    bundle = ops.add_parser("bundle", help="write a support bundle (zip, secrets redacted)")
    bundle.add_argument("file", type=Path)
    bundle.add_argument("--run", type=int, action="append", help="a relevant run (repeatable)")
    bundle.add_argument("--url", help="THREAD base URL: include its diagnostics snapshot")
    bundle.add_argument("--capture", type=Path, action="append", help="a console capture file")
    hashing = ops.add_parser("hash", help="the configuration hash of a THREAD now")
    hashing.add_argument("url", help="THREAD base URL")
    hashing.add_argument("--run", type=int, help="compare with this run's report")


async def run(args: argparse.Namespace) -> int:
    journal = CommissioningJournal(args.journal)
    try:
        if args.journal_op == "list":
            return _list(journal, args)
        if args.journal_op == "show":
            return _show(journal, args)
        if args.journal_op == "export":
            return _export(journal, args)
        if args.journal_op == "hash":
            return await _hash(journal, args)
        return await _bundle(journal, args)
    finally:
        journal.close()


def _list(journal: CommissioningJournal, args: argparse.Namespace) -> int:
    rows = run_rows(journal, serial=args.serial, limit=args.limit)
    if args.json:
        print(json.dumps(rows, indent=2, default=str))
        return int(ExitCode.OK)
    if not rows:
        print(f"No commissioning runs in {journal.path}.")
        return int(ExitCode.OK)
    print(f"{'RUN':>5}  {'STARTED':<20} {'SERIAL':<10} {'TECHNICIAN':<16} {'STATUS':<12} PROFILE")
    for row in rows:
        print(
            f"{row['run_id']:>5}  {str(row['started'])[:19]:<20} {row['serial']:<10} "
            f"{str(row['technician'])[:16]:<16} {row['status']:<12} {row['profile']}"
        )
    return int(ExitCode.OK)


def _show(journal: CommissioningJournal, args: argparse.Namespace) -> int:
    try:
        document = run_document(journal, args.run)
    except KeyError as exc:
        print(f"error: {exc.args[0]}")
        return int(ExitCode.BAD_INPUT)
    if args.json:
        print(json.dumps(document, indent=2, default=str))
        return int(ExitCode.OK)
    print(
        f"Run {args.run}: THREAD {document['serial']}, {document['status']}, "
        f"stage {document['stage']}, profile {document['profile_name']!r}"
    )
    for event in document["events"]:
        when = datetime.fromtimestamp(event["at"]).strftime("%H:%M:%S")
        result = f" [{event['result']}]" if event["result"] else ""
        print(f"  {when} {event['stage']:<8} {event['kind']:<8} {event['description']}{result}")
        if event["detail"]:
            print(f"           {event['detail']}")
    return int(ExitCode.OK)


def _export(journal: CommissioningJournal, args: argparse.Namespace) -> int:
    if args.file.suffix.lower() == ".csv":
        count = export_runs_csv(journal, args.file, args.run)
        print(f"Wrote {count} events to {args.file}")
    else:
        count = export_runs_json(journal, args.file, args.run)
        print(f"Wrote {count} runs to {args.file}")
    return int(ExitCode.OK)


async def _bundle(journal: CommissioningJournal, args: argparse.Namespace) -> int:
    diagnostics: dict[str, Any] | None = None
    if args.url:
        try:
            async with EdgeClient(args.url, timeout_s=5.0) as client:
                diagnostics = await read_diagnostics(client)
        except EdgeError as exc:
            diagnostics = {"error": str(exc)}
    run_ids = args.run or [r.run_id for r in journal.runs(limit=10)]
    sources = BundleSources(
        journal=journal,
        run_ids=run_ids,
        diagnostics=diagnostics,
        app_log=default_app_log_path(),
        activity_log=None,
        captures=tuple(args.capture or ()),
        settings=_settings(),
    )
    result = write_support_bundle(sources, args.file)
    if args.json:
        print(
            json.dumps(
                {
                    "path": str(result.path),
                    "files": result.files,
                    "redactions": result.redactions,
                    "skipped": result.skipped,
                }
            )
        )
    else:
        print(
            f"Wrote the support bundle {result.path}: {len(result.files)} files, "
            f"{result.redactions} secrets redacted."
        )
        for skipped in result.skipped:
            print(f"  not included: {skipped}")
    return int(ExitCode.OK)


async def _hash(journal: CommissioningJournal, args: argparse.Namespace) -> int:
    async with EdgeClient(args.url, timeout_s=5.0) as client:
        try:
            serial = await client.serial_number()
            now = config_hash(await read_snapshot(client, journal.last_applied(serial)))
        except EdgeError as exc:
            print(f"error: {exc}")
            return int(exit_code_for(exc))
    if args.run is None:
        print(f"THREAD {serial}: {now}")
        return int(ExitCode.OK)
    record = journal.run(args.run).record
    then = record.config_hash if record else ""
    same = now == then
    verdict = "unchanged since commissioning" if same else "CHANGED since commissioning"
    print(f"THREAD {serial}: {now}; run {args.run} left {then or 'no hash'}: {verdict}")
    return int(ExitCode.OK if same else ExitCode.FAILURE)


def _settings() -> dict[str, Any]:
    return SettingsStore().load().as_json()
