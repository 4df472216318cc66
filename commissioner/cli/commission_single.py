"""``commissioner commission --resume RUN_ID`` and ``--rollback RUN_ID``: one run from the journal.

Both find the THREAD through the journal's run row (its address and serial number), so a
technician needs only the run number the summary printed. ``--resume`` continues an unfinished
run (stopped by a crash, an unplugged cable or Ctrl-C) with the profile and site it was planned
with; only what is left is written. ``--rollback`` puts the THREAD back to the run's snapshot
and proves it by reading it back; it works on unfinished runs and, for a THREAD left failed
"for diagnosis", on ended ones too, whose stored record then says ROLLED BACK.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

from commissioner.cli.commission_cloud import open_cloud
from commissioner.cli.commission_fleet import (
    ReportWriter,
    UnitResult,
    commission_unit,
)
from commissioner.cli.commission_manifest import Unit
from commissioner.cli.commission_progress import FleetProgress
from commissioner.cli.commission_run import (
    fleet_context,
    report_folder,
    report_writer,
    run_options,
    usage_error,
)
from commissioner.cli.commission_summary import checks_table, exit_code, summary_json, summary_text
from commissioner.cli.exit_codes import ExitCode, exit_code_for
from commissioner.core.cloud.errors import CloudError
from commissioner.core.commissioning import ProfileError, load_profile, profile_from_dict
from commissioner.core.commissioning.config_hash import config_hash
from commissioner.core.commissioning.journal import CommissioningJournal, RunSummary
from commissioner.core.commissioning.profile_model import CommissioningProfile
from commissioner.core.commissioning.run_model import EventKind, RunRecord, RunStatus, Stage
from commissioner.core.commissioning.session import (
    CommissioningSession,
    RollbackOutcome,
    RunError,
)
from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.errors import EdgeError

ROLLBACK_REASON = "rolled back with 'commissioner commission --rollback'"


def run_single(args: argparse.Namespace) -> int:
    journal = CommissioningJournal()
    try:
        run_id = args.resume if args.resume is not None else args.rollback
        try:
            summary = journal.run(run_id)
        except KeyError:
            return usage_error(args, ValueError(f"No commissioning run {run_id} in {journal.path}"))
        if args.resume is not None:
            try:
                profile = _resume_profile(args, summary)
            except (ValueError, ProfileError) as exc:
                return usage_error(args, exc)
            writer = report_writer(args)
            return asyncio.run(_resume(args, journal, summary, profile, writer))
        if summary.snapshot is None:
            return usage_error(args, ValueError(f"Run {run_id} has no snapshot: nothing to undo."))
        writer = report_writer(args)
        return asyncio.run(_rollback(args, journal, summary, writer))
    finally:
        journal.close()


def _resume_profile(args: argparse.Namespace, summary: RunSummary) -> CommissioningProfile:
    """The profile the run was planned with; ``--profile`` only if it stopped before planning."""
    if not summary.resumable:
        raise ValueError(
            f"Run {summary.run_id} has ended ({summary.status.value}); nothing to resume. "
            f"Start a new run, or --rollback {summary.run_id}."
        )
    if summary.profile_text:
        return profile_from_dict(json.loads(summary.profile_text))
    if args.profile is None:
        raise ValueError(
            f"Run {summary.run_id} stopped before a profile was chosen: give --profile FILE."
        )
    return load_profile(args.profile)


async def _resume(
    args: argparse.Namespace,
    journal: CommissioningJournal,
    summary: RunSummary,
    profile: CommissioningProfile,
    writer: ReportWriter | None,
) -> int:
    try:
        choice = await open_cloud(args, profile)
    except CloudError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return int(exit_code_for(exc))
    unit = Unit(0, f"run {summary.run_id}", summary.address, summary.serial, summary.site)
    progress = FleetProgress([unit], sys.stderr)
    ctx = fleet_context(args, profile, journal, progress, choice, writer)
    print(
        f"Resuming run {summary.run_id} of THREAD {summary.serial} at {summary.address} "
        f"(stopped at {summary.stage.label}); cloud: {choice.note}",
        file=sys.stderr,
        flush=True,
    )
    started = time.monotonic()
    result = UnitResult(unit)
    await progress.start()
    try:
        await commission_unit(ctx, result, resume_run_id=summary.run_id)
    finally:
        await progress.aclose()
        if choice.workspace is not None:
            await choice.workspace.aclose()
    wall, notes = time.monotonic() - started, [n for n in (choice.warning,) if n]
    if args.json:
        print(
            json.dumps(summary_json([result], profile.name, wall, ctx.report_dir, notes), indent=2)
        )
    else:
        print(summary_text([result], profile.name, wall, ctx.report_dir, notes))
    return int(exit_code([result]))


async def _rollback(
    args: argparse.Namespace,
    journal: CommissioningJournal,
    summary: RunSummary,
    writer: ReportWriter | None,
) -> int:
    unit = Unit(0, f"run {summary.run_id}", summary.address, summary.serial, summary.site)
    progress = FleetProgress([unit], sys.stderr, live=False)
    options = run_options(args, queue_only=False)
    print(
        f"Rolling THREAD {summary.serial} at {summary.address} back to the snapshot of run "
        f"{summary.run_id} ({summary.status.value}, stopped at {summary.stage.label})",
        file=sys.stderr,
        flush=True,
    )
    try:
        async with EdgeClient(summary.address, timeout_s=args.timeout) as client:
            listener = progress.listener(unit)
            if summary.resumable:
                session = await CommissioningSession.resume(
                    client, journal, summary.run_id, options=options, on_event=listener
                )
                outcome = await session.rollback(ROLLBACK_REASON)
                record = session.finish()
            else:
                session = CommissioningSession(client, journal, options=options, on_event=listener)
                session.run_id, session.site = summary.run_id, summary.site
                await session.connect()  # checks it is the run's THREAD
                session.snapshot = summary.snapshot
                outcome = await session.rollback(ROLLBACK_REASON)
                record = _ended_record(journal, summary, session, outcome)
    except RunError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return int(ExitCode.FAILURE)
    except EdgeError as exc:
        print(f"error: THREAD at {summary.address}: {exc}", file=sys.stderr)
        return int(exit_code_for(exc))
    report = _report(writer, args, record)
    return _print_rollback(args, record, outcome, report)


def _ended_record(
    journal: CommissioningJournal,
    summary: RunSummary,
    session: CommissioningSession,
    outcome: RollbackOutcome,
) -> RunRecord:
    """The ended run's stored record, now ROLLED BACK, with the rollback's proof appended."""
    record = summary.record or session.record()
    record.status, record.stage = RunStatus.ROLLED_BACK, Stage.DONE
    record.checks = [*record.checks, *outcome.checks]
    record.as_left = session.as_left
    record.config_hash = config_hash(session.as_left) if session.as_left else ""
    record.failure = record.failure or ROLLBACK_REASON
    record.finished_at = time.time()
    journal.set_record(summary.run_id, record)
    journal.record(
        summary.run_id,
        Stage.REPORT,
        EventKind.STAGE,
        "finish",
        f"Run {RunStatus.ROLLED_BACK.value}",
        result=RunStatus.ROLLED_BACK.value,
    )
    return record


def _report(writer: ReportWriter | None, args: argparse.Namespace, record: RunRecord) -> str:
    folder = report_folder(args)
    if writer is None or folder is None:
        return ""
    try:
        return str(writer(record, folder)[1])
    except Exception as exc:  # the rollback stands; say the report is missing
        return f"NOT WRITTEN ({type(exc).__name__}: {exc})"


def _print_rollback(
    args: argparse.Namespace, record: RunRecord, outcome: RollbackOutcome, report: str
) -> int:
    code = ExitCode.OK if outcome.ok else ExitCode.COMMISSION_FAILED
    if args.json:
        data = {
            "run_id": record.run_id,
            "serial": record.identity.serial,
            "address": record.identity.address,
            "ok": outcome.ok,
            "status": record.status.value,
            "checks": [c.to_json() for c in outcome.checks],
            "not_restorable": outcome.not_restorable,
            "report": report or None,
            "exit_code": int(code),
        }
        print(json.dumps(data, indent=2))
        return int(code)
    verdict = "is back to its snapshot" if outcome.ok else "is NOT fully back to its snapshot"
    print(f"THREAD {record.identity.serial} (run {record.run_id}) {verdict}; read back:")
    print(checks_table(outcome.checks))
    for item in outcome.not_restorable:
        print(f"not restorable (unknown before the run): {item}")
    if report:
        print(f"Report: {report}")
    return int(code)
