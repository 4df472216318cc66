"""The commissioning journal: every run and every action of it, in SQLite, written as it happens.

Why SQLite and write-ahead: a run can stop anywhere (a crash, an unplugged cable, a closed
laptop). Each write to the THREAD is journaled as PENDING *before* the call and updated after,
so on resume the journal says what was done, what may have been done, and what the THREAD was
before (the snapshot), which is all a rollback needs. The same rows are the audit trail: time,
THREAD serial number, technician, before and after values, and result, for every event.

One connection per journal; every write commits at once (a few hundred rows per run).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from commissioner.core.commissioning.run_model import (
    ActionResult,
    EventKind,
    RunRecord,
    RunStatus,
    SiteFields,
    Stage,
    ThreadIdentity,
    ThreadSnapshot,
)
from commissioner.core.settings import data_dir

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    serial TEXT NOT NULL,
    address TEXT NOT NULL,
    technician TEXT NOT NULL DEFAULT '',
    site_json TEXT NOT NULL DEFAULT '{}',
    identity_json TEXT NOT NULL DEFAULT '{}',
    profile_name TEXT NOT NULL DEFAULT '',
    profile_text TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    stage TEXT NOT NULL,
    started_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    finished_at REAL,
    snapshot_json TEXT,
    record_json TEXT
);
CREATE INDEX IF NOT EXISTS runs_serial ON runs(serial);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    at REAL NOT NULL,
    stage TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    before_json TEXT,
    after_json TEXT,
    result TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    serial TEXT NOT NULL DEFAULT '',
    technician TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS events_run ON events(run_id);
"""


def default_journal_path() -> Path:
    """``<data dir>/commissioning/journal.sqlite`` (COMMISSIONER_DATA_DIR moves it, for tests)."""
    return data_dir() / "commissioning" / "journal.sqlite"


@dataclass(frozen=True)
class RunSummary:
    """A ``runs`` row: enough to list runs in the audit view and to resume one."""

    run_id: int
    serial: str
    address: str
    technician: str
    site: SiteFields
    identity: ThreadIdentity
    profile_name: str
    profile_text: str
    status: RunStatus
    stage: Stage
    started_at: float
    updated_at: float
    finished_at: float | None
    snapshot: ThreadSnapshot | None
    record: RunRecord | None

    @property
    def resumable(self) -> bool:
        return self.status is RunStatus.IN_PROGRESS


@dataclass(frozen=True)
class JournalEvent:
    """An ``events`` row; ``before``/``after`` are the JSON values (None when not applicable)."""

    event_id: int
    run_id: int
    at: float
    stage: Stage
    kind: EventKind
    key: str
    description: str
    before: Any
    after: Any
    result: str
    detail: str
    serial: str
    technician: str

    def to_json(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "run_id": self.run_id,
            "at": self.at,
            "stage": self.stage.value,
            "kind": self.kind.value,
            "key": self.key,
            "description": self.description,
            "before": self.before,
            "after": self.after,
            "result": self.result,
            "detail": self.detail,
            "serial": self.serial,
            "technician": self.technician,
        }


