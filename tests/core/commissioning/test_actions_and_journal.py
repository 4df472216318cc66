"""Planning order, the configuration hash and the journal, without a THREAD."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from commissioner.core.commissioning import load_profile
from commissioner.core.commissioning.actions import (
    ActionKind,
    diff,
    plan_actions,
    target_from_profile,
    target_from_snapshot,
)
from commissioner.core.commissioning.config_hash import config_hash
from commissioner.core.commissioning.journal import CommissioningJournal
from commissioner.core.commissioning.run_model import (
    ActionResult,
    EventKind,
    PortSnapshot,
    RunRecord,
    RunStatus,
    SiteFields,
    Stage,
    ThreadIdentity,
    ThreadSnapshot,
)
from commissioner.resources import resource_path


def factory_state() -> ThreadSnapshot:
    """A THREAD as delivered: ports off and unpowered, mode unknown (the API cannot read it)."""
    ports = tuple(
        PortSnapshot(n, None, "unknown", 0, "inferred from 0.00 V measured", 0.0, False, {})
        for n in (1, 2, 3)
    )
    return ThreadSnapshot(0.0, False, "ethernet", {"enabled": False, "low": 10, "high": 100}, ports)


def test_plan_follows_the_safe_order_per_port_and_gateway_last() -> None:
    """Properties, then mode before voltage, connection last; the cloud connection at the end."""
    profile = load_profile(resource_path("profiles", "mixed-three-port.toml"))
    actions = plan_actions(factory_state(), target_from_profile(profile))
    port1 = [a.kind for a in actions if a.port == 1]
    assert port1 == [
        ActionKind.PUT_PROPERTIES,
        ActionKind.SET_MODE,
        ActionKind.SET_VOLTAGE,
        ActionKind.SET_CONNECTION,
    ]
    assert actions[-1].kind is ActionKind.CLOUD_CONNECTION
    assert [a.key for a in actions if a.kind is ActionKind.SET_MODE] == [
        "port1.mode",
        "port2.mode",
        "port3.mode",
    ]
    rows = diff(factory_state(), target_from_profile(profile))
    assert any(r.key == "port1.MODE" and r.before == "unknown" and r.changes for r in rows)


def test_rollback_target_removes_what_was_added_and_restores_the_rest() -> None:
    """Planning from the installed state back to the snapshot undoes every readable setting."""
    before = factory_state()
    profile = load_profile(resource_path("profiles", "mixed-three-port.toml"))
    installed_ports = tuple(
        dataclasses.replace(
            p,
            device_connection=True,
            voltage=1,
            properties={"BAUD_RATE": 9600, "COMM_TYPE": "RS232"},
        )
        for p in before.ports
    )
    now = dataclasses.replace(before, ports=installed_ports, cloud_connection=True)
    actions = plan_actions(now, target_from_snapshot(before, now))
    kinds = {(a.port, a.kind) for a in actions}
    assert (1, ActionKind.DELETE_PROPERTIES) in kinds
    assert (1, ActionKind.SET_VOLTAGE) in kinds
    assert (None, ActionKind.CLOUD_CONNECTION) in kinds
    assert not any(a.kind is ActionKind.SET_MODE for a in actions)  # unknown before: left alone
    assert profile.name  # the profile itself is untouched by planning


def test_config_hash_ignores_measurements_and_time_but_not_settings() -> None:
    a = factory_state()
    measured = dataclasses.replace(
        a,
        taken_at=99.0,
        ports=tuple(dataclasses.replace(p, measured_v=0.07) for p in a.ports),
    )
    assert config_hash(a) == config_hash(measured)
    changed = dataclasses.replace(a, cloud_connection=True)
    assert config_hash(a) != config_hash(changed)


def test_journal_survives_reopening_and_remembers_modes(tmp_path: Path) -> None:
    """Written rows are there after a crash; the last written mode is remembered per serial."""
    path = tmp_path / "journal.sqlite"
    journal = CommissioningJournal(path)
    identity = ThreadIdentity("AB1234", "http://127.0.0.1:1")
    run_id = journal.start_run(identity, SiteFields(technician="Kim"))
    journal.set_snapshot(run_id, factory_state())
    event = journal.record(
        run_id,
        Stage.APPLY,
        EventKind.ACTION,
        "port1.mode",
        "Port 1: set interface mode RS232",
        before=None,
        after="RS232",
        result=ActionResult.PENDING.value,
    )
    journal.set_result(event, ActionResult.OK.value)
    pending = journal.record(run_id, Stage.APPLY, EventKind.ACTION, "port1.voltage", after=1)
    del journal  # no close: as a crash would leave it
    reopened = CommissioningJournal(path)
    summary = reopened.unfinished("AB1234")[0]
    assert summary.run_id == run_id and summary.technician == "Kim"
    assert summary.snapshot == factory_state()
    assert reopened.last_applied("AB1234") == {"port1.mode": "RS232"}
    assert [e.event_id for e in reopened.events(run_id)][-1] == pending
    record = RunRecord(run_id, identity, SiteFields(), "p", RunStatus.PASSED, Stage.DONE, 1.0)
    reopened.set_record(run_id, record)
    assert reopened.run(run_id).status is RunStatus.PASSED
    assert reopened.unfinished() == []
