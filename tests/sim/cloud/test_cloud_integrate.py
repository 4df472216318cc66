"""integrations/integrate (simple, advanced, update/remove by refId) and get integrations."""

from __future__ import annotations

import re
from typing import Any

import httpx

from commissioner.core.cloud.profiles import SIM_API_KEY
from commissioner.sim.cloud import CloudSim
from tests.sim.cloud.conftest import PROJECT, generic_sensor, integrate, simple_request

NODE_ID = re.compile(r"^/api/[0-9A-F]{6}/node$")
DEVICE_ID = re.compile(r"^/api/[0-9A-F]{6}/node/dynamic/[0-9A-F]{6}/device$")
SENSOR_ID = re.compile(r"^/api/[0-9A-F]{6}/node/dynamic/[0-9A-F]{6}/device/[0-9A-F]{6}/sensor$")
DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$")
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def _advanced(node_id: str, *devices: dict[str, Any]) -> dict[str, Any]:
    return {"integration": {"nodeId": node_id, "devices": list(devices)}}


async def test_simple_integrate_creates_node_device_and_sensors(
    cloud: CloudSim, http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    body = simple_request(
        generic_sensor("s-1"),
        {"changeState": "new", "props": {"INTEGRATION_ID": "TEMPERATURE_SDE", "NAME": "Temp"}},
    )
    result = (await integrate(http, headers, body))["integration"]
    node = result["node"]
    assert NODE_ID.match(node["id"])
    serial = node["id"].split("/")[2]
    project_internal = cloud.state.projects[PROJECT["projectIds"]].internal_id
    assert re.fullmatch(r"[0-9A-F]{24}", project_internal)
    assert node["type"] == "DYNAMIC"
    assert node["props"]["SERIAL_NO"] == serial
    assert node["props"]["NAME"] == f"Data Source API Import {serial}"
    assert node["props"]["INTEGRATION_ID"] == "NODE_API_SDE"
    assert node["props"]["PROJECT_ID"] == project_internal
    assert DATE.match(node["props"]["CREATION_DATE"])
    [entry] = result["devices"]
    device = entry["device"]
    assert DEVICE_ID.match(device["id"]) and device["id"].startswith(node["id"])
    assert device["props"]["SERIAL_NO"] == "dev-1"
    assert device["props"]["SIZE"] == 2
    assert device["props"]["NODE_ID"] == node["id"]
    generic, templated = entry["sensors"]
    for sensor in entry["sensors"]:
        assert SENSOR_ID.match(sensor["id"]) and sensor["id"].startswith(device["id"])
        assert sensor["observationType"] == "DYNAMIC"
        assert sensor["type"] == "DYNAMIC"
        assert sensor["device"] == device["id"]
        assert sensor["props"]["PROJECT_ID"] == project_internal
    assert generic["props"]["SERIAL_NO"] == "s-1"
    assert generic["props"]["UNKNOWN_METRICS"] == {
        "0": "Alignment_Left_SD",
        "1": "Alignment_Right_SD",
    }
    assert UUID4.match(templated["props"]["SERIAL_NO"])  # no refId: a uuid4


async def test_ids_are_deterministic_with_a_seed() -> None:
    ids = []
    for _ in range(2):
        async with (
            CloudSim(seed=42) as sim,
            httpx.AsyncClient(base_url=sim.url, trust_env=False) as http,
        ):
            key = {"Authorization": f"ApiKey {SIM_API_KEY}"}
            result = await integrate(http, key, simple_request())
            ids.append(result["integration"]["devices"][0]["sensors"][0]["id"])
    assert ids[0] == ids[1]


async def test_advanced_integrate_adds_to_an_existing_node(
    http: httpx.AsyncClient, headers: dict[str, str], registered: dict[str, Any]
) -> None:
    node_id = registered["integration"]["node"]["id"]
    device = {
        "changeState": "new",
        "refId": "dev-2",
        "props": {
            "INTEGRATION_ID": "THREAD_PORT_DEVICE_SDE",
            "NAME": "Port 2",
            "LOCATION": {"type": "Point", "coordinates": [174.78, -41.27, 20]},
        },
        "sensors": [
            {
                "changeState": "new",
                "refId": "dev-2-s",
                "props": {
                    "INTEGRATION_ID": "DISTANCE_SDE",
                    "NAME": "Distance",
                    "SERIAL_NO": "1234",
                },
            }
        ],
    }
    result = (await integrate(http, headers, _advanced(node_id, device)))["integration"]
    assert result["node"]["id"] == node_id
    [entry] = result["devices"]
    assert entry["device"]["props"]["LOCATION"]["coordinates"] == [174.78, -41.27, 20]
    assert entry["sensors"][0]["props"]["SERIAL_NO"] == "dev-2-s"  # refId wins over SERIAL_NO
    fetched = await http.post(f"/api/integrations/{node_id}", headers=headers)
    assert len(fetched.json()["integration"]["devices"]) == 2


async def test_update_and_remove_by_ref_id(
    cloud: CloudSim, http: httpx.AsyncClient, headers: dict[str, str], registered: dict[str, Any]
) -> None:
    node_id = registered["integration"]["node"]["id"]
    update = {
        "changeState": "update",
        "refId": "dev-1",
        "props": {"NAME": "Renamed"},
        "sensors": [
            {"changeState": "update", "refId": "sen-1", "props": {"NAME": "Renamed sensor"}},
            generic_sensor("sen-2"),
        ],
    }
    result = (await integrate(http, headers, _advanced(node_id, update)))["integration"]
    [entry] = result["devices"]
    assert entry["device"]["props"]["NAME"] == "Renamed"
    assert entry["device"]["props"]["SERIAL_NO"] == "dev-1"
    assert entry["device"]["props"]["SIZE"] == 2
    assert [s["props"]["NAME"] for s in entry["sensors"]] == ["Renamed sensor", "Sensor"]
    remove_sensor = {
        "changeState": "update",
        "refId": "dev-1",
        "sensors": [{"changeState": "remove", "refId": "sen-2"}],
    }
    result = (await integrate(http, headers, _advanced(node_id, remove_sensor)))["integration"]
    assert result["devices"][0]["sensors"] == []
    assert result["devices"][0]["device"]["props"]["SIZE"] == 1
    remove = {"changeState": "remove", "refId": "dev-1"}
    result = (await integrate(http, headers, _advanced(node_id, remove)))["integration"]
    assert result["devices"] == []
    assert cloud.counts()["devices"] == 0 and cloud.counts()["sensors"] == 0


async def test_a_second_new_with_the_same_ref_id_creates_a_duplicate(
    cloud: CloudSim, http: httpx.AsyncClient, headers: dict[str, str], registered: dict[str, Any]
) -> None:
    node_id = registered["integration"]["node"]["id"]
    again = simple_request()["integration"]["devices"][0]
    result = (await integrate(http, headers, _advanced(node_id, again)))["integration"]
    first_id = registered["integration"]["devices"][0]["device"]["id"]
    assert result["devices"][0]["device"]["id"] != first_id
    assert cloud.counts()["devices"] == 2


async def test_get_integrations_with_the_documented_double_slash(
    cloud: CloudSim, headers: dict[str, str], registered: dict[str, Any]
) -> None:
    node_id = registered["integration"]["node"]["id"]
    url = f"{cloud.url}/api/integrations/{node_id}"
    assert "/api/integrations//api/" in url
    async with httpx.AsyncClient(trust_env=False) as raw:
        request = raw.build_request("POST", url, headers=headers, content=b"")
        assert request.url.raw_path.startswith(b"/api/integrations//api/")
        response = await raw.send(request)
    assert response.status_code == 200
    node = response.json()["integration"]["node"]
    assert node["id"] == node_id
    assert node["props"]["ACCESSIBLE"] is False
    assert "LAST_COMM" not in node["props"]
    assert node["props"]["OBSERVATION_COUNT"] == 0
    [entry] = response.json()["integration"]["devices"]
    assert len(entry["sensors"]) == 1


async def test_get_integrations_of_an_unknown_node_is_404(
    http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await http.post("/api/integrations//api/ABCDEF/node", headers=headers)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NodeNotFound"


async def test_platform_path_integrates_too(
    http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await http.post(
        "/sensor-data/integrations/integrate",
        params=PROJECT,
        headers={**headers, "Accept": "application/vnd.bentley.itwin-platform.v1+json"},
        json=simple_request(),
    )
    assert response.status_code == 200
    assert NODE_ID.match(response.json()["integration"]["node"]["id"])


async def test_body_that_is_not_json_is_400(
    http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await http.post(
        "/api/integrations/integrate", params=PROJECT, headers=headers, content=b"{nope"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "InvalidProcessIntegrationRequest"
