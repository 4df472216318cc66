"""Audit exports: the journal's runs and events written as CSV and JSON, read back, injection-safe."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import pytest

from commissioner.core.commissioning import audit_export
from commissioner.core.commissioning.journal import CommissioningJournal
from commissioner.core.commissioning.run_model import (
    ActionResult,
    EventKind,
    RunStatus,
    SiteFields,
    Stage,
    ThreadIdentity,
)


def _run(journal: CommissioningJournal, serial: str, technician: str = "Ana") -> int:
    site = SiteFields(site="Dam 4", location="North bank", technician=technician)
    run_id = journal.start_run(
        ThreadIdentity(serial, "http://127.0.0.1:1"), site, profile_name="rs232"
    )
    journal.record(run_id, Stage.CONNECT, EventKind.STAGE, description="Connected")
    event = journal.record(
        run_id,
        Stage.APPLY,
        EventKind.ACTION,
        "port1.BAUD_RATE",
        "Set baud rate",
        before=9600,
        after=19200,
        result=ActionResult.PENDING.value,
    )
    journal.set_result(event, ActionResult.OK.value, "read back 19200")
    journal.record(
        run_id,
        Stage.VERIFY,
        EventKind.CHECK,
        "range.port1.temperature",
        "-5 is below the range",
        before={"min": -40},
        after=["a", 1],
        result="fail",
        detail='=HYPERLINK("http://evil","x")',
    )
    return run_id


def test_csv_has_one_row_per_event_with_iso_utc_times(
    journal: CommissioningJournal, tmp_path: Path
) -> None:
    """Every event of every run is a row, with time, serial, technician, before/after and result."""
    first, second = _run(journal, "A1B2C3"), _run(journal, "D4E5F6", technician="Bo")
    path = tmp_path / "out" / "events.csv"
    assert audit_export.export_runs_csv(journal, path) == 6
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == audit_export.CSV_FIELDS
    assert [int(r["run_id"]) for r in rows] == [first] * 3 + [second] * 3
    action = rows[1]
    assert (action["serial"], action["technician"]) == ("A1B2C3", "Ana")
    assert (action["key"], action["before"], action["after"]) == (
        "port1.BAUD_RATE",
        "9600",
        "19200",
    )
    assert (action["result"], action["detail"]) == ("ok", "read back 19200")
    assert rows[4]["technician"] == "Bo"
    stamp = datetime.fromisoformat(action["time"].replace("Z", "+00:00"))
    assert stamp.utcoffset() is not None and stamp.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert json.loads(rows[2]["before"]) == {"min": -40}
    assert not list(path.parent.glob(".*.tmp"))  # the temporary file was renamed away


def test_csv_cells_that_look_like_formulas_are_defused(
    journal: CommissioningJournal, tmp_path: Path
) -> None:
    """A detail starting with = (or a description with -) cannot run as a spreadsheet formula."""
    run_id = _run(journal, "A1B2C3")
    journal.record(run_id, Stage.VERIFY, EventKind.NOTE, "@cmd", "+1", detail="-2+3")
    path = tmp_path / "events.csv"
    audit_export.export_runs_csv(journal, path, [run_id])
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[2]["detail"] == "'" + '=HYPERLINK("http://evil","x")'
    assert rows[2]["description"] == "'-5 is below the range"
    assert (rows[3]["key"], rows[3]["description"], rows[3]["detail"]) == ("'@cmd", "'+1", "'-2+3")
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row.values())


def test_json_export_holds_runs_with_summary_and_events(
    journal: CommissioningJournal, tmp_path: Path
) -> None:
    """The JSON export parses back: exported_at, and per run its fields and events in order."""
    first = _run(journal, "A1B2C3")
    _run(journal, "D4E5F6")
    journal.finish(first, RunStatus.PASSED)
    path = tmp_path / "runs.json"
    assert audit_export.export_runs_json(journal, path, [first]) == 1
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["exported_at"].endswith("Z")
    (run,) = document["runs"]
    assert (run["run_id"], run["serial"], run["status"]) == (first, "A1B2C3", "passed")
    assert run["site"]["site"] == "Dam 4" and run["profile_name"] == "rs232"
    assert run["finished_at"].endswith("Z")
    assert [e["kind"] for e in run["events"]] == ["stage", "action", "check"]
    assert run["events"][1]["before"] == 9600 and run["events"][1]["after"] == 19200
    assert audit_export.export_runs_json(journal, path) == 2


def test_unknown_run_is_an_error_and_leaves_no_file(
    journal: CommissioningJournal, tmp_path: Path
) -> None:
    """Asking for a run the journal does not have fails before anything is written."""
    path = tmp_path / "runs.json"
    with pytest.raises(KeyError):
        audit_export.export_runs_json(journal, path, [999])
    assert not path.exists()


def test_run_rows_lists_newest_first_filters_by_serial_and_limits(
    journal: CommissioningJournal,
) -> None:
    """What the audit view lists: newest first, a partial case-insensitive serial filter, a limit."""
    a, b, c = _run(journal, "A1B2C3"), _run(journal, "D4E5F6"), _run(journal, "A1FFFF")
    assert [r["run_id"] for r in audit_export.run_rows(journal)] == [c, b, a]
    assert [r["run_id"] for r in audit_export.run_rows(journal, serial="a1")] == [c, a]
    assert [r["run_id"] for r in audit_export.run_rows(journal, limit=1)] == [c]
    row = audit_export.run_rows(journal, serial="D4E5F6")[0]
    assert row["site"] == "Dam 4" and row["profile"] == "rs232"
    assert row["status"] == "in progress" and row["resumable"] is True
    assert row["started"].endswith("Z")
