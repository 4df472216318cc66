"""The registration journal keeps the queue and the id map across restarts, and never secrets."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from commissioner.core.cloud.journal import (
    REDACTED,
    EntityId,
    JournalError,
    RegistrationJournal,
    RegistrationStatus,
)
from commissioner.core.cloud.registration import build_request
from tests.core.cloud.test_registration import thread_spec

PENDING, SENDING, SENT, FAILED, DISCARDED = (
    RegistrationStatus.PENDING,
    RegistrationStatus.SENDING,
    RegistrationStatus.SENT,
    RegistrationStatus.FAILED,
    RegistrationStatus.DISCARDED,
)


@pytest.fixture
def journal(tmp_path: Path) -> RegistrationJournal:
    return RegistrationJournal(tmp_path / "registrations.sqlite")


def test_enqueued_spec_is_pending_with_its_request(journal: RegistrationJournal) -> None:
    spec = thread_spec()
    rid = journal.enqueue(spec, profile_name="Simulator", project_id="P1")
    row = journal.get(rid)
    assert (row.status, row.attempts, row.thread_serial) == (PENDING, 0, "T1000")
    assert (row.profile_name, row.project_id) == ("Simulator", "P1")
    assert row.request == build_request(spec)
    assert row.spec == spec
    assert row.node_id is None and not row.ambiguous


def test_a_raw_request_gets_its_serial_from_the_ref_ids(journal: RegistrationJournal) -> None:
    request = build_request(thread_spec("ZZ9", node_id="/api/ABCDEF/node"))
    row = journal.get(journal.enqueue(request))
    assert (row.thread_serial, row.node_id, row.spec) == ("ZZ9", "/api/ABCDEF/node", None)


def test_status_moves_and_lists_oldest_first(journal: RegistrationJournal) -> None:
    first, second, third = (journal.enqueue(thread_spec(s)) for s in ("A", "B", "C"))
    journal.mark_sending(first)
    journal.mark_sent(first, {"integration": {}}, "/api/AAAAAA/node")
    journal.mark_sending(second)
    journal.mark_failed(second, "HTTP 422: bad")
    assert [r.id for r in journal.list()] == [first, second, third]
    assert [r.id for r in journal.list([PENDING, FAILED])] == [second, third]
    sent = journal.get(first)
    assert (sent.status, sent.attempts, sent.node_id) == (SENT, 1, "/api/AAAAAA/node")
    assert sent.response == {"integration": {}}
    assert journal.get(second).last_error == "HTTP 422: bad"
    journal.mark_pending(third, "offline", ambiguous=True)
    assert journal.get(third).ambiguous and journal.get(third).last_error == "offline"


def test_edit_and_discard_only_while_not_sent(journal: RegistrationJournal) -> None:
    rid = journal.enqueue(thread_spec())
    journal.mark_failed(rid, "HTTP 422")
    edited = thread_spec("T2000")
    journal.edit(rid, edited)
    row = journal.get(rid)
    assert (row.status, row.last_error, row.request) == (PENDING, "", build_request(edited))
    journal.discard(rid)
    assert journal.get(rid).status is DISCARDED
    with pytest.raises(JournalError, match="discarded"):
        journal.edit(rid, edited)
    sent = journal.enqueue(thread_spec())
    journal.mark_sent(sent, None, "/api/AAAAAA/node")
    with pytest.raises(JournalError, match="sent"):
        journal.discard(sent)
    with pytest.raises(JournalError, match="#999"):
        journal.get(999)


def test_a_new_instance_on_the_same_file_sees_everything(tmp_path: Path) -> None:
    """A restart: the queue, an interrupted send and the id map are all still there."""
    path = tmp_path / "j.sqlite"
    before = RegistrationJournal(path)
    queued = before.enqueue(thread_spec("A"))
    crashed = before.enqueue(thread_spec("B"))
    before.mark_sending(crashed)
    before.record_ids(
        [EntityId("thread-B", "node", "/api/BBBBBB/node", "B")], project_id="P", registration_id=2
    )
    after = RegistrationJournal(path)
    assert [(r.id, r.status) for r in after.list()] == [(queued, PENDING), (crashed, SENDING)]
    assert after.node_for("B") == "/api/BBBBBB/node"


def test_ids_are_kept_per_project_and_can_be_forgotten(journal: RegistrationJournal) -> None:
    journal.record_ids(
        [
            EntityId("thread-S-port1", "device", "/api/AAAAAA/node/dynamic/111111/device", "S", 1),
            EntityId("thread-S", "node", "/api/AAAAAA/node", "S"),
        ],
        project_id="P1",
    )
    journal.record_ids([EntityId("thread-S", "node", "/api/BBBBBB/node", "S")], project_id="P2")
    assert journal.node_for("S", project_id="P1") == "/api/AAAAAA/node"
    assert journal.node_for("S", project_id="P2") == "/api/BBBBBB/node"
    assert journal.cloud_id("thread-S-port1") == "/api/AAAAAA/node/dynamic/111111/device"
    assert [e.port for e in journal.entity_ids("S") if e.kind == "device"] == [1]
    journal.forget_ids(["thread-S"], project_id="P1")
    assert journal.node_for("S", project_id="P1") is None
    assert journal.node_for("S") == "/api/BBBBBB/node"


def test_a_corrupt_database_is_kept_aside_and_replaced(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    path.write_bytes(b"this is not a database, it is a field note" * 100)
    journal = RegistrationJournal(path)
    assert journal.recovered_from is not None and journal.recovered_from.exists()
    assert b"field note" in journal.recovered_from.read_bytes()
    rid = journal.enqueue(thread_spec())
    assert journal.get(rid).status is PENDING


def test_credentials_are_refused_and_response_secrets_redacted(
    journal: RegistrationJournal, tmp_path: Path
) -> None:
    request = build_request(thread_spec())
    request["integration"]["devices"][0]["props"]["AUTH_TOKEN"] = "s3cr3t-value"
    with pytest.raises(ValueError, match="credentials"):
        journal.enqueue(request)
    bearer = build_request(thread_spec())
    bearer["integration"]["devices"][0]["props"]["NOTES"] = "Bearer eyJhbGciOi"
    with pytest.raises(ValueError, match="credentials"):
        journal.enqueue(bearer)
    rid = journal.enqueue(thread_spec())
    node = {"id": "/api/AAAAAA/node", "props": {"AUTH_TOKEN": "s3cr3t-value", "NAME": "n"}}
    journal.mark_sent(rid, {"integration": {"node": node, "devices": []}}, "/api/AAAAAA/node")
    stored = journal.get(rid).response
    assert stored is not None
    assert stored["integration"]["node"]["props"] == {"AUTH_TOKEN": REDACTED, "NAME": "n"}
    with sqlite3.connect(journal.path) as db:
        dump = "\n".join(db.iterdump())
    assert "s3cr3t" not in dump and "eyJhbGciOi" not in dump


def test_concurrent_writers_from_threads_do_not_collide(journal: RegistrationJournal) -> None:
    ids: list[int] = []

    def work(serial: str) -> None:
        for _ in range(5):
            ids.append(journal.enqueue(thread_spec(serial)))

    threads = [threading.Thread(target=work, args=(f"T{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(ids)) == 20 == len(journal.list())


def test_count_matches_list_for_statuses(tmp_path: Path) -> None:
    """count() answers what len(list()) would, without parsing every row."""
    from commissioner.core.cloud.journal import RegistrationJournal, RegistrationStatus
    from tests.core.cloud.test_registration import thread_spec

    journal = RegistrationJournal(tmp_path / "j.sqlite")
    first = journal.enqueue(thread_spec("A1"))
    journal.enqueue(thread_spec("A2"))
    journal.discard(first)
    due = (RegistrationStatus.PENDING, RegistrationStatus.SENDING)
    assert journal.count(due) == len(journal.list(due)) == 1
    assert journal.count([RegistrationStatus.DISCARDED]) == 1
