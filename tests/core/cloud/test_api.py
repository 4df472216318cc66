"""SensorDataApi speaks the documented sensor-data calls to the simulator and parses the answers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import replace
from typing import Any

import keyring
import keyring.backends.fail
import pytest

from commissioner.core.cloud.api import SensorDataApi
from commissioner.core.cloud.auth import CloudAuth
from commissioner.core.cloud.errors import (
    CloudConfigError,
    CloudForbidden,
    CloudMalformedResponse,
)
from commissioner.core.cloud.models import IntegrationResult, SensorType, parse_list
from commissioner.core.cloud.profiles import (
    PLATFORM_ACCEPT,
    SIM_API_KEY,
    SIM_PROJECT_ID,
    SIM_SERVICE_CLIENT_SECRET,
    AuthMethod,
    CloudProfile,
    IntegrateVia,
    simulator_profile,
)
from commissioner.core.cloud.secrets import SecretStore
from commissioner.core.cloud.transport import CloudTransport
from commissioner.sim.cloud.server import CloudSim

Factory = Callable[..., Awaitable[SensorDataApi]]


@pytest.fixture(autouse=True)
def no_keyring() -> Iterator[None]:
    """The fail backend: these tests must never write to a real keyring."""
    previous: Any = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
async def connect(cloud_sim: CloudSim) -> AsyncIterator[Factory]:
    """Builds a signed-in SensorDataApi for ``cloud_sim`` (service by default), closed after."""
    made: list[CloudTransport] = []

    async def factory(**changes: Any) -> SensorDataApi:
        method = changes.pop("auth_method", AuthMethod.SERVICE)
        profile: CloudProfile = replace(
            simulator_profile(cloud_sim.url, auth_method=method), **changes
        )
        auth = CloudAuth(profile, secrets=SecretStore())
        if method is AuthMethod.API_KEY:
            await auth.use_api_key(SIM_API_KEY)
        else:
            await auth.sign_in_service(SIM_SERVICE_CLIENT_SECRET)
        transport = CloudTransport(profile, auth)
        made.append(transport)
        return SensorDataApi(profile, transport)

    yield factory
    for transport in made:
        await transport.aclose()
        await transport.auth.aclose()


def thread_request(serial: str = "A1B2C3", ports: int = 2, node_id: str = "") -> dict[str, Any]:
    """A THREAD with one temperature sensor per port, as the registration builder would make."""
    devices = [
        {
            "changeState": "new",
            "refId": f"thread-{serial}-port{n}",
            "props": {"INTEGRATION_ID": "IMPORT_DEVICE_SDE", "NAME": f"Port {n}"},
            "sensors": [
                {
                    "changeState": "new",
                    "refId": f"thread-{serial}-port{n}-sensor1",
                    "props": {"INTEGRATION_ID": "TEMPERATURE_SDE", "NAME": f"Temp {n}"},
                }
            ],
        }
        for n in range(1, ports + 1)
    ]
    integration: dict[str, Any] = {"devices": devices}
    if node_id:
        integration["nodeId"] = node_id
    else:
        integration["changeState"] = "new"
    return {"integration": integration}


async def test_template_lists_are_parsed(connect: Factory) -> None:
    """Device, sensor and metric templates come back as typed lists."""
    api = await connect()
    devices = await api.device_types()
    sensors = await api.sensor_types()
    metrics = await api.metric_types()
    assert "IMPORT_DEVICE_SDE" in {d.id for d in devices}
    assert all(d.name for d in devices)
    temperature = next(s for s in sensors if s.id == "TEMPERATURE_SDE")
    assert [m.id for m in temperature.metrics] == ["T"]
    assert "GENERIC_SENSOR_SDE" in {s.id for s in sensors}
    t = next(m for m in metrics if m.id == "T")
    assert t.default_unit == "C"
    assert {"C", "K", "F"} <= {u.id for u in t.units}


def test_sensor_types_key_with_stray_space_is_accepted() -> None:
    """The documented example says " sensorTypes"; both spellings parse."""
    item = {"id": "GENERIC_SENSOR_SDE", "name": "GENERIC_SENSOR_SDE", "metricsAndUnits": []}
    for key in ("sensorTypes", " sensorTypes"):
        parsed = [SensorType.parse(d) for d in parse_list({key: [item]}, "sensorTypes", "u")]
        assert [s.id for s in parsed] == ["GENERIC_SENSOR_SDE"]
    with pytest.raises(CloudMalformedResponse):
        parse_list({"somethingElse": []}, "sensorTypes", "u")


async def test_integrate_then_get_integration(cloud_sim: CloudSim, connect: Factory) -> None:
    """A new THREAD node with two ports; fetching it uses the documented double slash."""
    api = await connect()
    created = await api.integrate(thread_request())
    assert created.node.id.startswith("/api/") and created.node.id.endswith("/node")
    assert len(created.devices) == 2
    sent = cloud_sim.requests[-1]
    assert sent.path == "/api/integrations/integrate"
    assert sent.query == {"projectIds": SIM_PROJECT_ID}
    sensor = created.find_by_serial("thread-A1B2C3-port2-sensor1")
    assert sensor is not None and sensor.device and sensor.integration_id == "TEMPERATURE_SDE"

    fetched = await api.get_integration(created.node.id)
    assert cloud_sim.requests[-1].path == f"/api/integrations/{created.node.id}"
    assert "//api/" in cloud_sim.requests[-1].path
    assert {e.id for e in fetched.entities()} == {e.id for e in created.entities()}
    assert "ACCESSIBLE" in fetched.node.props


async def test_integrate_via_platform_url(cloud_sim: CloudSim, connect: Factory) -> None:
    """integrate_via PLATFORM posts to sensor-data with the platform media type."""
    api = await connect(integrate_via=IntegrateVia.PLATFORM)
    created = await api.integrate(thread_request(ports=1))
    sent = cloud_sim.requests[-1]
    assert sent.path == "/sensor-data/integrations/integrate"
    assert sent.headers["Accept"] == PLATFORM_ACCEPT
    assert created.devices[0].device.serial == "thread-A1B2C3-port1"


async def test_api_key_with_platform_integrate_is_a_config_error(
    cloud_sim: CloudSim, connect: Factory
) -> None:
    """An API key cannot carry a platform integrate: the message says what to change."""
    api = await connect(auth_method=AuthMethod.API_KEY, integrate_via=IntegrateVia.PLATFORM)
    before = len(cloud_sim.requests)
    with pytest.raises(CloudConfigError, match="iiot"):
        await api.integrate(thread_request())
    assert len(cloud_sim.requests) == before


async def test_api_key_works_for_iiot_integrate(cloud_sim: CloudSim, connect: Factory) -> None:
    """The same key is fine via the iTwin IoT API."""
    api = await connect(auth_method=AuthMethod.API_KEY)
    created = await api.integrate(thread_request(ports=1))
    assert created.node.id
    assert cloud_sim.requests[-1].headers["Authorization"] == "ApiKey"


async def test_project_parameter_name_is_configurable(
    cloud_sim: CloudSim, connect: Factory
) -> None:
    """Some pages call the asset id iTwinId; the profile decides."""
    api = await connect(project_param="iTwinId")
    nodes = await api.list_nodes()
    assert nodes == []
    assert cloud_sim.requests[-1].query == {"iTwinId": SIM_PROJECT_ID}


async def test_no_project_chosen_is_a_config_error(connect: Factory) -> None:
    """Without an asset id nothing is sent."""
    api = await connect(project_id="")
    with pytest.raises(CloudConfigError, match="asset"):
        await api.integrate(thread_request())


async def test_entity_lists_and_sensor_metrics(connect: Factory) -> None:
    """nodes/devices/sensors lists and required metrics per sensor."""
    api = await connect()
    created = await api.integrate(thread_request(ports=1))
    assert [n.id for n in await api.list_nodes()] == [created.node.id]
    assert len(await api.list_devices()) == 1
    sensors = await api.list_sensors()
    assert len(sensors) == 1
    metrics = await api.sensor_metrics([sensors[0].id])
    assert [m.id for m in metrics[sensors[0].id]] == ["T"]
    assert "C" in {u.id for u in metrics[sensors[0].id][0].units}


async def test_update_to_a_second_node_call(connect: Factory) -> None:
    """Advanced approach: a second integrate with nodeId adds a device to the same node."""
    api = await connect()
    first = await api.integrate(thread_request(ports=1))
    more = thread_request(serial="A1B2C3", ports=2, node_id=first.node.id)
    more["integration"]["devices"] = more["integration"]["devices"][1:]
    second = await api.integrate(more)
    assert second.node.id == first.node.id
    fetched = await api.get_integration(first.node.id)
    assert len(fetched.devices) == 2


def observations(sensor_id: str, n: int, bad: frozenset[int] = frozenset()) -> list[dict[str, Any]]:
    return [
        {
            "sensorId": sensor_id,
            "timestamp": f"2026-01-01T00:00:{i:02d}.000Z",
            "values": {"T": "hot" if i in bad else 20.0 + i},
        }
        for i in range(n)
    ]


async def test_upload_in_batches_reports_each(cloud_sim: CloudSim, connect: Factory) -> None:
    """7 observations, batches of 3: 3 requests; a bad item is reported at its global index."""
    api = await connect()
    created = await api.integrate(thread_request(ports=1))
    sensor_id = created.devices[0].sensors[0].id
    before = len(cloud_sim.requests)
    report = await api.upload(observations(sensor_id, 7, bad=frozenset({4})), batch_size=3)
    uploads = [r for r in cloud_sim.requests[before:] if r.path == "/api/data/upload"]
    assert [len(r.body["observations"]) for r in uploads] == [3, 3, 1]
    assert [b.accepted for b in report.batches] == [True, False, True]
    assert report.accepted_count == 4
    assert not report.ok
    assert report.problems and report.problems[0].target.startswith("observations[4]")
    assert cloud_sim.counts()["observations"] == 4


async def test_upload_stops_on_forbidden(cloud_sim: CloudSim, connect: Factory) -> None:
    """Without the Creator role the first batch fails; the rest stay unsent, error kept."""
    api = await connect()
    created = await api.integrate(thread_request(ports=1))
    cloud_sim.faults.missing_role = True
    report = await api.upload(observations(created.devices[0].sensors[0].id, 5), batch_size=2)
    assert isinstance(report.stopped_by, CloudForbidden)
    assert report.accepted_count == 0
    assert report.unsent_count == 3


async def test_userinfo_of_the_signed_in_account(connect: Factory) -> None:
    """userinfo goes to the IMS host of the profile with the Bearer token."""
    api = await connect()
    info = await api.userinfo()
    assert info.get("sub")


def test_integration_result_rejects_broken_answers() -> None:
    """A 2xx without the integration object is CloudMalformedResponse."""
    with pytest.raises(CloudMalformedResponse):
        IntegrationResult.parse({"unexpected": True}, "http://127.0.0.1/api")
    with pytest.raises(CloudMalformedResponse):
        IntegrationResult.parse({"integration": {"node": {"props": {}}}}, "http://127.0.0.1/api")