class CommissioningJournal:
    """Runs and events in one SQLite file; safe to open again after a crash (WAL, committed rows)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_journal_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    # -- runs ------------------------------------------------------------------------------------
    def start_run(
        self,
        identity: ThreadIdentity,
        site: SiteFields,
        profile_name: str = "",
        profile_text: str = "",
    ) -> int:
        now = time.time()
        cur = self._db.execute(
            "INSERT INTO runs (serial, address, technician, site_json, identity_json, "
            "profile_name, profile_text, status, stage, started_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                identity.serial,
                identity.address,
                site.technician,
                json.dumps(site.to_json()),
                json.dumps(identity.to_json()),
                profile_name,
                profile_text,
                RunStatus.IN_PROGRESS.value,
                Stage.CONNECT.value,
                now,
                now,
            ),
        )
        run_id = cur.lastrowid
        assert run_id is not None
        return run_id

    def set_plan(self, run_id: int, site: SiteFields, profile_name: str, profile_text: str) -> None:
        self._update(
            run_id,
            technician=site.technician,
            site_json=json.dumps(site.to_json()),
            profile_name=profile_name,
            profile_text=profile_text,
        )

    def set_snapshot(self, run_id: int, snapshot: ThreadSnapshot) -> None:
        self._update(run_id, snapshot_json=json.dumps(snapshot.to_json()))

    def set_stage(self, run_id: int, stage: Stage) -> None:
        self._update(run_id, stage=stage.value)

    def set_record(self, run_id: int, record: RunRecord) -> None:
        """Store the run's current record (what the report is made from); ends it unless running."""
        fields: dict[str, Any] = {
            "record_json": json.dumps(record.to_json()),
            "status": record.status.value,
            "stage": record.stage.value,
        }
        if record.status is not RunStatus.IN_PROGRESS:
            fields["finished_at"] = record.finished_at or time.time()
        self._update(run_id, **fields)

    def finish(self, run_id: int, status: RunStatus) -> None:
        self._update(run_id, status=status.value, finished_at=time.time())

    def _update(self, run_id: int, **fields: Any) -> None:
        fields["updated_at"] = time.time()
        names = ", ".join(f"{name} = ?" for name in fields)
        self._db.execute(f"UPDATE runs SET {names} WHERE id = ?", (*fields.values(), run_id))

    def run(self, run_id: int) -> RunSummary:
        row = self._db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise KeyError(f"no commissioning run {run_id} in {self.path}")
        return _summary(row)

    def runs(
        self,
        *,
        serial: str | None = None,
        status: RunStatus | None = None,
        limit: int | None = None,
    ) -> list[RunSummary]:
        """Newest first."""
        where, args = _where(serial=serial, status=status.value if status else None)
        sql = f"SELECT * FROM runs {where} ORDER BY id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [_summary(row) for row in self._db.execute(sql, args)]

    def unfinished(self, serial: str | None = None) -> list[RunSummary]:
        """Runs that stopped without ending (resumable), newest first."""
        return self.runs(serial=serial, status=RunStatus.IN_PROGRESS)

    # -- events ----------------------------------------------------------------------------------
    def record(
        self,
        run_id: int,
        stage: Stage,
        kind: EventKind,
        key: str = "",
        description: str = "",
        *,
        before: Any = None,
        after: Any = None,
        result: str = "",
        detail: str = "",
    ) -> int:
        run = self._db.execute(
            "SELECT serial, technician FROM runs WHERE id = ?", (run_id,)
        ).fetchone()
        serial, technician = (run["serial"], run["technician"]) if run else ("", "")
        cur = self._db.execute(
            "INSERT INTO events (run_id, at, stage, kind, key, description, before_json, "
            "after_json, result, detail, serial, technician) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run_id,
                time.time(),
                stage.value,
                kind.value,
                key,
                description,
                _dump(before),
                _dump(after),
                result,
                detail,
                serial,
                technician,
            ),
        )
        self._update(run_id)
        event_id = cur.lastrowid
        assert event_id is not None
        return event_id

    def set_result(self, event_id: int, result: str, detail: str = "", after: Any = None) -> None:
        """Complete a PENDING event once its call returned (``after`` only when given)."""
        if after is None:
            self._db.execute(
                "UPDATE events SET result = ?, detail = ? WHERE id = ?", (result, detail, event_id)
            )
        else:
            self._db.execute(
                "UPDATE events SET result = ?, detail = ?, after_json = ? WHERE id = ?",
                (result, detail, _dump(after), event_id),
            )

    def events(
        self, run_id: int, *, kinds: Iterable[EventKind] | None = None
    ) -> list[JournalEvent]:
        """A run's events, oldest first."""
        sql = "SELECT * FROM events WHERE run_id = ?"
        args: list[Any] = [run_id]
        if kinds is not None:
            wanted = [k.value for k in kinds]
            sql += f" AND kind IN ({', '.join('?' * len(wanted))})"
            args.extend(wanted)
        return [_event(row) for row in self._db.execute(sql + " ORDER BY id", args)]

    def actions_done(self, run_id: int) -> list[JournalEvent]:
        """Writes of this run that the THREAD accepted (ACTION and ROLLBACK events, result OK)."""
        return [
            e
            for e in self.events(run_id, kinds=(EventKind.ACTION, EventKind.ROLLBACK))
            if e.result == ActionResult.OK.value
        ]

    def last_applied(self, serial: str) -> dict[str, Any]:
        """The newest value this app wrote per key (``port1.mode`` ...) for a THREAD, any run.

        The Edge API cannot read a port's mode or voltage back; what this app last wrote is the
        best knowledge there is, and it survives restarts here.
        """
        rows = self._db.execute(
            "SELECT key, after_json FROM events WHERE serial = ? AND kind IN (?, ?) "
            "AND result = ? ORDER BY id",
            (serial, EventKind.ACTION.value, EventKind.ROLLBACK.value, ActionResult.OK.value),
        )
        return {row["key"]: json.loads(row["after_json"]) for row in rows if row["after_json"]}

    def count_runs(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM runs").fetchone()[0])


def _where(**filters: Any) -> tuple[str, list[Any]]:
    parts = [f"{name} = ?" for name, value in filters.items() if value is not None]
    args = [value for value in filters.values() if value is not None]
    return ("WHERE " + " AND ".join(parts) if parts else ""), args


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, default=str)


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _summary(row: sqlite3.Row) -> RunSummary:
    return RunSummary(
        run_id=row["id"],
        serial=row["serial"],
        address=row["address"],
        technician=row["technician"],
        site=SiteFields.from_json(json.loads(row["site_json"] or "{}")),
        identity=ThreadIdentity.from_json(
            json.loads(row["identity_json"] or "{}") or {"serial": row["serial"], "address": ""}
        ),
        profile_name=row["profile_name"],
        profile_text=row["profile_text"],
        status=RunStatus(row["status"]),
        stage=Stage(row["stage"]),
        started_at=row["started_at"],
        updated_at=row["updated_at"],
        finished_at=row["finished_at"],
        snapshot=(
            ThreadSnapshot.from_json(json.loads(row["snapshot_json"]))
            if row["snapshot_json"]
            else None
        ),
        record=RunRecord.from_json(json.loads(row["record_json"])) if row["record_json"] else None,
    )


def _event(row: sqlite3.Row) -> JournalEvent:
    return JournalEvent(
        event_id=row["id"],
        run_id=row["run_id"],
        at=row["at"],
        stage=Stage(row["stage"]),
        kind=EventKind(row["kind"]),
        key=row["key"],
        description=row["description"],
        before=_load(row["before_json"]),
        after=_load(row["after_json"]),
        result=row["result"],
        detail=row["detail"],
        serial=row["serial"],
        technician=row["technician"],
    )
