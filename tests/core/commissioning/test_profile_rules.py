"""Profile validation: each safety rule names its path, typos get a suggestion, all at once."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from commissioner.core.commissioning import (
    ProfileError,
    ProfileProblem,
    profile_from_dict,
    validate_profile,
)
from commissioner.core.sensor_catalogue import SensorModel, load_catalogue
from tests.core.commissioning.test_profile import BASE


@pytest.fixture(scope="module")
def catalogue() -> list[SensorModel]:
    return load_catalogue()


@pytest.fixture
def base() -> dict[str, Any]:
    return copy.deepcopy(BASE)


def problems(data: dict[str, Any], catalogue: list[SensorModel]) -> dict[str, str]:
    found = validate_profile(data, catalogue)
    return {p.path: p.message for p in found}


def only(data: dict[str, Any], catalogue: list[SensorModel]) -> ProfileProblem:
    found = validate_profile(data, catalogue)
    assert len(found) == 1, found
    return found[0]


def test_the_base_profile_is_valid(base: dict[str, Any], catalogue: list[SensorModel]) -> None:
    """The fixture every rule test breaks is itself valid."""
    assert validate_profile(base, catalogue) == []


def test_voltage_above_the_sensor_maximum(
    base: dict[str, Any], catalogue: list[SensorModel]
) -> None:
    """15 V on the 12 V LT-420 is refused with the limit and a safe choice."""
    base["ports"][2]["voltage"] = 15
    p = only(base, catalogue)
    assert p.path == "ports[2].voltage"
    assert "15 V on port 3 is above the 12 V maximum supply of sensor lt-420" in p.message
    assert "can damage it" in p.message and "choose 12 V" in p.message


def test_voltage_below_the_sensor_supply(
    base: dict[str, Any], catalogue: list[SensorModel]
) -> None:
    """A powered-off port under a sensor that needs 12 V is refused."""
    base["ports"][1]["voltage"] = 0
    p = only(base, catalogue)
    assert p.path == "ports[1].voltage"
    assert "port 2 supplies off, but sensor dt-485" in p.message and "needs 12 V" in p.message


def test_voltage_must_be_a_documented_output(
    base: dict[str, Any], catalogue: list[SensorModel]
) -> None:
    """Only 0, 12 and 15 volts exist."""
    base["ports"][0]["voltage"] = 24
    assert problems(base, catalogue) == {
        "ports[0].voltage": "must be 0 (off), 12 or 15 volts, got 24"
    }


def test_usb_only_on_port_one(base: dict[str, Any], catalogue: list[SensorModel]) -> None:
    """USB on port 2 is refused with the Edge rule's own sentence."""
    base["ports"][1] = {"number": 2, "mode": "USB", "voltage": 12}
    p = only(base, catalogue)
    assert p.path == "ports[1].mode"
    assert p.message == "USB is only supported on port 1, not port 2"


def test_usb_properties_only_on_port_one(
    base: dict[str, Any], catalogue: list[SensorModel]
) -> None:
    """HOST/PORT and COMM_TYPE USB on another port are refused too."""
    base["ports"][1]["serial"] = {"host": "192.168.254.3"}
    found = problems(base, catalogue)
    assert "ports[1].serial.host" in found and "only port 1" in found["ports[1].serial.host"]


@pytest.mark.parametrize(
    ("index", "mode", "sensor_text"),
    [
        (0, "RS485", "sensor wx-232 (Weather probe WX-232) is RS232, but port 1 is set to RS485"),
        (2, "RS232", "sensor lt-420 (Level transmitter LT-420) is ANALOG, but port 3"),
        (1, "OFF", "the port is OFF, but sensor dt-485"),
    ],
)
def test_sensor_interface_must_match_the_mode(
    base: dict[str, Any], catalogue: list[SensorModel], index: int, mode: str, sensor_text: str
) -> None:
    """An RS-232 sensor on an RS485 port (and the like) is refused at the port's mode."""
    base["ports"][index]["mode"] = mode
    found = problems(base, catalogue)
    assert sensor_text in found[f"ports[{index}].mode"]


def test_framing_must_match_the_sensor(base: dict[str, Any], catalogue: list[SensorModel]) -> None:
    """A baud or parity the sensor does not use is an error naming both values."""
    base["ports"][0]["serial"] = {"baud": 19200, "parity": "EVEN", "stop_bits": 2}
    found = problems(base, catalogue)
    assert set(found) == {
        "ports[0].serial.baud",
        "ports[0].serial.parity",
        "ports[0].serial.stop_bits",
    }
    assert found["ports[0].serial.baud"].startswith("19200 differs from sensor wx-232's 9600")
    assert "allow_framing_mismatch = true" in found["ports[0].serial.baud"]


