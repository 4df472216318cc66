"""The JSON-RPC socket client against the cloud simulator over loopback: requests and pushes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from commissioner.core.cloud.errors import CloudAuthError, CloudUnavailable
from commissioner.core.cloud.profiles import SIM_API_KEY, SIM_PROJECT_ID
from commissioner.core.cloud.rpc import (
    DataUpdate,
    IotSocketClient,
    RpcError,
    SocketState,
    code_from_authorization,
)
from tests.core.cloud.test_rpc_support import (
    Pushes,
    fast_client,
    observation,
    register_sensor,
    stamp,
    upload_rest,
    wait_until,
)

READ_ONLY_PROJECT = "00000000-0000-4000-8000-00000000beef"


@pytest.fixture
async def client(cloud_sim: Any) -> AsyncIterator[IotSocketClient]:
    """A connected client authenticated with the simulator's API key."""
    async with fast_client(cloud_sim) as connected:
        yield connected


async def test_authenticates_first_and_numbers_requests_from_next_id(
    client: IotSocketClient,
) -> None:
    """authenticate (id 0) gives nextId; the following requests use nextId, nextId+1, ..."""
    assert client.state is SocketState.CONNECTED
    assert client.user  # the sim names the principal in the authenticate result
    first = await client.subscribe_nodes([], Pushes())
    second = await client.subscribe_nodes([], Pushes())
    assert first.request_id == 1  # the sim answers authenticate id 0 with nextId 1
    assert second.request_id == 2


async def test_wrong_code_raises_auth_error_and_closes(cloud_sim: Any) -> None:
    """A refused code is not retried: start raises CloudAuthError and the client is closed."""
    bad = fast_client(cloud_sim, code="not-the-key")
    with pytest.raises(CloudAuthError) as caught:
        await bad.start()
    assert "not-the-key" not in str(caught.value)
    assert bad.state is SocketState.CLOSED
    with pytest.raises(CloudAuthError):
        await bad.time()


async def test_unreachable_cloud_raises_unavailable(cloud_sim: Any) -> None:
    """Nothing listening on the port: start raises CloudUnavailable naming the URL."""
    await cloud_sim.go_offline()
    with pytest.raises(CloudUnavailable) as caught:
        await fast_client(cloud_sim).start()
    assert cloud_sim.ws_url in str(caught.value)


async def test_get_nodes_devices_sensors_with_project_ids(
    cloud_sim: Any, client: IotSocketClient
) -> None:
    """getNodes/Devices/Sensors return the integrated entities of the given project."""
    reg = await register_sensor(cloud_sim)
    nodes = await client.get_nodes([reg.node_id], project_ids=[SIM_PROJECT_ID])
    assert [n["id"] for n in nodes] == [reg.node_id]
    assert nodes[0]["props"]["ACCESSIBLE"] is False  # nothing uploaded yet
    assert nodes[0]["props"]["INTEGRATION_ID"] == "NODE_API_SDE"
    assert [d["id"] for d in await client.get_devices([reg.device_id])] == [reg.device_id]
    sensors = await client.get_sensors(project_ids=[SIM_PROJECT_ID])
    assert reg.sensor_id in [s["id"] for s in sensors]
    assert await client.get_nodes(project_ids=[READ_ONLY_PROJECT]) == []


async def test_unknown_project_is_an_rpc_error(client: IotSocketClient) -> None:
    """The server's error reply becomes RpcError with its code and message."""
    with pytest.raises(RpcError) as caught:
        await client.get_nodes(project_ids=["11111111-2222-4333-8444-555555555555"])
    assert caught.value.code == 403
    assert "permissions" in caught.value.message


async def test_subscribe_data_receives_rest_upload(cloud_sim: Any, client: IotSocketClient) -> None:
    """An observation uploaded through REST is pushed to the data subscription."""
    reg = await register_sensor(cloud_sim)
    pushes = Pushes()
    sub = await client.subscribe_data([reg.sensor_id], "T", "C", pushes)
    assert sub.subscription_id is not None
    await upload_rest(cloud_sim, [observation(reg.sensor_id, 1, 21.5)])
    await pushes.wait_count(1)
    assert pushes.items == [DataUpdate(reg.sensor_id, {stamp(1): 21.5})]


async def test_get_data_streams_chunks_until_finished(
    cloud_sim: Any, client: IotSocketClient
) -> None:
    """1,200 points arrive in several chunks; get_data merges them, iter_data yields each."""
    reg = await register_sensor(cloud_sim)
    points = [observation(reg.sensor_id, i, float(i)) for i in range(1200)]
    for start in range(0, len(points), 500):
        await upload_rest(cloud_sim, points[start : start + 500])
    series = await client.get_data(reg.sensor_id, "T", "C")
    assert len(series) == 1200
    assert series[stamp(1199)] == 1199.0
    chunks = [chunk async for chunk in client.iter_data(reg.sensor_id, "T", "C")]
    assert len(chunks) >= 2 and sum(len(c) for c in chunks) == 1200
    window = await client.get_data(reg.sensor_id, "T", "C", start=stamp(10), end=stamp(19))
    assert sorted(window.values()) == [float(i) for i in range(10, 20)]
    last = await client.get_data(
        reg.sensor_id, "T", "C", limit={"function": "last", "params": {"size": 1}}
    )
    assert last == {stamp(1199): 1199.0}


