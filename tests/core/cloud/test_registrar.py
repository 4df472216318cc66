"""The registrar against the cloud simulator over loopback: registers, reconciles, never duplicates."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from commissioner.core.cloud.api import SensorDataApi
from commissioner.core.cloud.auth import CloudAuth
from commissioner.core.cloud.journal import EntityId, RegistrationJournal, RegistrationStatus
from commissioner.core.cloud.profiles import (
    SIM_SERVICE_CLIENT_SECRET,
    AuthMethod,
    simulator_profile,
)
from commissioner.core.cloud.registrar import Registrar
from commissioner.core.cloud.registration import (
    DeviceSpec,
    MetricSpec,
    RegistrationSpec,
    SensorSpec,
    build_request,
    device_ref_id,
    removal_request,
    sensor_ref_id,
    update_request,
)
from commissioner.core.cloud.secrets import SecretStore
from commissioner.core.cloud.transport import CloudTransport
from commissioner.core.cloud.verify import all_ok, compare
from tests.core.cloud.test_registration import thread_spec

SENT, PENDING, FAILED = (
    RegistrationStatus.SENT,
    RegistrationStatus.PENDING,
    RegistrationStatus.FAILED,
)
READ_ONLY_PROJECT = "00000000-0000-4000-8000-00000000beef"
pytestmark = pytest.mark.usefixtures("memory_keyring")


async def quick_sleep(_seconds: float) -> None:
    """The transport's retry pauses, shortened so offline tests stay fast (no timing asserted)."""
    await asyncio.sleep(0)


@contextlib.asynccontextmanager
async def cloud_api(
    sim: Any, *, timeout_s: float = 5.0, project_id: str | None = None
) -> AsyncIterator[SensorDataApi]:
    """A real SensorDataApi signed in as the simulator's service application."""
    profile = simulator_profile(sim.url, auth_method=AuthMethod.SERVICE)
    if project_id is not None:
        profile = profile.with_project(project_id)
    auth = CloudAuth(profile, secrets=SecretStore())
    await auth.sign_in_service(SIM_SERVICE_CLIENT_SECRET)
    transport = CloudTransport(profile, auth, timeout_s=timeout_s, sleep=quick_sleep)
    try:
        yield SensorDataApi(profile, transport)
    finally:
        await transport.aclose()
        await auth.aclose()


def counts(sim: Any) -> tuple[int, int, int]:
    state = sim.counts()
    return state["nodes"], state["devices"], state["sensors"]


def integrate_calls(sim: Any) -> int:
    return sum(1 for r in sim.requests if r.path.endswith("/integrations/integrate"))


@pytest.fixture
def journal(tmp_path: Path) -> RegistrationJournal:
    return RegistrationJournal(tmp_path / "registrations.sqlite")


@pytest.fixture
async def api(cloud_sim: Any) -> AsyncIterator[SensorDataApi]:
    async with cloud_api(cloud_sim) as made:
        yield made


@pytest.fixture
def registrar(api: SensorDataApi, journal: RegistrationJournal) -> Registrar:
    return Registrar(api, journal)


async def test_simple_approach_creates_node_devices_sensors_mapped_to_ports(
    cloud_sim: Any, api: SensorDataApi, registrar: Registrar, journal: RegistrationJournal
) -> None:
    spec = thread_spec()
    outcome = await registrar.register(spec)
    assert outcome.status is SENT and outcome.node_id
    assert (outcome.created, outcome.skipped) == (3, 0)
    assert counts(cloud_sim) == (1, 1, 2)
    device_id = outcome.device_ids()[1]
    assert device_id.startswith(outcome.node_id + "/dynamic/")
    assert [s.startswith(device_id) for s in outcome.sensor_ids(1)] == [True, True]
    assert journal.node_for("T1000") == outcome.node_id
    assert journal.cloud_id(sensor_ref_id("T1000", 1, 1)) == outcome.sensor_ids(1)[1]
    assert journal.get(outcome.registration_id).status is SENT
    assert all_ok(compare(spec, await api.get_integration(outcome.node_id)))


async def test_repeating_a_registration_creates_nothing(
    cloud_sim: Any, registrar: Registrar
) -> None:
    first = await registrar.register(thread_spec())
    again = await registrar.register(thread_spec())
    assert again.status is SENT and again.node_id == first.node_id
    assert (again.created, again.updated, again.skipped) == (0, 0, 3)
    assert again.ids_by_ref() == first.ids_by_ref()
    assert counts(cloud_sim) == (1, 1, 2)
    assert integrate_calls(cloud_sim) == 1