def test_framing_mismatch_can_be_allowed_explicitly(
    base: dict[str, Any], catalogue: list[SensorModel]
) -> None:
    """allow_framing_mismatch = true keeps a deliberately different framing."""
    base["ports"][0]["serial"] = {"baud": 19200, "allow_framing_mismatch": True}
    profile = profile_from_dict(base, catalogue)
    port = profile.port(1)
    assert port is not None and port.serial is not None and port.serial.baud == 19200


def test_serial_values_follow_the_edge_rules(
    base: dict[str, Any], catalogue: list[SensorModel]
) -> None:
    """Undocumented baud, data bits, parity and delimiters are each reported."""
    base["ports"][0]["serial"] = {
        "baud": 1000,
        "data_bits": 9,
        "parity": "odd-ish",
        "delimiters": ["0x0D"],
        "comm_type": "RS485",
        "allow_framing_mismatch": True,
    }
    found = problems(base, catalogue)
    assert "must be one of 230400" in found["ports[0].serial.baud"]
    assert "8, 7, 6, 5" in found["ports[0].serial.data_bits"]
    assert "NONE, ODD, EVEN" in found["ports[0].serial.parity"]
    assert "hex bytes" in found["ports[0].serial.delimiters"]
    assert found["ports[0].serial.comm_type"] == "RS485 does not match the port's mode RS232"


def test_serial_settings_on_an_analog_port(
    base: dict[str, Any], catalogue: list[SensorModel]
) -> None:
    """An ANALOG port takes no serial table and no line parser."""
    base["ports"][2]["serial"] = {"baud": 9600}
    base["ports"][2]["parser"] = {"kind": "csv"}
    found = problems(base, catalogue)
    assert "only apply to RS232, RS485 or USB, not ANALOG" in found["ports[2].serial"]
    assert "ANALOG port is read as a current" in found["ports[2].parser.kind"]


def test_duplicate_port_numbers(base: dict[str, Any], catalogue: list[SensorModel]) -> None:
    """A port described twice is refused at the second description."""
    base["ports"].append({"number": 1, "mode": "OFF", "voltage": 0})
    p = only(base, catalogue)
    assert p.path == "ports[3].number"
    assert p.message.startswith("port 1 is already described by ports[0]")


def test_port_number_range(base: dict[str, Any], catalogue: list[SensorModel]) -> None:
    """Port 4 does not exist."""
    base["ports"][0]["number"] = 4
    assert problems(base, catalogue)["ports[0].number"] == "must be one of 1, 2, 3, got 4"


def test_unknown_sensor_id_with_suggestion(
    base: dict[str, Any], catalogue: list[SensorModel]
) -> None:
    """A catalogue id with a typo is refused, with the nearest id and the known ones."""
    base["ports"][0]["sensor"] = "wx232"
    p = only(base, catalogue)
    assert p.path == "ports[0].sensor"
    assert p.message.startswith("'wx232' is not in the sensor catalogue (did you mean 'wx-232'?)")
    assert "dt-485" in p.message


def test_unknown_keys_suggest_the_nearest(
    base: dict[str, Any], catalogue: list[SensorModel]
) -> None:
    """Typos anywhere are reported with the nearest known key."""
    base["ports"][0]["voltgae"] = 12
    base["thread"]["interface_priorty"] = "ethernet"
    base["cloud"]["device_nmae"] = "x"
    base["ports"][0]["serial"] = {"baudrate": 9600}
    base["extra"] = 1
    found = problems(base, catalogue)
    assert found["ports[0].voltgae"].startswith("unknown key (did you mean 'voltage'?)")
    assert "(did you mean 'interface_priority'?)" in found["thread.interface_priorty"]
    assert "(did you mean 'device_name'?)" in found["cloud.device_nmae"]
    assert "(did you mean 'baud'?)" in found["ports[0].serial.baudrate"]
    assert found["extra"].startswith("unknown key; known keys: profile, thread, ports, cloud")


def test_unknown_channel_name(base: dict[str, Any], catalogue: list[SensorModel]) -> None:
    """An override of a channel the sensor lacks names the sensor's channels."""
    base["ports"][0]["channels"] = [{"name": "temprature", "min": 0.0}]
    p = only(base, catalogue)
    assert p.path == "ports[0].channels[0].name"
    assert "(did you mean 'temperature'?)" in p.message and "humidity" in p.message


