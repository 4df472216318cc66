"""Commission many THREADs at once: at most N at a time, each with its own client and session.

Why this is safe to run concurrently on one event loop: every unit has its own
:class:`EdgeClient` and :class:`CommissioningSession`; what they share is single-threaded by
construction. The :class:`CommissioningJournal` is one sqlite3 connection with autocommit, used
only from the loop thread, and each of its methods runs to completion between two awaits, so
rows of different runs interleave but never tear. The :class:`CloudWorkspace` (its registration
journal, token and HTTP pool) is likewise used from the loop thread only.

One unit's trouble never stops the others: an unreachable THREAD, a wrong serial number or an
unexpected error becomes that unit's FAILED line, and a THREAD that stops answering mid-run
leaves its run IN PROGRESS in the journal (INTERRUPTED here; ``--resume RUN_ID`` continues it).
Reports are written as each unit ends, on the loop (main) thread, which owns the
QGuiApplication the PDF painter needs.
"""

from __future__ import annotations

import asyncio
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from commissioner.cli.commission_manifest import Unit
from commissioner.cli.commission_progress import FleetProgress
from commissioner.core.cloud.workspace import CloudWorkspace
from commissioner.core.commissioning.headless import HeadlessPolicy, commission
from commissioner.core.commissioning.journal import CommissioningJournal
from commissioner.core.commissioning.profile_model import CommissioningProfile
from commissioner.core.commissioning.run_model import (
    CheckStatus,
    CloudRecord,
    RunRecord,
    RunStatus,
    Stage,
)
from commissioner.core.commissioning.session import (
    CommissioningSession,
    RunError,
    RunEvent,
    RunOptions,
)
from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.errors import EdgeError
from commissioner.core.ports.apply import short_error
from commissioner.core.sensor_catalogue import SensorModel

PASSED, FAILED, ROLLED_BACK, INTERRUPTED = "PASSED", "FAILED", "ROLLED BACK", "INTERRUPTED"
STATUS_TEXT = {
    RunStatus.PASSED: PASSED,
    RunStatus.FAILED: FAILED,
    RunStatus.ROLLED_BACK: ROLLED_BACK,
    RunStatus.IN_PROGRESS: INTERRUPTED,
    RunStatus.ABANDONED: FAILED,
}

ReportWriter = Callable[[RunRecord, Path], tuple[Path, Path]]


@dataclass
class UnitResult:
    """How one unit ended, for the summary table, ``--json`` and the exit code."""

    unit: Unit
    status: str = FAILED
    serial: str = ""
    run_id: int | None = None
    record: RunRecord | None = None
    reason: str = ""
    report: tuple[Path, Path] | None = None  # (html, pdf)
    report_error: str = ""
    data_wait_s: float = 0.0  # listening to sensors and scanning (the engine's data windows)
    report_s: float = 0.0  # painting the PDF and HTML
    wall_s: float = 0.0
    failed_checks: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == PASSED and not self.report_error

    @property
    def cloud(self) -> CloudRecord | None:
        return self.record.cloud if self.record else None

    def checks_counted(self) -> tuple[int, int]:
        """(passed, total) over the checks that ran; skipped ones count in neither."""
        checks = (
            [c for c in self.record.checks if c.status is not CheckStatus.SKIPPED]
            if (self.record)
            else []
        )
        return sum(c.passed for c in checks), len(checks)


@dataclass
class FleetContext:
    """What every unit of one fleet run shares."""

    profile: CommissioningProfile
    journal: CommissioningJournal
    progress: FleetProgress
    options: RunOptions
    policy: HeadlessPolicy
    catalogue: Sequence[SensorModel]
    cloud: CloudWorkspace | None = None
    report_dir: Path | None = None
    write_report: ReportWriter | None = None
    edge_timeout_s: float = 5.0


async def run_fleet(
    ctx: FleetContext, units: Sequence[Unit], parallel: int
) -> tuple[list[UnitResult], bool]:
    """Every unit, at most ``parallel`` at once; (results in manifest order, interrupted?)."""
    slots = asyncio.Semaphore(max(1, parallel))
    results = {u.index: UnitResult(u, status=INTERRUPTED, reason="not started") for u in units}

    async def one(unit: Unit) -> None:
        async with slots:
            await commission_unit(ctx, results[unit.index])

    tasks = [asyncio.create_task(one(u), name=f"commission-{u.name}") for u in units]
    interrupted = False
    try:
        await asyncio.gather(*tasks)
    except asyncio.CancelledError:  # Ctrl-C: keep what finished, say what did not
        interrupted = True
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return [results[u.index] for u in units], interrupted


