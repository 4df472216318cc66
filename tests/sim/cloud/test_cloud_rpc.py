"""The JSON-RPC socket at /rpc over a real loopback WebSocket."""

from __future__ import annotations

from typing import Any

import httpx

from commissioner.core.cloud.profiles import SIM_API_KEY
from commissioner.sim.cloud import CloudSim
from tests.sim.cloud.conftest import Rpc, service_token


def _sensor_id(registered: dict[str, Any]) -> str:
    return str(registered["integration"]["devices"][0]["sensors"][0]["id"])


def _obs(sensor_id: str, ts: str, left: float) -> dict[str, Any]:
    return {
        "sensorId": sensor_id,
        "timestamp": ts,
        "values": {"Alignment_Left_SD": left, "Alignment_Right_SD": 0.5},
    }


async def _login(rpc: Rpc) -> None:
    reply = await rpc.call("authenticate", {"code": SIM_API_KEY})
    rpc.next_id = reply["result"]["nextId"]


async def test_authenticate_with_the_api_key_returns_next_id_and_user(rpc: Rpc) -> None:
    reply = await rpc.call("authenticate", {"code": SIM_API_KEY})
    assert reply["jsonrpc"] == "2.0"
    assert reply["result"]["nextId"] == 1
    assert reply["result"]["user"]["email"] == "installer@example.com"


async def test_authenticate_with_an_access_token(http: httpx.AsyncClient, rpc: Rpc) -> None:
    token = await service_token(http)
    rpc.next_id = 10
    reply = await rpc.call("authenticate", {"code": token})
    assert reply["result"]["nextId"] == 11


async def test_wrong_code_is_401_and_the_socket_stays_open(rpc: Rpc) -> None:
    reply = await rpc.call("authenticate", {"code": "wrong"})
    assert reply["error"]["code"] == 401
    before = await rpc.call("getNodes", {})
    assert before["error"] == {"code": 401, "message": "Not authenticated"}
    await _login(rpc)
    assert (await rpc.call("getNodes", {}))["result"] == []


async def test_get_nodes_devices_and_sensors(rpc: Rpc, registered: dict[str, Any]) -> None:
    await _login(rpc)
    node_id = registered["integration"]["node"]["id"]
    [node] = (await rpc.call("getNodes", {"nodes": [node_id]}))["result"]
    assert node["id"] == node_id
    for key in ("ACCESSIBLE", "NAME", "SERIAL_NO", "PROJECT_ID", "INTEGRATION_ID"):
        assert key in node["props"]
    assert node["props"]["OBSERVATION_COUNT"] == 0
    devices = (await rpc.call("getDevices", {}))["result"]
    assert [d["id"] for d in devices] == [registered["integration"]["devices"][0]["device"]["id"]]
    sensors = (await rpc.call("getSensors", {"sensors": [_sensor_id(registered)]}))["result"]
    assert sensors[0]["device"] == devices[0]["id"]
    other = await rpc.call("getNodes", {"projectIds": ["00000000-0000-4000-8000-00000000beef"]})
    assert other["result"] == []


async def test_subscribe_data_receives_an_observation_uploaded_through_rest(
    http: httpx.AsyncClient, headers: dict[str, str], rpc: Rpc, registered: dict[str, Any]
) -> None:
    await _login(rpc)
    sensor_id = _sensor_id(registered)
    sub = await rpc.call(
        "subscribeData",
        {"sensors": [sensor_id], "metric": "Alignment_Left_SD", "unit": "millimeter"},
    )
    subscription_id = sub["result"]["subscriptionId"]
    ts = "2024-02-20T04:35:23.653Z"
    upload = await http.post(
        "/api/data/upload", headers=headers, json={"observations": [_obs(sensor_id, ts, 0.25)]}
    )
    assert upload.status_code == 202
    push = await rpc.recv()
    assert push["id"] == sub["id"]
    assert push["result"] == {"data": {ts: 0.25}, "sensorId": sensor_id}
    gone = await rpc.call("unsubscribeData", {"id": subscription_id})
    assert gone["result"] is True


