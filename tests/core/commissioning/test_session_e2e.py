"""End to end: the commissioning engine against the simulated THREAD and the simulated cloud."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from commissioner.core.cloud.journal import RegistrationStatus
from commissioner.core.cloud.profiles import CloudProfile
from commissioner.core.cloud.workspace import CloudWorkspace
from commissioner.core.commissioning import load_profile
from commissioner.core.commissioning.headless import HeadlessPolicy, commission
from commissioner.core.commissioning.journal import CommissioningJournal
from commissioner.core.commissioning.run_model import (
    ActionResult,
    CheckStatus,
    EventKind,
    RunStatus,
    SiteFields,
    Stage,
)
from commissioner.core.commissioning.session import CommissioningSession, RunOptions
from commissioner.core.commissioning.snapshot import read_snapshot
from commissioner.core.commissioning.verify_data import DataWaitOptions
from commissioner.core.edge.client import EdgeClient
from commissioner.resources import resource_path
from commissioner.sim.server import ThreadServer
from tests.core.cloud.conftest import cloud_sim, memory_keyring, sim_profile  # noqa: F401
from tests.core.edge.conftest import fast_scenario, with_sensor_baud

MIXED = resource_path("profiles", "mixed-three-port.toml")
SITE = SiteFields(site="Bridge 7", location="North abutment", technician="A. Installer")
FAST = RunOptions(
    data=DataWaitOptions(
        timeout_s=3.0, min_values=3, analog_samples=2, analog_spacing_s=0.05, poll_interval_s=0.1
    ),
    settle_s=0.05,
    scan_listen_s=0.4,
    confirm_timeout_s=5.0,
)


@pytest.fixture
async def workspace(
    sim_profile: CloudProfile,  # noqa: F811
    memory_keyring: Any,  # noqa: F811
    tmp_path: Path,
) -> AsyncIterator[CloudWorkspace]:
    async with CloudWorkspace(sim_profile, tmp_path / "cloud", backoff_s=(0.05,)) as ws:
        await ws.sign_in()
        await ws.refresh_templates()
        yield ws


async def planned(client: EdgeClient, journal: CommissioningJournal) -> CommissioningSession:
    """A session connected, snapshotted and planned with the mixed profile: ready to apply."""
    session = CommissioningSession(client, journal, options=FAST)
    await session.connect()
    await session.take_snapshot()
    await session.plan(load_profile(MIXED), SITE)
    return session


def settings_of(snapshot: Any) -> list[tuple[int, bool, dict[str, Any], int | None]]:
    return [(p.port, p.device_connection, p.properties, p.voltage) for p in snapshot.ports]


async def test_full_run_passes_registers_and_confirms(
    client: EdgeClient,
    thread: ThreadServer,
    journal: CommissioningJournal,
    workspace: CloudWorkspace,
    cloud_sim: Any,  # noqa: F811
) -> None:
    """Every stage passes; the cloud holds one node with three devices, fed with the evidence."""
    record, session = await commission(
        client, journal, load_profile(MIXED), SITE, cloud=workspace, options=FAST
    )
    failed = [(c.key, c.evidence) for c in record.checks if not c.passed]
    assert record.status is RunStatus.PASSED, failed
    keys = {c.key for c in record.checks}
    assert {"voltage.port1", "data.port1", "data.port2", "data.port3"} <= keys
    assert "range.port1.temperature" in keys and "cloud.online" in keys
    assert record.cloud is not None and record.cloud.status == "registered"
    assert set(record.cloud.device_ids) == {1, 2, 3}
    assert record.config_hash.startswith("sha256:")
    assert {t.port for t in record.traces} == {1, 2, 3}
    assert cloud_sim.counts()["nodes"] == 1 and cloud_sim.counts()["devices"] == 3
    # the journal holds the whole story: every write done, and the stored record
    stored = journal.run(record.run_id)
    assert stored.status is RunStatus.PASSED and stored.record is not None
    writes = journal.events(record.run_id, kinds=[EventKind.ACTION])
    assert writes and all(e.result == ActionResult.OK.value for e in writes)
    assert all(e.serial == thread.serial_number and e.technician == "A. Installer" for e in writes)
    assert session.data_wait_s > 0


async def test_wrong_baud_is_found_by_the_scan_and_applied(
    journal: CommissioningJournal,
) -> None:
    """Port 1 is silent at the profile's 9600; the scan finds 4800 and accepting it passes."""
    async with (
        ThreadServer(with_sensor_baud(fast_scenario(), 1, 4800)) as server,
        EdgeClient(server.url, timeout_s=2.0, retry_backoff_s=0.01) as client,
    ):
        session = await planned(client, journal)
        assert (await session.apply()).ok
        checks = await session.verify()
        assert next(c for c in checks if c.key == "data.port1").status is CheckStatus.FAIL
        scan = session.scans[1]
        assert scan.found is not None and scan.found.baud == 4800
        rechecked = await session.accept_scan(1)
        assert all(c.passed for c in rechecked), [(c.key, c.evidence) for c in rechecked]
        props = (await client.get_port_properties(1)).to_payload()
        assert props["BAUD_RATE"] == 4800
        record = session.finish()
        assert record.status is RunStatus.PASSED, [c.key for c in record.checks if not c.passed]
        scans = journal.events(record.run_id, kinds=[EventKind.SCAN])
        assert any(e.result == "speaks" for e in scans)


