"""The registration journal: the offline queue of integrate requests and the refId -> cloud id map.

Installers register THREADs where there is no signal, close the laptop, and expect the work to
reach the cloud later, exactly once. So every registration is written to SQLite before anything
is sent, its status moves pending -> sending -> sent | failed (| discarded by the user), and the
cloud ids learned are kept per refId so a repeat can address the same entities. A row still in
"sending" after a crash is ambiguous: the registrar looks the cloud up before sending it again.

Each call opens its own short-lived connection under a lock (WAL mode), so the journal can be
used from the asyncio thread and from worker threads alike. A database that cannot be opened is
moved aside (``*.corrupt-<time>``) and a fresh one started; the app never fails to start on it.
Requests never hold credentials (checked on the way in); secret-looking response fields (a
connection's AUTH_TOKEN, for instance) are redacted before they are stored.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import logging
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from commissioner.core.cloud.registration import (
    RegistrationSpec,
    build_request,
    node_ref_id,
    parse_ref_id,
    spec_from_json,
    spec_to_json,
)

log = logging.getLogger(__name__)
_SECRET_KEY = re.compile(r"(?i)(secret|token|password|passwd|api[_-]?key|authorization|bearer)")
_SECRET_VALUE = re.compile(r"(?i)^(bearer|apikey|basic)\s+\S+")
REDACTED = "«redacted»"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS registrations (
    id INTEGER PRIMARY KEY AUTOINCREMENT, created_at REAL NOT NULL, updated_at REAL NOT NULL,
    thread_serial TEXT NOT NULL, profile_name TEXT NOT NULL, project_id TEXT NOT NULL,
    request_json TEXT NOT NULL, spec_json TEXT, status TEXT NOT NULL, attempts INTEGER NOT NULL,
    last_error TEXT NOT NULL, response_json TEXT, node_id TEXT, ambiguous INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS entity_ids (
    ref_id TEXT NOT NULL, project_id TEXT NOT NULL, kind TEXT NOT NULL, cloud_id TEXT NOT NULL,
    thread_serial TEXT NOT NULL, port INTEGER, registration_id INTEGER, updated_at REAL NOT NULL,
    PRIMARY KEY (ref_id, project_id));
"""


class RegistrationStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DISCARDED = "discarded"


class JournalError(ValueError):
    """An operation the registration's status does not allow, or an unknown registration."""


@dataclass(frozen=True)
class QueuedRegistration:
    id: int
    created_at: float
    updated_at: float
    thread_serial: str
    profile_name: str
    project_id: str
    request: dict[str, Any]
    status: RegistrationStatus
    attempts: int
    last_error: str
    response: dict[str, Any] | None
    node_id: str | None
    ambiguous: bool  # it may have been processed without us hearing back: look before resending
    spec: RegistrationSpec | None


@dataclass(frozen=True)
class EntityId:
    """One learned mapping: our refId (or node_ref_id) -> the id the cloud gave the entity."""

    ref_id: str
    kind: str  # node | device | sensor
    cloud_id: str
    thread_serial: str = ""
    port: int | None = None


def assert_no_secrets(value: Any, where: str = "request") -> None:
    """Raise ValueError if ``value`` carries anything that looks like a credential."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if _SECRET_KEY.search(str(key)):
                raise ValueError(f"{where}.{key}: credentials must never be stored in the journal")
            assert_no_secrets(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            assert_no_secrets(item, f"{where}[{i}]")
    elif isinstance(value, str) and _SECRET_VALUE.match(value):
        raise ValueError(f"{where}: credentials must never be stored in the journal")


def redact(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: REDACTED if _SECRET_KEY.search(str(k)) else redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return REDACTED if isinstance(value, str) and _SECRET_VALUE.match(value) else value


def serial_of(request: Mapping[str, Any]) -> str:
    """The THREAD serial named by the request's refIds (made by registration.py), or ""."""
    for device in request.get("integration", {}).get("devices", []) or []:
        parsed = parse_ref_id(str(device.get("refId", ""))) if isinstance(device, dict) else None
        if parsed:
            return parsed[0]
    return ""