async def test_repeat_with_changes_updates_in_place(
    cloud_sim: Any, api: SensorDataApi, registrar: Registrar
) -> None:
    await registrar.register(thread_spec())
    spec = thread_spec()
    renamed = RegistrationSpec(
        spec.thread_serial, devices=(DeviceSpec(**{**spec.devices[0].__dict__, "name": "Pump"}),)
    )
    outcome = await registrar.register(renamed)
    assert (outcome.created, outcome.updated, outcome.skipped) == (0, 1, 2)
    assert counts(cloud_sim) == (1, 1, 2)
    assert outcome.node_id is not None
    assert all_ok(compare(renamed, await api.get_integration(outcome.node_id)))


async def test_advanced_approach_adds_devices_to_an_existing_node(
    cloud_sim: Any, api: SensorDataApi, registrar: Registrar
) -> None:
    node_id = (await registrar.register(thread_spec("A1"))).node_id
    assert node_id is not None
    sensor = SensorSpec(
        sensor_ref_id("B2", 4, 0),
        "GENERIC_SENSOR_SDE",
        "Strain",
        metrics=(MetricSpec("strain", "microstrain"),),
    )
    device = DeviceSpec(
        device_ref_id("B2", 4), "IMPORT_DEVICE_SDE", "Port 4", port=4, sensors=(sensor,)
    )
    spec = RegistrationSpec("B2", node_id=node_id, devices=(device,))
    outcome = await registrar.register(spec)
    assert outcome.status is SENT and outcome.node_id == node_id
    assert outcome.device_ids()[4].startswith(node_id)
    assert counts(cloud_sim) == (1, 2, 3)
    assert all_ok(compare(spec, await api.get_integration(node_id)))


async def test_update_and_remove_by_ref_id(
    cloud_sim: Any, api: SensorDataApi, registrar: Registrar, journal: RegistrationJournal
) -> None:
    node_id = (await registrar.register(thread_spec())).node_id
    assert node_id is not None
    update = update_request(node_id, {sensor_ref_id("T1000", 1, 1): {"NAME": "Shade air"}})
    outcome = await registrar.register(journal.enqueue(update))
    assert (outcome.status, outcome.updated, outcome.skipped) == (SENT, 1, 1)  # device: carrier
    assert all_ok(compare(update, await api.get_integration(node_id)))
    removal = removal_request(node_id, [sensor_ref_id("T1000", 1, 0)])
    outcome = await registrar.register(journal.enqueue(removal))
    assert outcome.removed == 1 and counts(cloud_sim) == (1, 1, 1)
    assert journal.cloud_id(sensor_ref_id("T1000", 1, 0)) is None
    assert all_ok(compare(removal, await api.get_integration(node_id)))
    again = await registrar.register(journal.enqueue(removal))
    assert (again.status, again.skipped, again.removed) == (SENT, 2, 0)  # carrier + sensor


async def test_timeout_after_send_ends_with_exactly_one_of_each(
    cloud_sim: Any, journal: RegistrationJournal
) -> None:
    """The cloud stored the new connection but its answer was too late: look, then send nothing."""
    async with cloud_api(cloud_sim, timeout_s=0.5) as slow:
        cloud_sim.faults.delay_after_accept_s = 2.0
        outcome = await Registrar(slow, journal).register(thread_spec())
        assert outcome.status is SENT
        assert (outcome.created, outcome.skipped) == (0, 3)
        assert counts(cloud_sim) == (1, 1, 2)
        nodes = await slow.list_nodes()
        assert [n.id for n in nodes] == [outcome.node_id]
        assert journal.get(outcome.registration_id).attempts == 1


async def test_timeout_after_send_into_a_known_node_adds_nothing_twice(
    cloud_sim: Any, registrar: Registrar, journal: RegistrationJournal
) -> None:
    node_id = (await registrar.register(thread_spec("A1"))).node_id
    spec = thread_spec("B2", node_id=node_id)
    async with cloud_api(cloud_sim, timeout_s=0.5) as slow:
        cloud_sim.faults.delay_after_accept_s = 2.0
        outcome = await Registrar(slow, journal).register(spec)
    assert outcome.status is SENT and outcome.skipped == 3
    assert counts(cloud_sim) == (1, 2, 4)


async def test_server_error_after_send_is_reconciled(cloud_sim: Any, registrar: Registrar) -> None:
    cloud_sim.faults.server_errors = 1  # the integrate POST gets 503: it may or may not have run
    outcome = await registrar.register(thread_spec())
    assert outcome.status is SENT and outcome.created == 3
    assert counts(cloud_sim) == (1, 1, 2)
    assert integrate_calls(cloud_sim) == 2