def test_channel_range_and_interval(base: dict[str, Any], catalogue: list[SensorModel]) -> None:
    """min above max, a non-positive interval and column 0 are refused."""
    base["ports"][0]["channels"] = [
        {"name": "temperature", "min": 70.0, "interval_s": 0, "column": 0}
    ]
    found = problems(base, catalogue)
    assert found["ports[0].channels[0]"] == "min 70 is above max 60"
    assert found["ports[0].channels[0].interval_s"] == "must be more than 0 seconds"
    assert found["ports[0].channels[0].column"] == "CSV columns count from 1"


def test_unknown_placeholders(base: dict[str, Any], catalogue: list[SensorModel]) -> None:
    """Unknown placeholders, {port} in the node name and bad braces are refused."""
    base["cloud"]["node_name"] = "THREAD {serial} port {port}"
    base["cloud"]["device_name"] = "{site} {seriall}"
    base["cloud"]["sensor_name"] = "{sensor"
    base["ports"][0]["cloud"] = {"sensor_name": "{sensor!r}"}
    found = problems(base, catalogue)
    assert found["cloud.node_name"].startswith("unknown placeholder {port}; this name can use")
    assert "(did you mean 'serial'?)" in found["cloud.device_name"]
    assert "not a valid name template" in found["cloud.sensor_name"]
    assert "takes no format or conversion" in found["ports[0].cloud.sensor_name"]


def test_thread_settings(base: dict[str, Any], catalogue: list[SensorModel]) -> None:
    """Battery saver ranges, interface priority values and booleans follow the Edge rules."""
    base["thread"] = {
        "cloud_connection": "yes",
        "interface_priority": "cellullar",
        "battery_saver": {"enabled": True, "low": 50, "high": 100},
    }
    found = problems(base, catalogue)
    assert found["thread.cloud_connection"].startswith("must be true or false")
    assert found["thread.interface_priority"] == (
        "must be one of ethernet, cellular, got 'cellullar' (did you mean 'cellular'?)"
    )
    assert found["thread.battery_saver.low"] == "must be a whole number from 0 to 40 %, got 50"
    base["thread"] = {"battery_saver": {"enabled": True, "low": 10}}
    assert problems(base, catalogue) == {
        "thread.battery_saver.low/high": "give both low and high, or neither"
    }


def test_cloud_registration_needs_the_cloud_connection(
    base: dict[str, Any], catalogue: list[SensorModel]
) -> None:
    """Registering while turning the THREAD's cloud connection off is refused."""
    base["thread"]["cloud_connection"] = False
    assert "is false but the profile registers" in only(base, catalogue).message


def test_required_keys(catalogue: list[SensorModel]) -> None:
    """A port without number, mode or voltage, and a profile without a name, say what to give."""
    found = problems({"profile": {}, "ports": [{}]}, catalogue)
    assert found["profile.name"].startswith("is missing: give a short name")
    assert found["ports[0].number"] == "is missing: give the port number, 1, 2 or 3"
    assert found["ports[0].mode"].startswith("is missing: give the interface mode")
    assert found["ports[0].voltage"].startswith("is missing: give the output voltage")


def test_every_problem_is_collected_at_once(
    base: dict[str, Any], catalogue: list[SensorModel]
) -> None:
    """One ProfileError lists every problem in the file, not only the first."""
    base["ports"][0]["voltgae"] = 12
    base["ports"][0]["serial"] = {"baud": 19200}
    base["ports"][1]["mode"] = "USB"
    base["ports"][2]["voltage"] = 15
    base["ports"].append({"number": 3, "mode": "OFF", "voltage": 0})
    base["cloud"]["node_name"] = "{sensor}"
    with pytest.raises(ProfileError) as info:
        profile_from_dict(base, catalogue, source="site.toml")
    paths = [p.path for p in info.value.problems]
    assert paths == [  # what reading finds, then the safety rules
        "ports[0].voltgae",
        "ports[1].mode",
        "cloud.node_name",
        "ports[3].number",
        "ports[0].serial.baud",
        "ports[2].voltage",
    ]
    text = str(info.value)
    assert text.startswith("site.toml: 6 problems")
    assert "ports[2].voltage: 15 V on port 3" in text


def test_wrong_types_are_reported(catalogue: list[SensorModel]) -> None:
    """Tables, arrays, text and numbers of the wrong kind are problems, not crashes."""
    data: dict[str, Any] = {
        "profile": {"name": 3},
        "thread": [],
        "ports": {"number": 1},
        "cloud": "yes",
    }
    found = problems(data, catalogue)
    assert found["profile.name"] == "must be text in quotes, got 3"
    assert found["thread"] == "must be a table, got an array"
    assert found["ports"].startswith("must be an array of tables")
    assert found["cloud"] == "must be a table, got 'yes'"
    assert problems([], catalogue) == {"": "must be a table, got an array"}  # type: ignore[arg-type]