class RegistrationJournal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.recovered_from: Path | None = None  # where a corrupt database was moved, if any
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._create()
        except sqlite3.DatabaseError as exc:
            stamp = time.strftime("%Y%m%dT%H%M%S")
            self.recovered_from = path.with_name(f"{path.name}.corrupt-{stamp}")
            log.warning("journal %s unreadable (%s); moved to %s", path, exc, self.recovered_from)
            for suffix in ("", "-wal", "-shm"):
                source = path.with_name(path.name + suffix)
                if source.exists():
                    source.replace(self.recovered_from.with_name(self.recovered_from.name + suffix))
            self._create()

    def _create(self) -> None:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            verdict = db.execute("PRAGMA quick_check").fetchone()
            if verdict is None or verdict[0] != "ok":
                raise sqlite3.DatabaseError(f"integrity check failed: {verdict}")
            db.executescript(_SCHEMA)
        finally:
            db.close()

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            db.row_factory = sqlite3.Row
            try:
                db.execute("BEGIN IMMEDIATE")
                yield db
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            finally:
                db.close()

    # --- the queue ---------------------------------------------------------------------------

    def enqueue(
        self,
        item: RegistrationSpec | Mapping[str, Any],
        *,
        profile_name: str = "",
        project_id: str = "",
        thread_serial: str | None = None,
    ) -> int:
        """Store a registration as pending and return its id."""
        spec = item if isinstance(item, RegistrationSpec) else None
        request = build_request(spec) if spec else dict(item)  # type: ignore[arg-type]
        assert_no_secrets(request)
        serial = thread_serial or (spec.thread_serial if spec else serial_of(request))
        now = time.time()
        with self._db() as db:
            cursor = db.execute(
                "INSERT INTO registrations (created_at, updated_at, thread_serial, profile_name,"
                " project_id, request_json, spec_json, status, attempts, last_error, node_id,"
                " ambiguous) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, '', ?, 0)",
                (
                    now, now, serial, profile_name, (spec.project_id if spec else "") or project_id,
                    json.dumps(request), json.dumps(spec_to_json(spec)) if spec else None,
                    request.get("integration", {}).get("nodeId"),
                ),
            )  # fmt: skip
            return int(cursor.lastrowid or 0)

    def get(self, registration_id: int) -> QueuedRegistration:
        with self._db() as db:
            row = db.execute(
                "SELECT * FROM registrations WHERE id = ?", (registration_id,)
            ).fetchone()
        if row is None:
            raise JournalError(f"No registration #{registration_id} in the journal.")
        return _record(row)

    def list(
        self, statuses: Iterable[RegistrationStatus] | None = None
    ) -> list[QueuedRegistration]:
        """Registrations, oldest first, optionally only those in ``statuses``."""
        with self._db() as db:
            if statuses is None:
                rows = db.execute("SELECT * FROM registrations ORDER BY id").fetchall()
            else:
                wanted = sorted({RegistrationStatus(s).value for s in statuses})
                marks = ",".join("?" * len(wanted))
                rows = db.execute(
                    f"SELECT * FROM registrations WHERE status IN ({marks}) ORDER BY id", wanted
                ).fetchall()
        return [_record(row) for row in rows]

    def count(self, statuses: Iterable[RegistrationStatus]) -> int:
        """How many registrations are in ``statuses``, without parsing them (the UI asks often)."""
        wanted = sorted({RegistrationStatus(s).value for s in statuses})
        marks = ",".join("?" * len(wanted))
        with self._db() as db:
            row = db.execute(
                f"SELECT COUNT(*) FROM registrations WHERE status IN ({marks})", wanted
            ).fetchone()
        return int(row[0])

    def _update(
        self,
        registration_id: int,
        allowed: Iterable[str] | None,
        *,
        bump: bool = False,
        **values: Any,
    ) -> None:
        """Set columns (names are ours, never input) if the status is one of ``allowed``."""
        values["updated_at"] = time.time()
        columns = ", ".join(f"{k} = ?" for k in values) + (
            ", attempts = attempts + 1" if bump else ""
        )
        with self._db() as db:
            row = db.execute(
                "SELECT status FROM registrations WHERE id = ?", (registration_id,)
            ).fetchone()
            if row is None:
                raise JournalError(f"No registration #{registration_id} in the journal.")
            if allowed is not None and row["status"] not in allowed:
                raise JournalError(
                    f"Registration #{registration_id} is {row['status']}; it cannot be changed now."
                )
            db.execute(
                f"UPDATE registrations SET {columns} WHERE id = ?",
                (*values.values(), registration_id),
            )

    def mark_sending(self, registration_id: int) -> None:
        """About to send: counts the attempt; a crash now leaves the row ambiguous."""
        self._update(registration_id, None, bump=True, status="sending")

    def mark_sent(
        self, registration_id: int, response: Mapping[str, Any] | None, node_id: str
    ) -> None:
        self._update(
            registration_id, None, status="sent", last_error="", node_id=node_id, ambiguous=0,
            response_json=None if response is None else json.dumps(redact(response)),
        )  # fmt: skip

    def mark_failed(self, registration_id: int, reason: str) -> None:
        self._update(registration_id, None, status="failed", last_error=reason)

    def mark_pending(
        self, registration_id: int, reason: str, *, ambiguous: bool | None = None
    ) -> None:
        values: dict[str, Any] = {"status": "pending", "last_error": reason}
        if ambiguous is not None:
            values["ambiguous"] = int(ambiguous)
        self._update(registration_id, None, **values)

    def edit(self, registration_id: int, item: RegistrationSpec | Mapping[str, Any]) -> None:
        """Replace the request of a pending or failed registration; it becomes pending again."""
        spec = item if isinstance(item, RegistrationSpec) else None
        request = build_request(spec) if spec else dict(item)  # type: ignore[arg-type]
        assert_no_secrets(request)
        self._update(
            registration_id, ("pending", "failed"), request_json=json.dumps(request),
            spec_json=json.dumps(spec_to_json(spec)) if spec else None, status="pending",
            last_error="", node_id=request.get("integration", {}).get("nodeId"),
        )  # fmt: skip

    def discard(self, registration_id: int) -> None:
        self._update(registration_id, ("pending", "failed"), status="discarded")

    # --- refId -> cloud id -------------------------------------------------------------------

    def record_ids(
        self,
        entities: Iterable[EntityId],
        *,
        project_id: str = "",
        registration_id: int | None = None,
    ) -> None:
        now = time.time()
        rows = [
            (e.ref_id, project_id, e.kind, e.cloud_id, e.thread_serial, e.port, registration_id, now)
            for e in entities
        ]  # fmt: skip
        with self._db() as db:
            db.executemany(
                "INSERT OR REPLACE INTO entity_ids VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows
            )

    def forget_ids(self, ref_ids: Iterable[str], *, project_id: str | None = None) -> None:
        """Drop mappings the cloud no longer knows (a deleted connection, a reset simulator)."""
        query = "DELETE FROM entity_ids WHERE ref_id = ? AND (? IS NULL OR project_id = ?)"
        with self._db() as db:
            db.executemany(query, [(ref, project_id, project_id) for ref in ref_ids])

    def cloud_id(self, ref_id: str, *, project_id: str | None = None) -> str | None:
        """The cloud id last recorded for ``ref_id`` (in ``project_id`` when given)."""
        query = "SELECT cloud_id FROM entity_ids WHERE ref_id = ?"
        args: tuple[str, ...] = (ref_id,)
        if project_id is not None:
            query, args = query + " AND project_id = ?", (ref_id, project_id)
        with self._db() as db:
            row = db.execute(query + " ORDER BY updated_at DESC LIMIT 1", args).fetchone()
        return None if row is None else str(row["cloud_id"])

    def node_for(self, thread_serial: str, *, project_id: str | None = None) -> str | None:
        """The connection (node) id a THREAD was registered under, if known."""
        return self.cloud_id(node_ref_id(thread_serial), project_id=project_id)

    def entity_ids(self, thread_serial: str | None = None) -> builtins.list[EntityId]:
        with self._db() as db:
            rows = db.execute("SELECT * FROM entity_ids ORDER BY ref_id").fetchall()
        return [
            EntityId(r["ref_id"], r["kind"], r["cloud_id"], r["thread_serial"], r["port"])
            for r in rows
            if thread_serial is None or r["thread_serial"] == thread_serial
        ]


def _record(row: sqlite3.Row) -> QueuedRegistration:
    spec = None
    if row["spec_json"]:
        with contextlib.suppress(ValueError):
            spec = spec_from_json(json.loads(row["spec_json"]))
    return QueuedRegistration(
        id=row["id"], created_at=row["created_at"], updated_at=row["updated_at"],
        thread_serial=row["thread_serial"], profile_name=row["profile_name"],
        project_id=row["project_id"], request=json.loads(row["request_json"]),
        status=RegistrationStatus(row["status"]), attempts=row["attempts"],
        last_error=row["last_error"],
        response=json.loads(row["response_json"]) if row["response_json"] else None,
        node_id=row["node_id"], ambiguous=bool(row["ambiguous"]), spec=spec,
    )  # fmt: skip
