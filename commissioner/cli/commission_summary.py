"""The end of a fleet run: a summary table for people, a stable JSON object for scripts.

Both say, per unit, where it is (address, serial), how it ended and why, how many checks
passed, where its registration stands and where its report is, because that is what the
technician hands over and what a script decides on. The exit code is derived here too, so the
text, the JSON and the process status can never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from commissioner.cli.cloud_format import table
from commissioner.cli.commission_fleet import PASSED, UnitResult
from commissioner.cli.exit_codes import ExitCode
from commissioner.core.commissioning.run_model import CheckResult


def exit_code(results: Sequence[UnitResult]) -> ExitCode:
    """0 only when every unit PASSED and has its report; COMMISSION_FAILED otherwise."""
    return ExitCode.OK if results and all(r.ok for r in results) else ExitCode.COMMISSION_FAILED


def summary_text(
    results: Sequence[UnitResult],
    profile_name: str,
    wall_s: float,
    report_dir: Path | None,
    notes: Sequence[str] = (),
) -> str:
    passed = sum(r.ok for r in results)
    lines = [
        f"Commissioned {len(results)} THREAD(s) with profile {profile_name!r} in {wall_s:.1f} s: "
        f"{passed} passed, {len(results) - passed} did not."
    ]
    rows = []
    for r in results:
        ok, total = r.checks_counted()
        cloud = r.cloud.status if r.cloud else "-"
        report = r.report[1].name if r.report else ("NOT WRITTEN" if r.report_error else "-")
        reason = "; ".join(x for x in (r.reason, r.report_error) if x) or "-"
        run = str(r.run_id) if r.run_id is not None else "-"
        rows.append(
            (r.unit.name, r.unit.address, r.serial or "-", run, r.status,
             f"{ok}/{total}" if total else "-", cloud, report, reason)
        )  # fmt: skip
    headers = ["UNIT", "ADDRESS", "SERIAL", "RUN", "STATUS", "CHECKS", "CLOUD", "REPORT", "REASON"]
    lines.append(table(headers, rows))
    for r in results:
        if r.status != PASSED and r.failed_checks:
            lines.append(f"{r.unit.name}: failed checks:")
            lines += [f"  - {text}" for text in r.failed_checks[:8]]
    if report_dir is not None and any(r.report for r in results):
        lines.append(f"Reports (PDF and HTML) in {report_dir}")
    queued = [r for r in results if r.cloud and r.cloud.status == "queued"]
    if queued:
        lines.append(
            f"{len(queued)} cloud registration(s) queued: they are sent by the app, or now with "
            "'commissioner cloud queue flush' once the cloud is reachable."
        )
    lines += list(notes)
    return "\n".join(lines)


def summary_json(
    results: Sequence[UnitResult],
    profile_name: str,
    wall_s: float,
    report_dir: Path | None,
    notes: Sequence[str] = (),
) -> dict[str, Any]:
    return {
        "profile": profile_name,
        "wall_s": round(wall_s, 3),
        "report_dir": str(report_dir) if report_dir is not None else None,
        "passed": sum(r.ok for r in results),
        "failed": sum(not r.ok for r in results),
        "exit_code": int(exit_code(results)),
        "notes": list(notes),
        "units": [unit_json(r) for r in results],
    }


def unit_json(r: UnitResult) -> dict[str, Any]:
    ok, total = r.checks_counted()
    cloud = r.cloud
    return {
        "name": r.unit.name,
        "address": r.unit.address,
        "expected_serial": r.unit.serial,
        "serial": r.serial or None,
        "run_id": r.run_id,
        "status": r.status,
        "passed": r.ok,
        "checks_passed": ok,
        "checks_total": total,
        "failed_checks": r.failed_checks,
        "cloud": cloud.to_json() if cloud else None,
        "report": {"html": str(r.report[0]), "pdf": str(r.report[1])} if r.report else None,
        "report_error": r.report_error or None,
        "reason": r.reason or None,
        "config_hash": r.record.config_hash if r.record else None,
        "site": r.unit.site.to_json(),
        "wall_s": round(r.wall_s, 3),
        "data_wait_s": round(r.data_wait_s, 3),
        "report_s": round(r.report_s, 3),
    }


def checks_table(checks: Sequence[CheckResult]) -> str:
    rows = [(c.status.value.upper(), c.label, c.evidence) for c in checks]
    return table(["RESULT", "CHECK", "EVIDENCE"], rows)
