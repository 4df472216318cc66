"""The 422 rules of integrations/integrate: each names the field to fix and stores nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from commissioner.sim.cloud import CloudSim
from tests.sim.cloud.conftest import PROJECT, generic_sensor, simple_request


def _advanced(node_id: str, *devices: dict[str, Any]) -> dict[str, Any]:
    return {"integration": {"nodeId": node_id, "devices": list(devices)}}


def _sensor_props(**props: Any) -> dict[str, Any]:
    return simple_request({"changeState": "new", "refId": "s", "props": props})


BAD_REQUESTS: list[tuple[str, dict[str, Any], str]] = [
    (
        "device without INTEGRATION_ID",
        {
            "integration": {
                "changeState": "new",
                "devices": [
                    {"changeState": "new", "refId": "d", "props": {"NAME": "x"}, "sensors": []}
                ],
            }
        },
        "integration.devices[0].props.INTEGRATION_ID",
    ),
    (
        "sensor without INTEGRATION_ID",
        simple_request(generic_sensor("a"), {"changeState": "new", "refId": "b", "props": {}}),
        "integration.devices[0].sensors[1].props.INTEGRATION_ID",
    ),
    (
        "unknown sensor type",
        _sensor_props(INTEGRATION_ID="WARP_DRIVE_SDE"),
        "integration.devices[0].sensors[0].props.INTEGRATION_ID",
    ),
    (
        "bad changeState",
        {
            "integration": {
                "changeState": "new",
                "devices": [{"changeState": "create", "refId": "d", "props": {}, "sensors": []}],
            }
        },
        "integration.devices[0].changeState",
    ),
    (
        "new node without changeState",
        {"integration": {"devices": []}},
        "integration.changeState",
    ),
    (
        "update without refId",
        {
            "integration": {
                "changeState": "new",
                "devices": [{"changeState": "update", "props": {}, "sensors": []}],
            }
        },
        "integration.devices[0].refId",
    ),
    (
        "generic sensor without units",
        _sensor_props(INTEGRATION_ID="GENERIC_SENSOR_SDE", UNKNOWN_METRICS={"0": "a"}),
        "integration.devices[0].sensors[0].props.UNKNOWN_UNITS",
    ),
    (
        "generic sensor with mismatched keys",
        _sensor_props(
            INTEGRATION_ID="GENERIC_SENSOR_SDE",
            UNKNOWN_METRICS={"0": "a", "1": "b"},
            UNKNOWN_UNITS={"0": "mm"},
        ),
        "integration.devices[0].sensors[0].props.UNKNOWN_UNITS",
    ),
    (
        "unknown KNOWN_METRICS id",
        _sensor_props(
            INTEGRATION_ID="GENERIC_SENSOR_SDE",
            KNOWN_METRICS={"0": "f", "1": "flux_capacitance"},
            KNOWN_UNITS={"0": "Hz", "1": "mm"},
        ),
        "integration.devices[0].sensors[0].props.KNOWN_METRICS.1",
    ),
    (
        "latitude out of range",
        _sensor_props(
            INTEGRATION_ID="TEMPERATURE_SDE",
            LOCATION={"type": "Point", "coordinates": [10.0, 95.0, 0]},
        ),
        "integration.devices[0].sensors[0].props.LOCATION",
    ),
    (
        "unknown top-level key",
        {**simple_request(), "extra": True},
        "extra",
    ),
]


@pytest.mark.parametrize(("case", "body", "target"), BAD_REQUESTS, ids=[c[0] for c in BAD_REQUESTS])
async def test_422_rules_name_their_target(
    cloud: CloudSim,
    http: httpx.AsyncClient,
    headers: dict[str, str],
    case: str,
    body: dict[str, Any],
    target: str,
) -> None:
    response = await http.post(
        "/api/integrations/integrate", params=PROJECT, headers=headers, json=body
    )
    assert response.status_code == 422, case
    error = response.json()["error"]
    assert error["code"] == "InvalidProcessIntegrationRequest"
    assert error["target"] == target
    assert error["details"][0]["target"] == target
    assert cloud.counts()["nodes"] == 0  # nothing stored


async def test_missing_integration_id_uses_the_documented_message(
    http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    body = BAD_REQUESTS[0][1]
    response = await http.post(
        "/api/integrations/integrate", params=PROJECT, headers=headers, json=body
    )
    assert response.json()["error"]["message"] == (
        "Minimum request parameters not provided, new Devices and Sensors must have a valid "
        "`props.INTEGRATION_ID` set."
    )


async def test_unknown_node_and_unknown_ref_id_are_422(
    http: httpx.AsyncClient, headers: dict[str, str], registered: dict[str, Any]
) -> None:
    response = await http.post(
        "/api/integrations/integrate",
        params=PROJECT,
        headers=headers,
        json=_advanced("/api/000000/node"),
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        "Cannot process integration ensure the provided nodeId is valid."
    )
    assert response.json()["error"]["target"] == "integration.nodeId"
    node_id = registered["integration"]["node"]["id"]
    remove = {"changeState": "remove", "refId": "no-such-device"}
    response = await http.post(
        "/api/integrations/integrate",
        params=PROJECT,
        headers=headers,
        json=_advanced(node_id, remove),
    )
    assert response.status_code == 422
    assert response.json()["error"]["target"] == "integration.devices[0].refId"
