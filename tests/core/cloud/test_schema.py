"""Local validation finds what the cloud would reject, with the cloud's own target paths."""

from __future__ import annotations

import copy
from typing import Any

from commissioner.core.cloud.schema import MISSING_INTEGRATION_ID, Catalogue, validate_request

# The advanced example of the Sensor Data Service docs (seed 001), refIds filled in.
ADVANCED: dict[str, Any] = {
    "integration": {
        "nodeId": "/api/B08851/node",
        "devices": [
            {
                "changeState": "new",
                "refId": "/api/13DC2F/node-test-device",
                "props": {
                    "INTEGRATION_ID": "IMPORT_DEVICE_SDE",
                    "NAME": "Test Device",
                    "LOCATION": {"type": "Point", "coordinates": [174.7805678, -41.27834066, 20]},
                    "NOTES": "Demo device",
                },
                "sensors": [
                    {
                        "changeState": "new",
                        "refId": "/api/13DC2F/node-test-sensor",
                        "props": {
                            "NAME": "Test Sensor",
                            "SERIAL_NO": "1234",
                            "INTEGRATION_ID": "GENERIC_SENSOR_SDE",
                            "LOCATION": {
                                "type": "Point",
                                "coordinates": [174.7805678, -41.25834066, 65],
                            },
                            "UNKNOWN_UNITS": {"0": "millimeter", "1": "millimeter"},
                            "UNKNOWN_METRICS": {
                                "0": "Alignment_Left_SD",
                                "1": "Alignment_Right_SD",
                            },
                            "NOTES": "Generic sensor",
                        },
                    }
                ],
            }
        ],
    }
}
SENSOR = "integration.devices[0].sensors[0]"


def targets(request: object, catalogue: Catalogue | None = None) -> list[str]:
    return [p.target for p in validate_request(request, catalogue)]


def changed(path: list[Any], value: Any = None, *, delete: bool = False) -> dict[str, Any]:
    """A copy of ADVANCED with the value at ``path`` replaced (or deleted)."""
    request = copy.deepcopy(ADVANCED)
    holder: Any = request
    for key in path[:-1]:
        holder = holder[key]
    if delete:
        del holder[path[-1]]
    else:
        holder[path[-1]] = value
    return request


DEVICE = ["integration", "devices", 0]
SENSOR_PATH = [*DEVICE, "sensors", 0]


def test_the_documented_advanced_example_is_valid() -> None:
    assert validate_request(ADVANCED) == []


def test_seed_000_example_lacks_the_generic_sensors_metrics() -> None:
    """The reference example's generic sensor has no metrics or units, which the docs require."""
    request = copy.deepcopy(ADVANCED)
    sensor = request["integration"]["devices"][0]["sensors"][0]["props"]
    for key in ("UNKNOWN_UNITS", "UNKNOWN_METRICS"):
        del sensor[key]
    assert targets(request) == [f"{SENSOR}.props.UNKNOWN_METRICS", f"{SENSOR}.props.UNKNOWN_UNITS"]


def test_new_entities_need_an_integration_id() -> None:
    problems = validate_request(changed([*SENSOR_PATH, "props", "INTEGRATION_ID"], delete=True))
    assert [(p.target, p.message) for p in problems] == [
        (f"{SENSOR}.props.INTEGRATION_ID", MISSING_INTEGRATION_ID)
    ]


def test_a_new_connection_needs_change_state_new() -> None:
    request = changed(["integration", "nodeId"], delete=True)
    assert targets(request) == ["integration.changeState"]
    request["integration"]["changeState"] = "new"
    assert targets(request) == []


def test_change_state_must_be_new_update_or_remove() -> None:
    assert targets(changed([*DEVICE, "changeState"], "create")) == [
        "integration.devices[0].changeState"
    ]


def test_update_and_remove_need_a_ref_id() -> None:
    request = changed([*SENSOR_PATH, "changeState"], "remove")
    del request["integration"]["devices"][0]["sensors"][0]["refId"]
    problems = validate_request(request)
    assert [(p.target, p.message) for p in problems] == [
        (f"{SENSOR}.refId", "is required to remove an entity")
    ]


def test_schema_required_keys_and_types() -> None:
    request = changed([*DEVICE, "sensors"], delete=True)
    assert targets(request) == ["integration.devices[0].sensors"]
    assert targets(changed([*DEVICE, "props"], [])) == ["integration.devices[0].props"]
    assert targets(changed(["integration", "devices"], {})) == ["integration.devices"]
    assert targets(changed([*DEVICE, "props", "NAME"], 7)) == ["integration.devices[0].props.NAME"]
    assert targets([]) == [""]


def test_no_unknown_top_level_properties() -> None:
    request = copy.deepcopy(ADVANCED)
    request["token"] = "x"
    assert targets(request) == ["token"]


def test_location_shape_and_ranges() -> None:
    loc = [*SENSOR_PATH, "props", "LOCATION"]
    assert targets(changed(loc, {"type": "Point", "coordinates": [190, 95, 0]})) == [
        f"{SENSOR}.props.LOCATION.coordinates[0]",
        f"{SENSOR}.props.LOCATION.coordinates[1]",
    ]
    assert targets(changed(loc, {"type": "Polygon", "coordinates": [1, 2, 3]})) == [
        f"{SENSOR}.props.LOCATION"
    ]
    assert targets(changed(loc, {"type": "Point", "coordinates": ["1", 2]})) == [
        f"{SENSOR}.props.LOCATION.coordinates"
    ]


def test_generic_metrics_and_units_need_matching_index_keys() -> None:
    units = [*SENSOR_PATH, "props", "UNKNOWN_UNITS"]
    assert targets(changed(units, {"0": "millimeter"})) == [f"{SENSOR}.props.UNKNOWN_UNITS"]
    assert targets(changed(units, {"0": "mm", "2": "mm"})) == [
        f"{SENSOR}.props.UNKNOWN_UNITS",
        f"{SENSOR}.props.UNKNOWN_UNITS",
    ]


def test_ref_ids_are_unique_in_a_request() -> None:
    request = changed([*SENSOR_PATH, "refId"], "/api/13DC2F/node-test-device")
    problems = validate_request(request)
    assert [p.code for p in problems] == ["Duplicate"]
    assert problems[0].target == f"{SENSOR}.refId"


def test_integration_ids_and_known_metrics_checked_against_a_catalogue() -> None:
    catalogue = Catalogue(
        device_types={"DEMO_DEVICE_SDE"}, sensor_types={"GENERIC_SENSOR_SDE"}, metrics={"T"}
    )
    assert targets(ADVANCED, catalogue) == ["integration.devices[0].props.INTEGRATION_ID"]
    request = changed([*SENSOR_PATH, "props", "UNKNOWN_METRICS"], delete=True)
    request["integration"]["devices"][0]["sensors"][0]["props"]["KNOWN_METRICS"] = {
        "0": "T",
        "1": "Alignment",
    }
    assert targets(request, Catalogue(metrics={"T"})) == [f"{SENSOR}.props.KNOWN_METRICS.1"]
