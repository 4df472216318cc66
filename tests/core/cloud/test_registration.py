"""The request builder: specs become the documented IntegrationRequest bodies, and round-trip as files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from commissioner.core.cloud.registration import (
    ChangeState,
    DeviceSpec,
    Location,
    MetricSpec,
    RegistrationSpec,
    SensorSpec,
    SpecFileError,
    build_request,
    device_ref_id,
    load_spec,
    parse_ref_id,
    removal_request,
    save_spec,
    sensor_ref_id,
    spec_from_json,
    spec_to_json,
    update_request,
)
from commissioner.core.cloud.schema import validate_request


def thread_spec(serial: str = "T1000", node_id: str | None = None) -> RegistrationSpec:
    """One port with a generic distance sensor and a templated temperature sensor."""
    generic = SensorSpec(
        ref_id=sensor_ref_id(serial, 1, 0),
        integration_id="GENERIC_SENSOR_SDE",
        name="Crack gauge",
        serial_no="CG-77",
        notes="north wall",
        location=Location(174.7805678, -41.25834066, 65),
        metrics=(
            MetricSpec("Alignment_Left_SD", "millimeter"),
            MetricSpec("Alignment_Right_SD", "millimeter"),
        ),
        port=1,
    )
    templated = SensorSpec(
        ref_id=sensor_ref_id(serial, 1, 1), integration_id="TEMPERATURE_SDE", name="Air", port=1
    )
    device = DeviceSpec(
        ref_id=device_ref_id(serial, 1),
        integration_id="IMPORT_DEVICE_SDE",
        name="Port 1",
        notes="Demo device",
        location=Location(174.7805678, -41.27834066, 20),
        port=1,
        sensors=(generic, templated),
    )
    return RegistrationSpec(thread_serial=serial, node_id=node_id, devices=(device,))


def test_simple_approach_creates_a_connection_with_devices_and_sensors() -> None:
    """No node id: integration.changeState "new", props as the docs' examples show."""
    assert build_request(thread_spec()) == {
        "integration": {
            "changeState": "new",
            "devices": [
                {
                    "changeState": "new",
                    "refId": "thread-T1000-port1",
                    "props": {
                        "INTEGRATION_ID": "IMPORT_DEVICE_SDE",
                        "NAME": "Port 1",
                        "NOTES": "Demo device",
                        "LOCATION": {
                            "type": "Point",
                            "coordinates": [174.7805678, -41.27834066, 20],
                        },
                    },
                    "sensors": [
                        {
                            "changeState": "new",
                            "refId": "thread-T1000-port1-sensor0",
                            "props": {
                                "INTEGRATION_ID": "GENERIC_SENSOR_SDE",
                                "NAME": "Crack gauge",
                                "SERIAL_NO": "CG-77",
                                "NOTES": "north wall",
                                "LOCATION": {
                                    "type": "Point",
                                    "coordinates": [174.7805678, -41.25834066, 65],
                                },
                                "UNKNOWN_METRICS": {
                                    "0": "Alignment_Left_SD",
                                    "1": "Alignment_Right_SD",
                                },
                                "UNKNOWN_UNITS": {"0": "millimeter", "1": "millimeter"},
                            },
                        },
                        {
                            "changeState": "new",
                            "refId": "thread-T1000-port1-sensor1",
                            "props": {"INTEGRATION_ID": "TEMPERATURE_SDE", "NAME": "Air"},
                        },
                    ],
                }
            ],
        }
    }


def test_advanced_approach_names_the_node_and_no_connection_change_state() -> None:
    request = build_request(thread_spec(node_id="/api/B08851/node"))
    assert request["integration"]["nodeId"] == "/api/B08851/node"
    assert "changeState" not in request["integration"]
    assert validate_request(request) == []


def test_known_metrics_and_units_go_under_known_keys() -> None:
    sensor = SensorSpec(
        "r",
        "GENERIC_SENSOR_SDE",
        "Known",
        metrics=(MetricSpec("f", "Hz", known=True), MetricSpec("cum_distance", "mm", known=True)),
    )
    device = DeviceSpec("d", "IMPORT_DEVICE_SDE", "D", sensors=(sensor,))
    props = build_request(RegistrationSpec("S", devices=(device,)))["integration"]["devices"][0][
        "sensors"
    ][0]["props"]
    assert props["KNOWN_METRICS"] == {"0": "f", "1": "cum_distance"}
    assert props["KNOWN_UNITS"] == {"0": "Hz", "1": "mm"}


