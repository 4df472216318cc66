"""Catalogues, sensor metrics, listings and observation upload over loopback HTTP."""

from __future__ import annotations

import time
from typing import Any

import httpx

from commissioner.sim.cloud import CloudSim
from tests.sim.cloud.conftest import PROJECT


def _sensor_id(registered: dict[str, Any]) -> str:
    return str(registered["integration"]["devices"][0]["sensors"][0]["id"])


def _obs(sensor_id: str, ts: str = "2024-02-20T04:35:23.653Z", **values: Any) -> dict[str, Any]:
    values = values or {"Alignment_Left_SD": 0.23, "Alignment_Right_SD": 0.84}
    return {"sensorId": sensor_id, "timestamp": ts, "values": values}


async def test_device_types(http: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await http.get(
        "/api/devices/types", params={"excludeLegacy": "true"}, headers=headers
    )
    types = {t["id"]: t for t in response.json()["deviceTypes"]}
    assert {"IMPORT_DEVICE_SDE", "DEMO_DEVICE_SDE", "THREAD_PORT_DEVICE_SDE"} <= set(types)
    assert types["IMPORT_DEVICE_SDE"] == {
        "id": "IMPORT_DEVICE_SDE",
        "name": "Import Device",
        "icon": "smicon-device-import",
        "iconUnicode": "",
        "manufacturer": "sensemetrics",
        "minThreadVersion": "1.0",
        "editOnly": False,
        "isDynamic": True,
    }


async def test_sensor_types(http: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await http.get("/api/sensors/types", headers=headers)
    types = {t["id"]: t for t in response.json()["sensorTypes"]}
    for expected in (
        "GENERIC_SENSOR_SDE",
        "MOISTURE_SDE",
        "LIGHT_SDE",
        "ACTIVITY_SDE",
        "ELECTRICITY_USAGE_SDE",
        "BATTERY_CHARGE_SDE",
        "SENSOR_SIGNAL_STRENGTH_SDE",
        "TEMPERATURE_SDE",
        "DISTANCE_SDE",
        "PRESSURE_SDE",
        "CURRENT_4_20_SDE",
    ):
        assert types[expected]["isDynamic"] is True
    [generic] = types["GENERIC_SENSOR_SDE"]["metricsAndUnits"]
    assert generic == {
        "metric": "GENERIC",
        "id": "GENERIC",
        "displayName": "generic",
        "defaultUnit": "GENERIC",
        "units": [{"unit": "GENERIC", "id": "GENERIC"}],
    }
    [distance] = types["DISTANCE_SDE"]["metricsAndUnits"]
    assert distance["metric"] == "distance"
    assert [u["id"] for u in distance["units"]] == ["mm", "m"]
    assert types["TEMPERATURE_SDE"]["metricsAndUnits"][0]["id"] == "T"


async def test_metric_types(http: httpx.AsyncClient, headers: dict[str, str]) -> None:
    body = (await http.get("/api/metrics/types", headers=headers)).json()
    assert body["standard"] is True
    metrics = {m["id"]: m for m in body["metrics"]}
    assert metrics["T"]["units"][0] == {
        "unit": "C",
        "id": "C",
        "displayName": "celsius",
        "notation": "°C",
    }
    assert [u["id"] for u in metrics["P"]["units"]] == ["Pa", "hPa", "kPa"]
    assert metrics["I"]["defaultUnit"] == "mA"


async def test_sensor_metrics_of_generic_and_templated_sensors(
    http: httpx.AsyncClient, headers: dict[str, str], registered: dict[str, Any]
) -> None:
    node_id = registered["integration"]["node"]["id"]
    body = {
        "integration": {
            "nodeId": node_id,
            "devices": [
                {
                    "changeState": "update",
                    "refId": "dev-1",
                    "sensors": [
                        {
                            "changeState": "new",
                            "refId": "p",
                            "props": {"INTEGRATION_ID": "PRESSURE_SDE", "NAME": "P"},
                        }
                    ],
                }
            ],
        }
    }
    result = await http.post(
        "/api/integrations/integrate", params=PROJECT, headers=headers, json=body
    )
    pressure_id = result.json()["integration"]["devices"][0]["sensors"][0]["id"]
    generic_id = _sensor_id(registered)
    response = await http.post(
        "/api/sensors/metrics",
        params={**PROJECT, "filters": "raw"},
        headers=headers,
        json={"ids": [generic_id, pressure_id]},
    )
    by_sensor = response.json()["metricsBySensor"]
    assert by_sensor[generic_id][0] == {
        "defaultUnit": "millimeter",
        "hidden": False,
        "displayName": "Alignment_Left_SD",
        "notation": "Alignment_Left_SD",
        "name": "Alignment_Left_SD",
        "id": "Alignment_Left_SD",
        "units": [{"notation": "millimeter", "name": "millimeter", "id": "millimeter"}],
    }
    assert [m["id"] for m in by_sensor[pressure_id]] == ["P"]
    assert [u["id"] for u in by_sensor[pressure_id][0]["units"]] == ["Pa", "hPa", "kPa"]


async def test_upload_is_accepted_and_makes_the_node_accessible(
    cloud: CloudSim, http: httpx.AsyncClient, headers: dict[str, str], registered: dict[str, Any]
) -> None:
    sensor_id = _sensor_id(registered)
    response = await http.post(
        "/api/data/upload", headers=headers, json={"observations": [_obs(sensor_id)]}
    )
    assert response.status_code == 202
    assert response.json() == {"status": "ACCEPTED"}
    [node] = (await http.get("/api/nodes/all", params=PROJECT, headers=headers)).json()
    assert node["props"]["ACCESSIBLE"] is True
    assert node["props"]["LAST_COMM"]
    assert node["props"]["OBSERVATION_COUNT"] == 1
    [sensor] = (await http.get("/api/sensors/all", params=PROJECT, headers=headers)).json()
    assert sensor["props"]["LAST_OBSERVATION"]["timestamp"] == "2024-02-20T04:35:23.653Z"
    node_id = registered["integration"]["node"]["id"]
    fetched = await http.post(f"/api/integrations/{node_id}", headers=headers)
    assert fetched.json()["integration"]["node"]["props"]["ACCESSIBLE"] is True
    assert cloud.counts()["observations"] == 1


async def test_node_is_not_accessible_once_its_last_comm_is_outside_the_window(
    cloud: CloudSim, http: httpx.AsyncClient, headers: dict[str, str], registered: dict[str, Any]
) -> None:
    node_id = registered["integration"]["node"]["id"]
    window = cloud.state.accessible_window_s
    cloud.state.last_comm[node_id] = time.time() - window - 60.0  # as if it spoke long ago
    [node] = (await http.get("/api/nodes/all", params=PROJECT, headers=headers)).json()
    assert node["props"]["ACCESSIBLE"] is False
    assert node["props"]["LAST_COMM"]


async def test_empty_upload_is_400_with_the_documented_body(
    http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await http.post("/api/data/upload", headers=headers, json={"observations": []})
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": "must not be empty", "path": "observations"}]}


async def test_bad_observations_are_400_with_paths_and_nothing_is_stored(
    cloud: CloudSim, http: httpx.AsyncClient, headers: dict[str, str], registered: dict[str, Any]
) -> None:
    sensor_id = _sensor_id(registered)
    observations = [
        _obs(sensor_id),
        _obs("/api/000000/node/dynamic/000000/device/000000/sensor"),
        _obs(sensor_id, ts="yesterday"),
        _obs(sensor_id, Alignment_Left_SD=1.0),
        _obs(sensor_id, Alignment_Left_SD="high", Alignment_Right_SD=1.0),
    ]
    response = await http.post(
        "/api/data/upload", headers=headers, json={"observations": observations}
    )
    assert response.status_code == 400
    paths = [e["path"] for e in response.json()["errors"]]
    assert paths == [
        "observations[1].sensorId",
        "observations[2].timestamp",
        "observations[3].values",
        "observations[4].values.Alignment_Left_SD",
    ]
    assert cloud.counts()["observations"] == 0


async def test_upload_needs_the_creator_role(
    cloud: CloudSim, http: httpx.AsyncClient, headers: dict[str, str], registered: dict[str, Any]
) -> None:
    cloud.faults.missing_role = True
    response = await http.post(
        "/api/data/upload", headers=headers, json={"observations": [_obs(_sensor_id(registered))]}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "InsufficientPermissions"


async def test_listings_per_kind(
    http: httpx.AsyncClient, headers: dict[str, str], registered: dict[str, Any]
) -> None:
    for kind, count in (("nodes", 1), ("devices", 1), ("sensors", 1)):
        listing = await http.get(f"/api/{kind}/all", params=PROJECT, headers=headers)
        assert len(listing.json()) == count
        assert {"id", "type", "props"} <= set(listing.json()[0])