async def test_upload_data_over_the_socket_feeds_subscribers_and_node_updates(
    rpc: Rpc, registered: dict[str, Any]
) -> None:
    await _login(rpc)
    sensor_id = _sensor_id(registered)
    node_id = registered["integration"]["node"]["id"]
    nodes_sub = await rpc.call("subscribeNodes", {"nodes": [node_id]})
    data_sub = await rpc.call(
        "subscribeData", {"sensors": [sensor_id], "metric": "Alignment_Right_SD", "unit": "mm"}
    )
    rid = await rpc.send("uploadData", {"data": [_obs(sensor_id, "2024-01-01T00:00:00Z", 1.0)]})
    messages = [await rpc.recv() for _ in range(3)]
    by_id = {m["id"]: m["result"] for m in messages}
    assert by_id[rid] == {"successfullyProcessedObs": 1}
    assert by_id[data_sub["id"]]["data"] == {"2024-01-01T00:00:00Z": 0.5}
    node = by_id[nodes_sub["id"]]["data"]
    assert node["id"] == node_id
    assert node["props"]["ACCESSIBLE"] is True
    assert node["props"]["LAST_COMM"]
    done = await rpc.call("unsubscribeNodes", {"id": nodes_sub["result"]["subscriptionId"]})
    assert done["result"] is True


async def test_get_data_streams_chunks_then_finished(
    cloud: CloudSim, rpc: Rpc, registered: dict[str, Any]
) -> None:
    await _login(rpc)
    sensor_id = _sensor_id(registered)
    data = [
        _obs(sensor_id, f"2024-01-01T00:{i // 60:02d}:{i % 60:02d}Z", float(i)) for i in range(600)
    ]
    assert (await rpc.call("uploadData", {"data": data}))["result"][
        "successfullyProcessedObs"
    ] == 600
    rid = await rpc.send(
        "getData",
        {
            "sensor": sensor_id,
            "metric": "Alignment_Left_SD",
            "unit": "millimeter",
            "startDate": "2024-01-01T00:00:10Z",
        },
    )
    received: dict[str, float] = {}
    chunks = 0
    while True:
        message = await rpc.recv()
        assert message["id"] == rid
        if message["result"].get("requestStatus") == "finished":
            break
        chunks += 1
        assert len(message["result"]["data"]) <= 500
        received.update(message["result"]["data"])
    assert chunks == 2
    assert len(received) == 590
    assert received["2024-01-01T00:09:59Z"] == 599.0


async def test_get_data_with_limit_last(rpc: Rpc, registered: dict[str, Any]) -> None:
    await _login(rpc)
    sensor_id = _sensor_id(registered)
    data = [_obs(sensor_id, f"2024-01-01T00:00:0{i}Z", float(i)) for i in range(3)]
    await rpc.call("uploadData", {"data": data})
    params = {
        "sensor": sensor_id,
        "metric": "Alignment_Left_SD",
        "unit": "millimeter",
        "limit": {"function": "last", "params": {"size": 1}},
    }
    first = await rpc.call("getData", params)
    assert first["result"] == {"data": {"2024-01-01T00:00:02Z": 2.0}}
    assert (await rpc.recv())["result"] == {"requestStatus": "finished"}


async def test_metrics_and_units(rpc: Rpc, registered: dict[str, Any]) -> None:
    await _login(rpc)
    sensor_id = _sensor_id(registered)
    metrics = (await rpc.call("getMetrics", {"sensors": [sensor_id]}))["result"]
    assert [m["id"] for m in metrics[sensor_id]] == ["Alignment_Left_SD", "Alignment_Right_SD"]
    raw = (await rpc.call("getRawMetrics", {"types": ["TEMPERATURE_SDE"]}))["result"]
    assert raw["TEMPERATURE_SDE"][0]["id"] == "T"
    units = (await rpc.call("getUnits", {"metrics": ["T"]}))["result"]
    assert units["T"][0] == {"id": "C", "name": "celsius", "notation": "°C"}


async def test_help_time_and_errors(rpc: Rpc) -> None:
    await _login(rpc)
    methods = {m["method"] for m in (await rpc.call("help"))["result"]}
    assert {"authenticate", "getData", "subscribeData", "uploadData", "time"} <= methods
    now = (await rpc.call("time", {}))["result"]["time"]
    assert now.endswith("Z") and "T" in now
    unknown = await rpc.call("teleport", {})
    assert unknown["error"] == {"code": -32601, "message": "Method not found"}
    bad = await rpc.call("getData", {"sensor": 5})
    assert bad["error"]["code"] == -32602
    assert bad["id"] == rpc.next_id - 1
