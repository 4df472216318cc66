"""The work behind ``commissioner commission --targets``: inputs checked, then the fleet run.

Kept apart from :mod:`commissioner.cli.commission_command` (the options) so that building the
CLI's parser does not import the engine, the cloud client or Qt: ``commissioner edge ...`` must
start fast. The PDF painter's QGuiApplication is made here on the main thread, before the event
loop starts, because Qt paints only on the thread that owns the application.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

from commissioner.cli.commission_cloud import CloudChoice, open_cloud
from commissioner.cli.commission_fleet import FleetContext, ReportWriter, run_fleet
from commissioner.cli.commission_manifest import (
    ManifestError,
    Unit,
    load_manifest,
    parse_site_fields,
)
from commissioner.cli.commission_progress import FleetProgress
from commissioner.cli.commission_summary import exit_code, summary_json, summary_text
from commissioner.cli.exit_codes import ExitCode, exit_code_for
from commissioner.core.cloud.errors import CloudConfigError, CloudError
from commissioner.core.commissioning import ProfileError, load_profile
from commissioner.core.commissioning.headless import HeadlessPolicy
from commissioner.core.commissioning.journal import CommissioningJournal
from commissioner.core.commissioning.profile_model import CommissioningProfile
from commissioner.core.commissioning.run_model import RunRecord
from commissioner.core.commissioning.session import RunOptions
from commissioner.core.commissioning.verify_data import DataWaitOptions
from commissioner.core.sensor_catalogue import load_catalogue
from commissioner.core.settings import data_dir

CLOUD_CONFIG_HINT = (
    "No THREAD was touched. Choose the cloud with --cloud-profile NAME or --sim-cloud-url URL, "
    "or run again with --no-cloud."
)
CLOUD_HINT = (
    "No THREAD was touched. Sign in first ('commissioner cloud signin'), or run again with "
    "--queue (register later) or --no-cloud."
)


def default_report_dir() -> Path:
    return data_dir() / "commissioning" / "reports"


def run_fleet_command(args: argparse.Namespace) -> int:
    """Check the inputs, prepare the report painter on this (main) thread, then run the loop."""
    try:
        if args.profile is None:
            raise ValueError("--targets needs --profile FILE (the desired state of each THREAD)")
        if args.parallel < 1:
            raise ValueError("--parallel must be at least 1")
        fields = parse_site_fields(args.site_field)
        profile = load_profile(args.profile)
        manifest = load_manifest(args.targets, fields)
    except (ValueError, ProfileError, ManifestError) as exc:
        return usage_error(args, exc)
    writer = report_writer(args)
    return asyncio.run(_fleet(args, profile, list(manifest.units), writer))


def usage_error(args: argparse.Namespace, exc: Exception) -> int:
    """Exit 2 with every problem (a ProfileError/ManifestError lists them one per line)."""
    if args.json:
        problems = [str(p) for p in getattr(exc, "problems", ())] or [str(exc)]
        print(json.dumps({"error": str(exc).splitlines()[0], "problems": problems}))
    print(f"error: {exc}", file=sys.stderr)
    return int(ExitCode.BAD_INPUT)


def report_writer(args: argparse.Namespace) -> ReportWriter | None:
    """The PDF writer, its QGuiApplication made now, on the main thread, before the loop runs."""
    if args.no_report:
        return None
    from commissioner.reporting.pdf import ensure_gui_application, write_report

    ensure_gui_application()

    def write(record: RunRecord, folder: Path) -> tuple[Path, Path]:
        files = write_report(record, folder)
        return files.html, files.pdf

    return write


def run_options(args: argparse.Namespace, queue_only: bool, queue_reason: str = "") -> RunOptions:
    return RunOptions(
        data=DataWaitOptions(timeout_s=args.data_timeout),
        scan=not args.no_scan,
        scan_listen_s=args.scan_listen,
        queue_only=queue_only,
        queue_reason=queue_reason or "queued by choice (--queue)",
        confirm_timeout_s=args.confirm_timeout,
    )


def report_folder(args: argparse.Namespace) -> Path | None:
    if args.no_report:
        return None
    return Path(args.report_dir) if args.report_dir else default_report_dir()


def fleet_context(
    args: argparse.Namespace,
    profile: CommissioningProfile,
    journal: CommissioningJournal,
    progress: FleetProgress,
    choice: CloudChoice,
    writer: ReportWriter | None,
) -> FleetContext:
    """What every unit's run shares, from the command line (the fleet and --resume alike)."""
    return FleetContext(
        profile=profile,
        journal=journal,
        progress=progress,
        options=run_options(args, choice.queue_only, choice.warning),
        policy=HeadlessPolicy(
            accept_scan=args.accept_scan, rollback_on_failure=args.rollback_on_failure
        ),
        catalogue=load_catalogue(),
        cloud=choice.workspace,
        report_dir=report_folder(args),
        write_report=writer,
        edge_timeout_s=args.timeout,
    )


async def _fleet(
    args: argparse.Namespace,
    profile: CommissioningProfile,
    units: list[Unit],
    writer: ReportWriter | None,
) -> int:
    try:
        choice = await open_cloud(args, profile)
    except CloudError as exc:  # nothing was touched yet: say how to go on without the cloud
        print(f"error: {exc}", file=sys.stderr)
        hint = CLOUD_CONFIG_HINT if isinstance(exc, CloudConfigError) else CLOUD_HINT
        print(hint, file=sys.stderr)
        if args.json:
            print(json.dumps({"error": str(exc), "kind": type(exc).__name__}))
        return int(exit_code_for(exc))
    journal = CommissioningJournal()
    progress = FleetProgress(units, sys.stderr)
    ctx = fleet_context(args, profile, journal, progress, choice, writer)
    print(
        f"Commissioning {len(units)} THREAD(s) with profile {profile.name!r}, at most "
        f"{args.parallel} at a time; cloud: {choice.note}",
        file=sys.stderr,
        flush=True,
    )
    started = time.monotonic()
    await progress.start()
    try:
        results, interrupted = await run_fleet(ctx, units, args.parallel)
    finally:
        await progress.aclose()
        await _close(choice)
        journal.close()
    wall = time.monotonic() - started
    notes = [n for n in (choice.warning,) if n]
    if args.json:
        print(
            json.dumps(summary_json(results, profile.name, wall, ctx.report_dir, notes), indent=2)
        )
    else:
        print(summary_text(results, profile.name, wall, ctx.report_dir, notes))
    return 130 if interrupted else int(exit_code(results))


async def _close(choice: CloudChoice) -> None:
    if choice.workspace is not None:
        await choice.workspace.aclose()
