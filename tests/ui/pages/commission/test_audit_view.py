"""Audit view: runs from the journal, the selected run's events, serial filter and exports."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from pytestqt.qtbot import QtBot

from commissioner.core.commissioning.journal import CommissioningJournal
from commissioner.core.commissioning.run_model import (
    EventKind,
    RunStatus,
    SiteFields,
    Stage,
    ThreadIdentity,
)
from commissioner.ui.pages.commission.audit_view import AuditView


def _run(journal: CommissioningJournal, serial: str, events: int) -> int:
    site = SiteFields(site="Dam 4", technician="Ana")
    run_id = journal.start_run(ThreadIdentity(serial, "http://127.0.0.1:1"), site, "rs485")
    for i in range(events):
        journal.record(
            run_id,
            Stage.APPLY,
            EventKind.ACTION,
            f"port{i + 1}.BAUD_RATE",
            "Set baud rate",
            before=9600,
            after=19200,
            result="ok",
            detail="=1+1",
        )
    return run_id


def _cells(view: AuditView, table: str, row: int) -> list[str]:
    widget = getattr(view, table)
    return [widget.item(row, c).text() for c in range(widget.columnCount())]


def test_lists_runs_and_selecting_one_shows_its_events(
    qtbot: QtBot, journal: CommissioningJournal
) -> None:
    """Runs are listed newest first with their fields; a selected run fills the events table."""
    first = _run(journal, "A1B2C3", events=2)
    second = _run(journal, "D4E5F6", events=3)
    journal.finish(first, RunStatus.PASSED)
    view = AuditView(journal)
    qtbot.addWidget(view)
    assert view.runs_table.rowCount() == 2
    cells = _cells(view, "runs_table", 1)
    assert cells[0] == str(first) and cells[2:] == [
        "A1B2C3",
        "Ana",
        "Dam 4",
        "rs485",
        "passed",
        "connect",
    ]
    assert view.events_table.rowCount() == 0
    view.select_run(second)
    assert view.selected_run_id() == second
    assert view.events_table.rowCount() == 3
    event = _cells(view, "events_table", 0)
    assert event[1:] == [
        "apply",
        "action",
        "port1.BAUD_RATE — Set baud rate",
        "9600",
        "19200",
        "ok",
        "=1+1",
    ]
    view.select_run(first)
    assert view.events_table.rowCount() == 2


def test_filter_and_refresh_follow_the_journal(qtbot: QtBot, journal: CommissioningJournal) -> None:
    """Typing part of a serial narrows the list; Refresh shows runs added since, keeping selection."""
    kept = _run(journal, "A1B2C3", events=1)
    _run(journal, "D4E5F6", events=1)
    view = AuditView(journal)
    qtbot.addWidget(view)
    view.filter_edit.setText("a1b")
    assert [view.runs_table.item(r, 0).text() for r in range(view.runs_table.rowCount())] == [
        str(kept)
    ]
    assert view.count_label.text() == "1 of 2 run(s)"
    view.filter_edit.clear()
    view.select_run(kept)
    _run(journal, "FFFFFF", events=0)
    view.refresh_button.click()
    assert view.runs_table.rowCount() == 3
    assert view.selected_run_id() == kept and view.events_table.rowCount() == 1


def test_export_writes_csv_and_json_via_the_path_provider(
    qtbot: QtBot, journal: CommissioningJournal, tmp_path: Path
) -> None:
    """Export skips the dialog when a provider is set, writes the file and says where."""
    first = _run(journal, "A1B2C3", events=2)
    _run(journal, "D4E5F6", events=1)
    view = AuditView(journal)
    qtbot.addWidget(view)
    view.export_path_provider = lambda kind: tmp_path / f"audit.{kind}"
    view.csv_button.click()
    with (tmp_path / "audit.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3 and rows[0]["detail"] == "'=1+1"
    assert "Exported 3 event(s) of 2 run(s)" in view.status.text()
    assert str(tmp_path / "audit.csv") in view.status.text()
    view.select_run(first)
    view.json_button.click()
    document = json.loads((tmp_path / "audit.json").read_text(encoding="utf-8"))
    assert [r["run_id"] for r in document["runs"]] == [first]
    assert "Exported 1 run(s)" in view.status.text()
    view.export_path_provider = lambda kind: None  # a cancelled dialog writes nothing
    assert view.export("csv") is None