async def test_failed_verification_rolls_back_to_the_snapshot(
    client: EdgeClient, thread: ThreadServer, journal: CommissioningJournal
) -> None:
    """A range that the sensor cannot meet fails; rollback restores what was read before."""
    before = await read_snapshot(client)
    profile = load_profile(MIXED)
    port1 = profile.port(1)
    assert port1 is not None
    narrow = tuple(dataclasses.replace(c, minimum=500.0, maximum=501.0) for c in port1.channels)
    ports = tuple(
        dataclasses.replace(p, channels=narrow) if p.number == 1 else p for p in profile.ports
    )
    profile = dataclasses.replace(profile, ports=ports)
    record, _ = await commission(
        client,
        journal,
        profile,
        SITE,
        options=FAST,
        policy=HeadlessPolicy(rollback_on_failure=True),
    )
    assert record.status is RunStatus.ROLLED_BACK
    assert "verification failed" in record.failure
    after = await read_snapshot(client)
    assert settings_of(after) == settings_of(before)
    assert after.battery_saver == before.battery_saver
    assert after.interface_priority == before.interface_priority
    assert after.cloud_connection == before.cloud_connection
    undo = journal.events(record.run_id, kinds=[EventKind.ROLLBACK])
    assert undo and all(e.result == ActionResult.OK.value for e in undo)


async def test_interrupted_apply_resumes_where_it_stopped(
    journal: CommissioningJournal,
) -> None:
    """The THREAD drops out mid-apply; after it is back, resume sends only what is left."""
    scenario = fast_scenario()
    async with ThreadServer(scenario) as server:
        url = server.url
        async with EdgeClient(url, timeout_s=1.0, retry_backoff_s=0.01) as client:
            session = await planned(client, journal)
            total = len(session.actions)
            # run a few writes, then stop as a crash would (the task is simply abandoned)
            session.actions = session.actions[:4]
            assert (await session.apply()).ok
            run_id = session.run_id
            assert run_id is not None
        assert journal.run(run_id).status is RunStatus.IN_PROGRESS
        # the app restarts: a new client, the journal reopened from the same file
        reopened = CommissioningJournal(journal.path)
        async with EdgeClient(url, timeout_s=2.0, retry_backoff_s=0.01) as client:
            resumed = await CommissioningSession.resume(client, reopened, run_id, options=FAST)
            assert resumed.stage is Stage.APPLY
            assert len(resumed.actions) == total - 4  # nothing done is sent again
            assert (await resumed.apply()).ok
            await resumed.verify()
            record = resumed.finish()
        assert record.status is RunStatus.PASSED, [c.key for c in record.checks if not c.passed]
        writes = reopened.events(run_id, kinds=[EventKind.ACTION])
        assert len(writes) == total


