"""Comparing a request with what the cloud holds: verification checks and the still-to-do plan."""

from __future__ import annotations

import copy
from typing import Any

from commissioner.core.cloud.models import IntegrationResult
from commissioner.core.cloud.registration import build_request, removal_request
from commissioner.core.cloud.verify import EntityAction, all_ok, compare, reconcile, same_value
from tests.core.cloud.test_registration import thread_spec

NODE = "/api/B08851/node"
DEVICE = f"{NODE}/dynamic/6B7514/device"


def cloud_copy(request: dict[str, Any]) -> dict[str, Any]:
    """What the cloud answers after processing ``request`` (props echoed, SERIAL_NO = refId)."""
    devices = []
    for d, device in enumerate(request["integration"]["devices"]):
        device_id = f"{NODE}/dynamic/{d:06X}/device"
        sensors = [
            {
                "id": f"{device_id}/{k:06X}/sensor",
                "type": "DYNAMIC",
                "observationType": "DYNAMIC",
                "device": device_id,
                "props": {**s["props"], "SERIAL_NO": s["refId"], "NODE_ID": NODE},
            }
            for k, s in enumerate(device["sensors"])
        ]
        props = {**device["props"], "SERIAL_NO": device["refId"], "SIZE": len(sensors)}
        devices.append(
            {"device": {"id": device_id, "type": "DYNAMIC", "props": props}, "sensors": sensors}
        )
    node = {"id": NODE, "type": "DYNAMIC", "props": {"SERIAL_NO": "B08851"}}
    return {"integration": {"node": node, "devices": devices}}


def fetched(data: dict[str, Any]) -> IntegrationResult:
    return IntegrationResult.parse(data, "http://127.0.0.1/api/integrations//api/B08851/node")


def test_everything_sent_is_found_with_its_props() -> None:
    spec = thread_spec()
    checks = compare(spec, fetched(cloud_copy(build_request(spec))))
    assert all_ok(checks)
    items = [c.item for c in checks]
    assert "device thread-T1000-port1" in items
    assert "sensor thread-T1000-port1-sensor0 UNKNOWN_METRICS" in items
    assert "sensor thread-T1000-port1-sensor0 device" in items
    assert not any("SERIAL_NO" in item for item in items)  # the cloud replaces it by the refId


def test_numbers_compare_as_json_numbers() -> None:
    assert same_value({"coordinates": [174.78, -41.2, 20]}, {"coordinates": [174.78, -41.2, 20.0]})
    assert not same_value([1, 2], [1, 2, 3])
    assert not same_value(True, 1)


def test_a_changed_prop_and_a_missing_sensor_are_reported() -> None:
    request = build_request(thread_spec())
    data = cloud_copy(request)
    data["integration"]["devices"][0]["device"]["props"]["NAME"] = "Someone else's name"
    del data["integration"]["devices"][0]["sensors"][1]
    bad = [(c.item, c.expected, c.actual) for c in compare(request, fetched(data)) if not c.ok]
    assert bad == [
        ("device thread-T1000-port1 NAME", "Port 1", "Someone else's name"),
        ("sensor thread-T1000-port1-sensor1", "present", "missing"),
    ]


def test_removed_entities_must_be_absent() -> None:
    data = cloud_copy(build_request(thread_spec()))
    removal = removal_request(NODE, ["thread-T1000-port1-sensor1"])
    checks = compare(removal, fetched(data))
    assert [(c.item, c.ok) for c in checks if c.expected == "removed"] == [
        ("sensor thread-T1000-port1-sensor1", False)
    ]
    del data["integration"]["devices"][0]["sensors"][1]
    assert all_ok(compare(removal, fetched(data)))


def test_reconcile_sends_nothing_when_all_is_there() -> None:
    request = build_request(thread_spec())
    plan = reconcile(request, fetched(cloud_copy(request)))
    assert plan.request is None and plan.node_id == NODE
    assert set(plan.actions.values()) == {EntityAction.SKIPPED}
    assert len(plan.known) == 3


def test_reconcile_keeps_only_what_is_missing_or_changed() -> None:
    request = build_request(thread_spec())
    present = copy.deepcopy(request)
    del present["integration"]["devices"][0]["sensors"][1]  # the templated sensor never arrived
    present["integration"]["devices"][0]["sensors"][0]["props"]["NAME"] = "Old name"
    plan = reconcile(request, fetched(cloud_copy(present)))
    assert plan.request == {
        "integration": {
            "nodeId": NODE,
            "devices": [
                {
                    "changeState": "update",
                    "refId": "thread-T1000-port1",
                    "props": {},
                    "sensors": [
                        {
                            "changeState": "update",
                            "refId": "thread-T1000-port1-sensor0",
                            "props": {"NAME": "Crack gauge"},
                        },
                        request["integration"]["devices"][0]["sensors"][1],
                    ],
                }
            ],
        }
    }
    assert plan.actions == {
        "thread-T1000-port1": EntityAction.SKIPPED,
        "thread-T1000-port1-sensor0": EntityAction.UPDATED,
        "thread-T1000-port1-sensor1": EntityAction.CREATED,
    }


def test_reconcile_skips_removals_of_absent_entities() -> None:
    data = cloud_copy(build_request(thread_spec()))
    removal = removal_request(NODE, ["thread-T1000-port1", "thread-T1000-port9"])
    plan = reconcile(removal, fetched(data))
    assert plan.request == {
        "integration": {
            "nodeId": NODE,
            "devices": [
                {"changeState": "remove", "refId": "thread-T1000-port1", "props": {}, "sensors": []}
            ],
        }
    }
    assert plan.actions["thread-T1000-port9"] is EntityAction.SKIPPED
