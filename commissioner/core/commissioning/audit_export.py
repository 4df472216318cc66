"""Audit exports of the commissioning journal: runs and every event of them, as CSV or JSON.

Why a separate module: the audit view, the CLI and the support bundle all export the same rows,
and they must agree (one row per event, times in ISO 8601 UTC). The document is built first
(:func:`runs_document`) and the CSV rows are derived from it (:func:`rows_from_document`), so the
support bundle can redact the document once and write both files from the redacted copy.

Files are written to a temporary file and renamed into place (an export interrupted half-way
never leaves a truncated file that looks complete). CSV cells that a spreadsheet would run as a
formula (starting with ``= + - @``, or a tab/carriage return) get a leading single quote.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from commissioner.core.commissioning.journal import CommissioningJournal, JournalEvent, RunSummary

CSV_FIELDS = (
    "run_id",
    "time",
    "serial",
    "technician",
    "stage",
    "kind",
    "key",
    "description",
    "before",
    "after",
    "result",
    "detail",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def iso_utc(moment: float | None) -> str:
    """``1714555800.125`` -> ``2024-05-01T09:30:00.125Z``; empty for None."""
    if moment is None:
        return ""
    return (
        datetime.fromtimestamp(moment, UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def safe_cell(value: Any) -> str:
    """A CSV cell as text, defused if a spreadsheet would evaluate it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _value_text(value: Any) -> str:
    """``before``/``after`` as one cell: strings as they are, anything else as compact JSON."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, default=str)


# -- building --------------------------------------------------------------------------------------


def run_json(run: RunSummary) -> dict[str, Any]:
    """A run's summary fields, the snapshot and the record (the evidence), JSON-ready."""
    return {
        "run_id": run.run_id,
        "serial": run.serial,
        "address": run.address,
        "technician": run.technician,
        "site": run.site.to_json(),
        "identity": run.identity.to_json(),
        "profile_name": run.profile_name,
        "profile_text": run.profile_text,
        "status": run.status.value,
        "stage": run.stage.value,
        "started_at": iso_utc(run.started_at),
        "updated_at": iso_utc(run.updated_at),
        "finished_at": iso_utc(run.finished_at) or None,
        "snapshot": run.snapshot.to_json() if run.snapshot else None,
        "record": run.record.to_json() if run.record else None,
    }


def event_json(event: JournalEvent) -> dict[str, Any]:
    data = event.to_json()
    data["time"] = iso_utc(event.at)
    return data


def run_document(journal: CommissioningJournal, run_id: int) -> dict[str, Any]:
    """One run with its events, oldest first; ``KeyError`` when the journal has no such run."""
    data = run_json(journal.run(run_id))
    data["events"] = [event_json(e) for e in journal.events(run_id)]
    return data


def _ids(journal: CommissioningJournal, run_ids: Sequence[int] | None) -> list[int]:
    """The runs to export: the given ones in the given order, or every run, oldest first."""
    if run_ids is not None:
        return list(run_ids)
    return [r.run_id for r in reversed(journal.runs())]


def runs_document(
    journal: CommissioningJournal, run_ids: Sequence[int] | None = None
) -> dict[str, Any]:
    """``{"exported_at", "journal", "runs": [...]}``; ``KeyError`` for an unknown run id."""
    return {
        "exported_at": iso_utc(datetime.now(UTC).timestamp()),
        "journal": str(journal.path),
        "runs": [run_document(journal, rid) for rid in _ids(journal, run_ids)],
    }


def rows_from_document(document: dict[str, Any]) -> list[dict[str, str]]:
    """One CSV row per event of every run in a :func:`runs_document` (redacted or not)."""
    rows: list[dict[str, str]] = []
    for run in document.get("runs", []):
        for event in run.get("events", []):
            rows.append(
                {
                    "run_id": str(run.get("run_id", event.get("run_id", ""))),
                    "time": str(event.get("time", "")),
                    "serial": str(event.get("serial") or run.get("serial", "")),
                    "technician": str(event.get("technician") or run.get("technician", "")),
                    "stage": str(event.get("stage", "")),
                    "kind": str(event.get("kind", "")),
                    "key": str(event.get("key", "")),
                    "description": str(event.get("description", "")),
                    "before": _value_text(event.get("before")),
                    "after": _value_text(event.get("after")),
                    "result": str(event.get("result", "")),
                    "detail": str(event.get("detail", "")),
                }
            )
    return rows


def csv_text(rows: Sequence[dict[str, str]]) -> str:
    """The CSV file's text: a header, then each row with formula-looking cells defused."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: safe_cell(row.get(name, "")) for name in CSV_FIELDS})
    return buffer.getvalue()


def json_text(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"


# -- writing ---------------------------------------------------------------------------------------


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to a temporary file beside ``path`` and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def export_runs_csv(
    journal: CommissioningJournal, path: Path, run_ids: Sequence[int] | None = None
) -> int:
    """Write one row per event of the runs (all runs when ``run_ids`` is None); returns rows."""
    rows = rows_from_document(runs_document(journal, run_ids))
    write_atomic(path, csv_text(rows))
    return len(rows)


def export_runs_json(
    journal: CommissioningJournal, path: Path, run_ids: Sequence[int] | None = None
) -> int:
    """Write the runs with their events, snapshot and record as JSON; returns runs written."""
    document = runs_document(journal, run_ids)
    write_atomic(path, json_text(document))
    return len(document["runs"])


def run_rows(
    journal: CommissioningJournal, *, serial: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """What the audit view lists: one flat dict per run, newest first.

    ``serial`` matches case-insensitively and partially (an installer types "a1b" for "A1B2C3").
    """
    wanted = (serial or "").strip().upper()
    rows: list[dict[str, Any]] = []
    for run in journal.runs():
        if wanted and wanted not in run.serial.upper():
            continue
        rows.append(
            {
                "run_id": run.run_id,
                "started": iso_utc(run.started_at),
                "started_at": run.started_at,
                "finished_at": run.finished_at,
                "serial": run.serial,
                "address": run.address,
                "technician": run.technician,
                "site": run.site.site,
                "profile": run.profile_name,
                "status": run.status.value,
                "stage": run.stage.value,
                "resumable": run.resumable,
            }
        )
        if limit is not None and len(rows) >= limit:
            break
    return rows