def test_unknown_metrics_with_known_units() -> None:
    sensor = SensorSpec(
        "r", "GENERIC_SENSOR_SDE", "Mixed", metrics=(MetricSpec("abc", "Hz", unit_known=True),)
    )
    device = DeviceSpec("d", "IMPORT_DEVICE_SDE", "D", sensors=(sensor,))
    props = build_request(RegistrationSpec("S", devices=(device,)))["integration"]["devices"][0][
        "sensors"
    ][0]["props"]
    assert props["UNKNOWN_METRICS"] == {"0": "abc"}
    assert props["KNOWN_UNITS"] == {"0": "Hz"}


def test_ref_ids_are_stable_and_parse_back() -> None:
    assert device_ref_id("AB12", 3) == "thread-AB12-port3"
    assert sensor_ref_id("AB12", 3, 2) == "thread-AB12-port3-sensor2"
    assert parse_ref_id("thread-AB12-port3-sensor2") == ("AB12", 3, 2)
    assert parse_ref_id("thread-AB-12-port3") == ("AB-12", 3, None)
    assert parse_ref_id("RefId1") is None


def test_removing_a_device_sends_no_props_or_sensors() -> None:
    device = DeviceSpec(device_ref_id("S", 2), "IMPORT_DEVICE_SDE", "x", change=ChangeState.REMOVE)
    request = build_request(RegistrationSpec("S", node_id="/api/AAAAAA/node", devices=(device,)))
    assert request["integration"]["devices"] == [
        {"changeState": "remove", "refId": "thread-S-port2", "props": {}, "sensors": []}
    ]


def test_update_request_nests_sensors_under_their_device() -> None:
    request = update_request(
        "/api/AAAAAA/node",
        {"thread-S-port1-sensor0": {"NAME": "Renamed"}, "thread-S-port2": {"NOTES": "moved"}},
    )
    assert request == {
        "integration": {
            "nodeId": "/api/AAAAAA/node",
            "devices": [
                {
                    "changeState": "update",
                    "refId": "thread-S-port1",
                    "props": {},
                    "sensors": [
                        {
                            "changeState": "update",
                            "refId": "thread-S-port1-sensor0",
                            "props": {"NAME": "Renamed"},
                        }
                    ],
                },
                {
                    "changeState": "update",
                    "refId": "thread-S-port2",
                    "props": {"NOTES": "moved"},
                    "sensors": [],
                },
            ],
        }
    }
    assert validate_request(request) == []


def test_removal_request_removes_devices_whole_and_sensors_singly() -> None:
    request = removal_request(
        "/api/AAAAAA/node", ["thread-S-port1", "other-sensor"], parents={"other-sensor": "dev-b"}
    )
    assert request["integration"]["devices"] == [
        {"changeState": "remove", "refId": "thread-S-port1", "props": {}, "sensors": []},
        {
            "changeState": "update",
            "refId": "dev-b",
            "props": {},
            "sensors": [{"changeState": "remove", "refId": "other-sensor", "props": {}}],
        },
    ]
    assert validate_request(request) == []


def test_built_requests_pass_local_validation() -> None:
    assert validate_request(build_request(thread_spec())) == []


def test_spec_round_trips_through_a_json_file(tmp_path: Path) -> None:
    spec = thread_spec(node_id="/api/123ABC/node")
    path = tmp_path / "registration.json"
    save_spec(spec, path)
    assert load_spec(path) == spec
    assert spec_from_json(json.loads(json.dumps(spec_to_json(spec)))) == spec


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(thread_serial=5), "thread_serial: expected a string"),
        (lambda d: d["devices"][0].update(port="one"), "devices[0].port: expected a whole number"),
        (
            lambda d: d["devices"][0]["sensors"][1].update(change="delete"),
            'devices[0].sensors[1].change: expected "new", "update" or "remove"',
        ),
        (
            lambda d: d["devices"][0]["sensors"][0]["metrics"][0].pop("unit"),
            "devices[0].sensors[0].metrics[0].unit: missing",
        ),
        (
            lambda d: d["devices"][0].update(location={"longitude": "east"}),
            "devices[0].location.longitude: expected a number",
        ),
        (lambda d: d["devices"][0].update(colour="red"), "devices[0].colour: unknown field"),
        (lambda d: d.update(format="something-else"), "not a registration file"),
        (lambda d: d.update(devices={}), "devices: expected a list"),
    ],
)
def test_bad_spec_files_name_the_field(mutate: object, message: str) -> None:
    data = spec_to_json(thread_spec())
    mutate(data)  # type: ignore[operator]
    with pytest.raises(SpecFileError, match=re.escape(message)):
        spec_from_json(data)


def test_unreadable_files_name_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(SpecFileError, match=r"broken\.json: not valid JSON"):
        load_spec(broken)
    with pytest.raises(SpecFileError, match=r"missing\.json: cannot be read"):
        load_spec(tmp_path / "missing.json")
    listing = tmp_path / "list.json"
    listing.write_text("[]", encoding="utf-8")
    with pytest.raises(SpecFileError, match="expected an object"):
        load_spec(listing)