async def test_offline_registration_is_queued_then_delivered_once(
    client: EdgeClient,
    thread: ThreadServer,
    journal: CommissioningJournal,
    workspace: CloudWorkspace,
    cloud_sim: Any,  # noqa: F811
) -> None:
    """With the cloud offline the run passes with a queued registration, sent once later."""
    await cloud_sim.go_offline()
    record, _ = await commission(
        client, journal, load_profile(MIXED), SITE, cloud=workspace, options=FAST
    )
    assert record.cloud is not None and record.cloud.status == "queued"
    assert record.status is RunStatus.PASSED
    confirm = next(c for c in record.checks if c.key == "cloud.confirm")
    assert confirm.status is CheckStatus.SKIPPED
    await cloud_sim.come_back()
    await workspace.flusher.flush_now()
    await workspace.flusher.flush_now()
    assert record.cloud.registration_id is not None
    item = workspace.journal.get(record.cloud.registration_id)
    assert item.status is RegistrationStatus.SENT
    assert cloud_sim.counts()["nodes"] == 1 and cloud_sim.counts()["devices"] == 3


async def test_failed_write_can_be_retried_or_skipped(
    client: EdgeClient, thread: ThreadServer, journal: CommissioningJournal
) -> None:
    """A write the THREAD refuses stops the run; retry sends it again, skip journals it skipped."""
    from commissioner.sim.faults import Faults

    session = await planned(client, journal)
    thread.device.faults.set(Faults(error_rate=1.0))
    outcome = await session.apply()
    assert not outcome.ok and outcome.failed is session.actions[0] and outcome.error
    assert session.stage is Stage.APPLY
    again = await session.retry()
    assert again.failed is session.actions[0]
    thread.device.faults.set(Faults())
    first_key = session.actions[0].key
    done = await session.skip()
    assert done.ok and session.stage is Stage.VERIFY
    results = [
        (e.key, e.result) for e in journal.events(session.run_id or 0, kinds=[EventKind.ACTION])
    ]
    assert results[:3] == [
        (first_key, ActionResult.FAILED.value),
        (first_key, ActionResult.FAILED.value),
        (first_key, ActionResult.SKIPPED.value),
    ]
    assert all(r == ActionResult.OK.value for _, r in results[3:])


async def test_resumed_after_verification_keeps_its_evidence(
    client: EdgeClient, thread: ThreadServer, journal: CommissioningJournal
) -> None:
    """Stopped after verifying, the resumed run goes on to register and still reports the data."""
    session = await planned(client, journal)
    assert (await session.apply()).ok
    await session.verify()
    run_id = session.run_id
    assert run_id is not None
    resumed = await CommissioningSession.resume(client, journal, run_id, options=FAST)
    assert resumed.stage is Stage.REGISTER and not resumed.actions
    await resumed.register("skipped in this test")
    await resumed.confirm()
    record = resumed.finish()
    assert record.status is RunStatus.PASSED
    assert {"data.port1", "data.port2", "data.port3"} <= {c.key for c in record.checks}
    assert {t.port for t in record.traces} == {1, 2, 3}
    assert record.cloud is not None and record.cloud.reason == "skipped in this test"


async def test_garbled_answers_are_read_again_not_fatal(journal: CommissioningJournal) -> None:
    """One answer in twenty cut short: the snapshot still completes (reads are repeated)."""
    from commissioner.sim.faults import Faults

    async with (
        ThreadServer(fast_scenario(), faults=Faults(malformed_rate=0.05, seed=3)) as server,
        EdgeClient(server.url, timeout_s=2.0, retry_backoff_s=0.01) as client,
    ):
        session = CommissioningSession(client, journal, options=FAST)
        await session.connect()
        snapshot = await session.take_snapshot()
        assert [p.port for p in snapshot.ports] == [1, 2, 3]
        assert journal.run(session.run_id or 0).snapshot == snapshot