async def test_get_data_of_unknown_sensor_is_an_rpc_error(client: IotSocketClient) -> None:
    with pytest.raises(RpcError) as caught:
        await client.get_data("/api/NOPE00/node/dynamic/NOPE00/device/NOPE00/sensor", "T", "C")
    assert caught.value.code == -32602


async def test_metrics_raw_metrics_and_units(cloud_sim: Any, client: IotSocketClient) -> None:
    """getMetrics/getRawMetrics list the sensor's metric T; getUnits lists T's units."""
    reg = await register_sensor(cloud_sim)
    metrics = await client.get_metrics([reg.sensor_id])
    assert "T" in [m["id"] for m in metrics[reg.sensor_id]]
    raw = await client.get_raw_metrics(sensors=[reg.sensor_id])
    assert "T" in [m["id"] for m in raw[reg.sensor_id]]
    units = await client.get_units(["T"])
    assert "C" in [u["id"] for u in units["T"]]


async def test_unsubscribe_stops_pushes(cloud_sim: Any, client: IotSocketClient) -> None:
    """After unsubscribe only the remaining subscription hears the next observation."""
    reg = await register_sensor(cloud_sim)
    gone, kept = Pushes(), Pushes()
    sub = await client.subscribe_data([reg.sensor_id], "T", "C", gone)
    await client.subscribe_data([reg.sensor_id], "T", "C", kept)
    await client.unsubscribe(sub)
    assert sub not in client.subscriptions and not sub.active
    await upload_rest(cloud_sim, [observation(reg.sensor_id, 2, 3.0)])
    await kept.wait_count(1)
    await client.time()  # one more round trip: a late push for `gone` would have arrived by now
    assert gone.items == []


async def test_upload_data_over_the_socket(cloud_sim: Any, client: IotSocketClient) -> None:
    """uploadData stores observations (counted) and feeds subscribers; bad data is RpcError."""
    reg = await register_sensor(cloud_sim)
    pushes = Pushes()
    await client.subscribe_data([reg.sensor_id], "T", "C", pushes)
    count = await client.upload_data(
        [observation(reg.sensor_id, 5, 1.0), observation(reg.sensor_id, 6, 2.0)]
    )
    assert count == 2
    await pushes.wait_count(2)
    assert await client.get_data(reg.sensor_id, "T", "C") == {stamp(5): 1.0, stamp(6): 2.0}
    with pytest.raises(RpcError):
        await client.upload_data([{"sensorId": "nope", "timestamp": stamp(1), "values": {}}])


async def test_entity_subscription_pushes_node_changes(
    cloud_sim: Any, client: IotSocketClient
) -> None:
    """subscribeNodes pushes the node when an upload makes it ACCESSIBLE."""
    reg = await register_sensor(cloud_sim)
    pushes = Pushes()
    await client.subscribe_nodes([reg.node_id], pushes)
    await upload_rest(cloud_sim, [observation(reg.sensor_id, 1, 1.0)])
    await wait_until(
        lambda: any(e["props"].get("ACCESSIBLE") for e in pushes.items), pushes.arrived
    )
    assert pushes.items[-1]["id"] == reg.node_id


async def test_help_and_time(client: IotSocketClient) -> None:
    methods = {item["method"] for item in await client.help()}
    assert {"getData", "subscribeData", "uploadData", "time"} <= methods
    now = await client.time()
    assert now.tzinfo is not None


async def test_code_is_never_logged(cloud_sim: Any, caplog: pytest.LogCaptureFixture) -> None:
    """Even with DEBUG logging everywhere the code does not reach the log."""
    caplog.set_level(logging.DEBUG)
    async with fast_client(cloud_sim) as connected:
        await connected.time()
    bad = fast_client(cloud_sim, code="SECRET-CODE-123")
    with pytest.raises(CloudAuthError):
        await bad.start()
    assert SIM_API_KEY not in caplog.text
    assert "SECRET-CODE-123" not in caplog.text
    assert SIM_API_KEY not in repr(connected)


def test_code_from_authorization_header() -> None:
    assert code_from_authorization("Bearer abc.def") == "abc.def"
    assert code_from_authorization("ApiKey KEY1") == "KEY1"
    assert code_from_authorization("KEY2") == "KEY2"


def test_rejects_non_websocket_url() -> None:
    from commissioner.core.cloud.errors import CloudConfigError
    from commissioner.core.cloud.rpc import static_code

    with pytest.raises(CloudConfigError):
        IotSocketClient("http://127.0.0.1:1/rpc", static_code("x"))
