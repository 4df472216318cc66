"""The documented validation rules of the Edge API, one by one (no I/O)."""

from __future__ import annotations

import pytest

from commissioner.core.edge import rules
from commissioner.core.edge.errors import EdgeValidationError
from commissioner.core.edge.rules import PortMode, PortVoltage


@pytest.mark.parametrize("value", [1, 2, 3, "2"])
def test_ports_one_to_three_accepted(value: object) -> None:
    """Ports 1-3 are valid, including the numeric string the seed's curl sends."""
    assert rules.port(value) == int(value)  # type: ignore[call-overload]


@pytest.mark.parametrize("value", [0, 4, -1, "x", None, True, 1.5])
def test_other_ports_rejected(value: object) -> None:
    """Anything but 1, 2 or 3 is refused with the field named."""
    with pytest.raises(EdgeValidationError, match="port"):
        rules.port(value)


def test_usb_mode_only_on_port_one() -> None:
    """USB is only supported on port 1."""
    assert rules.port_mode(1, "USB") is PortMode.USB
    for port in (2, 3):
        with pytest.raises(EdgeValidationError, match="only supported on port 1"):
            rules.port_mode(port, "USB")


@pytest.mark.parametrize("mode", ["RS232", "RS485", "ANALOG", "OFF", "rs485"])
def test_other_modes_on_any_port(mode: str) -> None:
    """RS232, RS485, ANALOG and OFF are valid on every port (case-insensitive)."""
    assert rules.port_mode(3, mode).value == mode.upper()


def test_unknown_mode_rejected() -> None:
    """A mode outside the documented five is refused."""
    with pytest.raises(EdgeValidationError, match="interface mode"):
        rules.port_mode(1, "CAN")


def test_voltage_codes() -> None:
    """0 off, 1 = 12 V, 2 = 15 V; nothing else."""
    assert [rules.port_voltage(v).volts for v in (0, 1, 2)] == [0.0, 12.0, 15.0]
    for bad in (3, -1, "1", 12, True):
        with pytest.raises(EdgeValidationError, match="voltage"):
            rules.port_voltage(bad)
    assert rules.port_voltage(PortVoltage.V15) is PortVoltage.V15


def test_battery_saver_true_alone_means_10_100() -> None:
    """``value: true`` without thresholds sets low 10 and high 100."""
    assert rules.battery_saver(True, None, None) == (True, 10, 100)
    assert rules.battery_saver("true", None, None) == (True, 10, 100)


def test_battery_saver_bounds_inclusive() -> None:
    """Low 0-40 and high 60-100, inclusive."""
    assert rules.battery_saver(True, 0, 60) == (True, 0, 60)
    assert rules.battery_saver(True, 40, 100) == (True, 40, 100)
    for low, high, field in [(41, 80, "low"), (-1, 80, "low"), (20, 59, "high"), (20, 101, "high")]:
        with pytest.raises(EdgeValidationError, match=field):
            rules.battery_saver(True, low, high)


def test_battery_saver_both_or_neither() -> None:
    """Only one of low/high is refused."""
    with pytest.raises(EdgeValidationError, match="both"):
        rules.battery_saver(True, 20, None)
    with pytest.raises(EdgeValidationError, match="both"):
        rules.battery_saver(True, None, 80)


def test_port_properties_normalised() -> None:
    """A full valid property set is accepted and normalised."""
    props = rules.port_properties(
        1,
        {
            "COMM_TYPE": "usb",
            "BAUD_RATE": 9600,
            "DATA_BITS": 7,
            "PARITY_BIT": "even",
            "DELIMITERS_HEX": ["0d0a", "0D"],
            "PORT": 1234,
            "HOST": "127.0.0.1",
        },
    )
    assert props == {
        "COMM_TYPE": "USB",
        "BAUD_RATE": 9600,
        "DATA_BITS": 7,
        "PARITY_BIT": "EVEN",
        "DELIMITERS_HEX": ["0D0A", "0D"],
        "PORT": "1234",
        "HOST": "127.0.0.1",
    }


@pytest.mark.parametrize(
    ("port", "props", "field"),
    [
        (1, {"COMM_TYPE": "ANALOG"}, "COMM_TYPE"),
        (2, {"COMM_TYPE": "USB"}, "COMM_TYPE"),
        (1, {"BAUD_RATE": 9601}, "BAUD_RATE"),
        (1, {"BAUD_RATE": "9600"}, "BAUD_RATE"),
        (1, {"DATA_BITS": 9}, "DATA_BITS"),
        (1, {"PARITY_BIT": "HIGH"}, "PARITY_BIT"),
        (1, {"DELIMITERS_HEX": ["0G"]}, "DELIMITERS_HEX"),
        (1, {"DELIMITERS_HEX": ["0D0"]}, "DELIMITERS_HEX"),
        (1, {"DELIMITERS_HEX": []}, "DELIMITERS_HEX"),
        (1, {"PORT": 70000}, "PORT"),
        (1, {"PORT": "abc"}, "PORT"),
        (1, {"HOST": "not a host!"}, "HOST"),
        (3, {"HOST": "127.0.0.1"}, "HOST"),
        (2, {"PORT": 1212}, "PORT"),
        (1, {"STOP_BITS": 2}, "STOP_BITS"),
        (1, {}, "properties"),
    ],
)
def test_port_properties_rejected(port: int, props: dict[str, object], field: str) -> None:
    """Each documented property rule refuses bad values and names the property."""
    with pytest.raises(EdgeValidationError) as info:
        rules.port_properties(port, props)
    assert info.value.field == field


def test_every_documented_baud_rate_accepted() -> None:
    """All baud rates listed in the seed are valid."""
    for baud in (230400, 115200, 57600, 38400, 19200, 9600, 4800, 1200):
        assert rules.port_properties(2, {"BAUD_RATE": baud}) == {"BAUD_RATE": baud}


def test_property_names_for_delete() -> None:
    """DELETE resources must be known keys; repeats collapse."""
    assert rules.property_names(["HOST", "PORT", "HOST"]) == ["HOST", "PORT"]
    with pytest.raises(EdgeValidationError):
        rules.property_names(["NOPE"])
    with pytest.raises(EdgeValidationError):
        rules.property_names([])


def test_other_inputs() -> None:
    """Sleep, message, time, update version/file and booleans follow their rules."""
    assert rules.sleep_duration(10000) == 10000
    for bad in (0, -5, 1.5, "10"):
        with pytest.raises(EdgeValidationError, match="duration"):
            rules.sleep_duration(bad)
    with pytest.raises(EdgeValidationError, match="message"):
        rules.message_text("")
    assert rules.iso_time("2019-11-19T15:41:30.000Z")
    with pytest.raises(EdgeValidationError, match="time zone"):
        rules.iso_time("2019-11-19T15:41:30")
    assert rules.update_version("7.18.0") == "7.18.0"
    with pytest.raises(EdgeValidationError):
        rules.update_version("latest")
    assert rules.update_file("/tmp/snoopy-1.2.3.jar")
    for bad in ("tmp/x.jar", "/tmp/x.zip"):
        with pytest.raises(EdgeValidationError):
            rules.update_file(bad)
    assert rules.boolean("false") is False
    with pytest.raises(EdgeValidationError):
        rules.boolean("yes")