async def test_a_send_interrupted_by_a_crash_is_looked_up_first(
    cloud_sim: Any, api: SensorDataApi, tmp_path: Path
) -> None:
    """The row was left "sending" and the cloud had processed it: a restart sends nothing."""
    path = tmp_path / "j.sqlite"
    before = RegistrationJournal(path)
    rid = before.enqueue(thread_spec())
    before.mark_sending(rid)
    await api.integrate(build_request(thread_spec()))  # what the crashed process had sent
    outcome = await Registrar(api, RegistrationJournal(path)).register(rid)
    assert outcome.status is SENT and outcome.skipped == 3
    assert counts(cloud_sim) == (1, 1, 2)


async def test_cloud_validation_failure_is_kept_with_its_reason(
    registrar: Registrar, journal: RegistrationJournal
) -> None:
    spec = thread_spec()
    bad = RegistrationSpec(
        spec.thread_serial,
        devices=(DeviceSpec(**{**spec.devices[0].__dict__, "integration_id": "NO_SUCH_SDE"}),),
    )
    outcome = await registrar.register(bad)
    assert outcome.status is FAILED
    assert (
        outcome.problems
        and outcome.problems[0].target == "integration.devices[0].props.INTEGRATION_ID"
    )
    row = journal.get(outcome.registration_id)
    assert row.status is FAILED and "INTEGRATION_ID" in row.last_error


async def test_local_validation_failure_is_never_sent(
    cloud_sim: Any, registrar: Registrar, journal: RegistrationJournal
) -> None:
    request = build_request(thread_spec())
    del request["integration"]["devices"][0]["sensors"][0]["props"]["UNKNOWN_UNITS"]
    outcome = await registrar.register(journal.enqueue(request))
    assert (
        outcome.status is FAILED and "Not sent" in journal.get(outcome.registration_id).last_error
    )
    assert integrate_calls(cloud_sim) == 0


async def test_missing_role_fails_with_what_to_ask_for(
    cloud_sim: Any, journal: RegistrationJournal
) -> None:
    async with cloud_api(cloud_sim, project_id=READ_ONLY_PROJECT) as read_only:
        outcome = await Registrar(read_only, journal).register(thread_spec())
    assert outcome.status is FAILED and "IoT Creator" in outcome.reason
    assert counts(cloud_sim) == (0, 0, 0)


async def test_offline_stays_pending_then_sends_once(
    cloud_sim: Any, registrar: Registrar, journal: RegistrationJournal
) -> None:
    await cloud_sim.go_offline()
    outcome = await registrar.register(thread_spec())
    assert outcome.status is PENDING and outcome.blocks_queue
    assert "unavailable" in journal.get(outcome.registration_id).last_error
    await cloud_sim.come_back()
    sent = await registrar.register(outcome.registration_id)
    assert sent.status is SENT and sent.created == 3
    assert counts(cloud_sim) == (1, 1, 2)


async def test_signed_out_stays_pending_asking_to_sign_in(
    api: SensorDataApi, registrar: Registrar, journal: RegistrationJournal
) -> None:
    api.transport.auth.sign_out()
    outcome = await registrar.register(thread_spec())
    assert outcome.status is PENDING and "Sign in again" in outcome.reason
    assert journal.get(outcome.registration_id).status is PENDING


async def test_rate_limited_stays_pending_with_retry_after(
    cloud_sim: Any, registrar: Registrar
) -> None:
    cloud_sim.faults.rate_limit = 20
    outcome = await registrar.register(thread_spec())
    assert outcome.status is PENDING and outcome.retry_after_s == 2
    assert counts(cloud_sim) == (0, 0, 0)


async def test_a_forgotten_connection_is_created_again(
    cloud_sim: Any, registrar: Registrar, journal: RegistrationJournal
) -> None:
    """The journal remembers a node the cloud no longer has (e.g. deleted in the web app)."""
    journal.record_ids(
        [EntityId("thread-T1000", "node", "/api/FFFFFF/node", "T1000")],
        project_id=registrar.project_id,
    )
    outcome = await registrar.register(thread_spec())
    assert outcome.status is SENT and outcome.created == 3
    assert outcome.node_id != "/api/FFFFFF/node"
    assert journal.node_for("T1000") == outcome.node_id
    assert counts(cloud_sim) == (1, 1, 2)
