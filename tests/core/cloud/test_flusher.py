"""The queue flusher delivers what was queued offline exactly once, oldest first, over loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from commissioner.core.cloud.flusher import FlusherState, FlushEvent, QueueFlusher
from commissioner.core.cloud.journal import RegistrationJournal, RegistrationStatus
from commissioner.core.cloud.registrar import Registrar
from commissioner.core.cloud.registration import DeviceSpec, RegistrationSpec
from tests.core.cloud.test_registrar import cloud_api, counts
from tests.core.cloud.test_registration import thread_spec

SENT, PENDING, FAILED = (
    RegistrationStatus.SENT,
    RegistrationStatus.PENDING,
    RegistrationStatus.FAILED,
)
pytestmark = pytest.mark.usefixtures("memory_keyring")


class Events:
    """Collects flusher events and lets a test wait (bounded) for one it describes."""

    def __init__(self) -> None:
        self.seen: list[FlushEvent] = []
        self._changed = asyncio.Event()

    def __call__(self, event: FlushEvent) -> None:
        self.seen.append(event)
        self._changed.set()

    async def wait_for(
        self, test: Callable[[FlushEvent], bool], timeout: float = 15.0
    ) -> FlushEvent:
        async with asyncio.timeout(timeout):
            while True:
                found = next((e for e in self.seen if test(e)), None)
                if found is not None:
                    return found
                self._changed.clear()
                await self._changed.wait()


def bad_spec(serial: str) -> RegistrationSpec:
    """Passes local checks, but the cloud does not know the device template: 422."""
    spec = thread_spec(serial)
    device = DeviceSpec(**{**spec.devices[0].__dict__, "integration_id": "NO_SUCH_SDE"})
    return RegistrationSpec(serial, devices=(device,))


async def test_queued_offline_delivered_once_after_restart_and_reconnect(
    cloud_sim: Any, tmp_path: Path
) -> None:
    path = tmp_path / "registrations.sqlite"
    async with cloud_api(cloud_sim) as api:
        await cloud_sim.go_offline()
        rid = RegistrationJournal(path).enqueue(thread_spec(), project_id=api.profile.project_id)
        journal = RegistrationJournal(path)  # the app restarted: a new instance, same file
        events = Events()
        flusher = QueueFlusher(
            journal, Registrar(api, journal), probe_interval_s=30, backoff_s=(0.05,)
        )
        flusher.add_listener(events)
        async with flusher:
            waiting = await events.wait_for(lambda e: e.state is FlusherState.WAITING)
            assert waiting.pending == 1 and "unavailable" in waiting.reason
            assert journal.get(rid).status is PENDING
            await cloud_sim.come_back()
            done = await events.wait_for(
                lambda e: e.outcome is not None and e.outcome.status is SENT
            )
            assert done.outcome is not None and done.outcome.registration_id == rid
            await events.wait_for(lambda e: e.state is FlusherState.IDLE)
            report = await flusher.flush_now()
            assert report.outcomes == []
        assert counts(cloud_sim) == (1, 1, 2)
        assert [n.id for n in await api.list_nodes()] == [done.outcome.node_id]
        assert journal.get(rid).status is SENT
        assert events.seen[-1].state is FlusherState.STOPPED


async def test_flush_now_sends_oldest_first_and_keeps_failures_with_reasons(
    cloud_sim: Any, tmp_path: Path
) -> None:
    journal = RegistrationJournal(tmp_path / "j.sqlite")
    first = journal.enqueue(bad_spec("A1"))
    second = journal.enqueue(thread_spec("B2"))
    async with cloud_api(cloud_sim) as api:
        flusher = QueueFlusher(journal, Registrar(api, journal), probe_interval_s=30)
        report = await flusher.flush_now()
    assert [(o.registration_id, o.status) for o in report.outcomes] == [
        (first, FAILED),
        (second, SENT),
    ]
    assert report.sent == 1 and report.stopped_by is None
    failed = journal.get(first)
    assert failed.status is FAILED and "NO_SUCH_SDE" in failed.last_error
    assert counts(cloud_sim) == (1, 1, 2)


async def test_discarded_are_never_sent_and_edited_ones_are(cloud_sim: Any, tmp_path: Path) -> None:
    journal = RegistrationJournal(tmp_path / "j.sqlite")
    dropped = journal.enqueue(thread_spec("A1"))
    journal.discard(dropped)
    fixed = journal.enqueue(bad_spec("B2"))
    async with cloud_api(cloud_sim) as api:
        flusher = QueueFlusher(journal, Registrar(api, journal), probe_interval_s=30)
        first = await flusher.flush_now()
        assert [o.status for o in first.outcomes] == [FAILED]
        journal.edit(fixed, thread_spec("B2"))
        second = await flusher.flush_now()
    assert [(o.registration_id, o.status) for o in second.outcomes] == [(fixed, SENT)]
    assert journal.get(dropped).status is RegistrationStatus.DISCARDED
    assert counts(cloud_sim) == (1, 1, 2)


async def test_an_outage_stops_the_pass_and_keeps_the_order(cloud_sim: Any, tmp_path: Path) -> None:
    journal = RegistrationJournal(tmp_path / "j.sqlite")
    ids = [journal.enqueue(thread_spec(s)) for s in ("A1", "B2")]
    async with cloud_api(cloud_sim) as api:
        flusher = QueueFlusher(journal, Registrar(api, journal), probe_interval_s=30)
        await cloud_sim.go_offline()
        report = await flusher.flush_now()
        assert [o.registration_id for o in report.outcomes] == ids[:1]
        assert report.stopped_by is not None and report.stopped_by.blocks_queue
        await cloud_sim.come_back()
        report = await flusher.flush_now()
    assert [(o.registration_id, o.status) for o in report.outcomes] == [
        (ids[0], SENT),
        (ids[1], SENT),
    ]
    assert counts(cloud_sim) == (2, 2, 4)


async def test_a_crashed_send_is_reconciled_by_the_flusher(cloud_sim: Any, tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    before = RegistrationJournal(path)
    rid = before.enqueue(thread_spec())
    before.mark_sending(rid)
    async with cloud_api(cloud_sim) as api:
        await api.integrate(before.get(rid).request)  # processed before the crash
        journal = RegistrationJournal(path)
        report = await QueueFlusher(journal, Registrar(api, journal)).flush_now()
    assert [(o.status, o.skipped) for o in report.outcomes] == [(SENT, 3)]
    assert counts(cloud_sim) == (1, 1, 2)