async def commission_unit(
    ctx: FleetContext, result: UnitResult, resume_run_id: int | None = None
) -> None:
    """One THREAD, start to report; fills ``result`` as it goes (so Ctrl-C keeps what is known).

    ``resume_run_id`` continues that unfinished run of this THREAD instead of starting one.
    """
    unit = result.unit
    started = time.monotonic()
    result.reason = "stopped before it finished"
    try:
        async with EdgeClient(unit.address, timeout_s=ctx.edge_timeout_s) as client:
            serial = await client.serial_number()
            result.serial, result.run_id = serial, resume_run_id
            ctx.progress.serial(unit, serial)
            if unit.serial is not None and serial.upper() != unit.serial:
                result.status = FAILED
                result.reason = (
                    f"THREAD at {unit.address} is {serial}, the manifest expects {unit.serial}: "
                    "nothing was written"
                )
            else:
                record, session = await commission(
                    client,
                    ctx.journal,
                    ctx.profile,
                    unit.site,
                    cloud=ctx.cloud,
                    options=ctx.options,
                    policy=ctx.policy,
                    on_event=ctx.progress.listener(unit),
                    catalogue=ctx.catalogue,
                    resume_run_id=resume_run_id,
                )
                _take_record(result, record, session)
                if record.status is not RunStatus.IN_PROGRESS:
                    _write_report(ctx, result, session)
    except asyncio.CancelledError:
        _find_interrupted_run(ctx.journal, result, started)
        result.status, result.reason = INTERRUPTED, "stopped (Ctrl-C) before it finished"
        if result.run_id is not None:
            result.reason += f"; continue with --resume {result.run_id}"
        ctx.progress.finished(unit, result.status, result.reason)
        raise
    except EdgeError as exc:
        result.status, result.reason = FAILED, f"THREAD at {unit.address}: {short_error(exc)}"
    except RunError as exc:
        result.status, result.reason = FAILED, str(exc)
    except Exception as exc:  # one unit's surprise must not stop the fleet
        result.status = FAILED
        result.reason = f"unexpected error: {type(exc).__name__}: {exc}"
        traceback.print_exc()
    finally:
        result.wall_s = time.monotonic() - started
    detail = result.reason if result.status != PASSED else _passed_detail(result)
    ctx.progress.finished(unit, result.status, detail)


def _take_record(result: UnitResult, record: RunRecord, session: CommissioningSession) -> None:
    result.record, result.run_id = record, record.run_id
    result.status = STATUS_TEXT[record.status]
    result.data_wait_s = session.data_wait_s
    result.failed_checks = [f"{c.label}: {c.evidence}" for c in record.checks if not c.passed]
    if record.status is RunStatus.IN_PROGRESS:
        result.reason = (
            f"{record.failure or 'the THREAD stopped answering'}; "
            f"continue with --resume {record.run_id}"
        )
    else:
        result.reason = record.failure if record.status is not RunStatus.PASSED else ""
    for port, scan in sorted(session.scans.items()):  # found but not applied: say how
        if result.status != PASSED:
            hint = " (rerun with --accept-scan to use it)" if scan.found is not None else ""
            result.reason += f"; port {port} scan: {scan.summary()}{hint}"


def _write_report(ctx: FleetContext, result: UnitResult, session: CommissioningSession) -> None:
    if ctx.write_report is None or ctx.report_dir is None or result.record is None:
        return
    ctx.progress.event(result.unit, RunEvent(Stage.REPORT, "Writing the report"))
    started = time.monotonic()
    try:
        html, pdf = ctx.write_report(result.record, ctx.report_dir)
    except Exception as exc:  # the run's result stands; the missing proof is reported
        result.report_error = f"report not written: {type(exc).__name__}: {exc}"
        return
    finally:
        result.report_s = time.monotonic() - started
    result.report = (html, pdf)
    session.note_report([str(html), str(pdf)])


def _passed_detail(result: UnitResult) -> str:
    passed, total = result.checks_counted()
    cloud = result.cloud.status if result.cloud else "no cloud"
    return f"{passed}/{total} checks, cloud {cloud}"


def _find_interrupted_run(journal: CommissioningJournal, result: UnitResult, since: float) -> None:
    """The run a cancelled unit had started (the engine had no chance to hand it back)."""
    if result.run_id is not None or not result.serial:
        return
    started_after = time.time() - (time.monotonic() - since) - 1.0
    for run in journal.unfinished(result.serial):
        if run.started_at >= started_after:
            result.run_id = run.run_id
            return
