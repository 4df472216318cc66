"""Commissioning profiles: shipped examples load, names render, drafts and dicts round-trip."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from commissioner.core.cloud.registration import build_request
from commissioner.core.commissioning import (
    CommissioningProfile,
    ProfileError,
    list_example_profiles,
    load_profile,
    profile_from_dict,
    profile_to_dict,
    render_names,
    to_registration_draft,
    validate_profile,
)
from commissioner.core.edge import rules
from commissioner.core.edge.rules import CommType, NetworkInterface, Parity, PortMode, PortVoltage
from commissioner.core.sensor_catalogue import SensorModel, load_catalogue
from commissioner.core.streams.parsers import CsvParser, parser_from_spec
from commissioner.resources import resource_path

BASE: dict[str, Any] = {
    "profile": {"name": "test", "description": "a test profile"},
    "thread": {"cloud_connection": True, "interface_priority": "cellular"},
    "ports": [
        {"number": 1, "mode": "RS232", "voltage": 12, "sensor": "wx-232"},
        {"number": 2, "mode": "RS485", "voltage": 12, "sensor": "dt-485"},
        {"number": 3, "mode": "ANALOG", "voltage": 12, "sensor": "lt-420"},
    ],
    "cloud": {"profile": "Simulator", "project": "p-1"},
}
EXAMPLES = (
    "analog-4-20ma-level.toml",
    "mixed-three-port.toml",
    "rs232-weather-probe.toml",
    "rs485-displacement.toml",
)


@pytest.fixture(scope="module")
def catalogue() -> list[SensorModel]:
    return load_catalogue()


@pytest.fixture
def base() -> dict[str, Any]:
    return copy.deepcopy(BASE)


def test_examples_are_listed() -> None:
    """list_example_profiles finds the four shipped examples in resources/profiles."""
    assert [p.name for p in list_example_profiles()] == list(EXAMPLES)


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_loads_and_validates(name: str, catalogue: list[SensorModel]) -> None:
    """Each shipped example is valid, names its source, and round-trips through a dict."""
    path = resource_path("profiles", name)
    profile = load_profile(path, catalogue)
    assert profile.source == path
    assert profile.name and profile.description
    assert profile.ports and profile.cloud is not None
    assert validate_profile(profile_to_dict(profile), catalogue) == []
    assert profile_from_dict(profile_to_dict(profile), catalogue) == profile


def test_example_files_document_the_format() -> None:
    """Every example starts with the comment header describing every table."""
    for path in list_example_profiles():
        head = path.read_text(encoding="utf-8").split("\n[profile]\n")[0]
        for word in ("[thread]", "[[ports]]", "[ports.serial]", "[cloud]", "{serial}", "{site}"):
            assert word in head, (path.name, word)


def test_mixed_profile_matches_the_simulator_bench(catalogue: list[SensorModel]) -> None:
    """The mixed example sets what the default simulator scenario's sensors need to talk."""
    import tomllib

    profile = load_profile(resource_path("profiles", "mixed-three-port.toml"), catalogue)
    bench = tomllib.loads(resource_path("scenarios", "default.toml").read_text("utf-8"))
    assert [p.number for p in profile.ports] == [1, 2, 3]
    for sensor in bench["sensors"]:
        port = profile.port(sensor["port"])
        assert port is not None
        assert port.mode.value == sensor["interface"]
        assert port.device_connection
        assert sensor["min_supply_v"] <= port.voltage.volts <= sensor["max_supply_v"]
        if "baud" in sensor:
            assert port.serial is not None
            props = port.serial.properties()
            assert props["COMM_TYPE"] == sensor["interface"]
            assert props["BAUD_RATE"] == sensor["baud"]
            assert props["DATA_BITS"] == sensor["data_bits"]
            assert props["PARITY_BIT"] == sensor["parity"]
            assert port.serial.stop_bits == sensor["stop_bits"]
            # what the Edge client would send passes the documented rules
            assert rules.port_properties(port.number, props) == props


def test_effective_values_come_from_the_sensor_model(
    base: dict[str, Any], catalogue: list[SensorModel]
) -> None:
    """Framing, parser and channels a port leaves out are the catalogue sensor's."""
    profile = profile_from_dict(base, catalogue)
    port1 = profile.port(1)
    assert port1 is not None and port1.serial is not None
    assert port1.serial.comm_type is CommType.RS232
    assert (port1.serial.baud, port1.serial.data_bits) == (9600, 8)
    assert port1.serial.parity is Parity.NONE and port1.serial.stop_bits == 1
    assert port1.parser is not None and port1.parser.kind == "csv"
    assert [c.name for c in port1.channels] == ["temperature", "humidity", "pressure"]
    assert port1.channels[0].acceptance().minimum == -40.0
    port3 = profile.port(3)
    assert port3 is not None
    assert port3.serial is None and port3.parser is not None and port3.parser.kind == "none"
    assert port3.voltage is PortVoltage.V12 and port3.mode is PortMode.ANALOG
    assert profile.thread.interface_priority is NetworkInterface.CELLULAR
    assert profile.port(4) is None


def test_channel_overrides_change_ranges_interval_and_column(
    base: dict[str, Any], catalogue: list[SensorModel]
) -> None:
    """An override changes only what it names; the csv parser reads the chosen column."""
    base["ports"][1]["channels"] = [
        {"name": "displacement", "column": 2, "min": -10.0, "interval_s": 5.0, "unit": "mm"}
    ]
    port = profile_from_dict(base, catalogue).port(2)
    assert port is not None and port.parser is not None
    (channel,) = port.channels
    assert (channel.minimum, channel.maximum, channel.interval_s) == (-10.0, 50.0, 5.0)
    assert (channel.metric, channel.unit) == ("Displacement", "mm")
    spec = port.parser.spec(port.channels)
    assert spec is not None
    parser = parser_from_spec(spec)
    assert isinstance(parser, CsvParser)
    assert parser.columns[0] is None and parser.columns[1] is not None


def test_battery_saver_defaults_follow_the_edge_rules(
    base: dict[str, Any], catalogue: list[SensorModel]
) -> None:
    """enabled alone means 10/100, as the THREAD documents."""
    base["thread"]["battery_saver"] = {"enabled": True}
    saver = profile_from_dict(base, catalogue).thread.battery_saver
    assert saver is not None and (saver.enabled, saver.low, saver.high) == (True, 10, 100)


def test_placeholders_are_rendered(base: dict[str, Any], catalogue: list[SensorModel]) -> None:
    """{serial}, {site}, {port} and {sensor} are filled; a port override wins over [cloud]."""
    base["cloud"].update(
        node_name="THREAD {serial} at {site}",
        device_name="{site} / {serial} / port {port}",
        sensor_name="{sensor} ({site})",
    )
    base["ports"][2]["cloud"] = {"device_name": "Tank {port} at {site}"}
    profile = profile_from_dict(base, catalogue)
    names = render_names(profile, "TH-0042", "North {pier}", catalogue)
    assert names.node == "THREAD TH-0042 at North {pier}"
    port1, port3 = names.port(1), names.port(3)
    assert port1 is not None and port3 is not None
    assert port1.device == "North {pier} / TH-0042 / port 1"
    assert port1.sensor == "Weather probe WX-232 (North {pier})"
    assert port3.device == "Tank 3 at North {pier}"


def test_draft_conversion_gives_stable_ref_ids(
    base: dict[str, Any], catalogue: list[SensorModel]
) -> None:
    """The draft has a row per port; refIds derive from serial and port, the same every time."""
    base["ports"][1]["cloud"] = {"register": False}
    profile = profile_from_dict(base, catalogue)
    draft = to_registration_draft(profile, "TH-7", "Quay", catalogue)
    assert [row.port for row in draft.ports] == [1, 2, 3]
    assert [row.enabled for row in draft.ports] == [True, False, True]
    spec = draft.to_spec(project_id="p-1")
    assert [d.ref_id for d in spec.devices] == ["thread-TH-7-port1", "thread-TH-7-port3"]
    assert [d.sensors[0].ref_id for d in spec.devices] == [
        "thread-TH-7-port1-sensor0",
        "thread-TH-7-port3-sensor0",
    ]
    assert [m.name for m in spec.devices[0].sensors[0].metrics] == [
        "Air_Temperature",
        "Relative_Humidity",
        "Barometric_Pressure",
    ]
    again = to_registration_draft(profile, "TH-7", "Quay", catalogue).to_spec(project_id="p-1")
    assert build_request(again) == build_request(spec)


def test_port_without_a_catalogue_sensor_registers_its_custom_channels(
    base: dict[str, Any], catalogue: list[SensorModel]
) -> None:
    """Without a sensor id, the port's channels and the [cloud] templates are registered."""
    base["ports"] = [
        {
            "number": 1,
            "mode": "RS232",
            "voltage": 12,
            "serial": {"baud": 4800},
            "parser": {"kind": "keyvalue"},
            "channels": [{"name": "flow", "metric": "Flow", "unit": "l/s", "min": 0.0}],
        }
    ]
    base["cloud"]["device_template"] = "MY_DEVICE"
    profile = profile_from_dict(base, catalogue)
    draft = to_registration_draft(profile, "S1", "Weir", catalogue)
    row = draft.ports[0]
    assert row.enabled and row.device_template == "MY_DEVICE"
    assert row.metrics == [("Flow", "l/s")]
    assert row.sensor_name == "flow"


def test_round_trip_through_a_dict(base: dict[str, Any], catalogue: list[SensorModel]) -> None:
    """profile_to_dict writes TOML-ready tables that read back to an equal profile."""
    base["thread"]["battery_saver"] = {"enabled": True, "low": 20, "high": 80}
    base["ports"][0]["serial"] = {"delimiters": ["0d0a"], "allow_framing_mismatch": True}
    profile = profile_from_dict(base, catalogue)
    data = profile_to_dict(profile)
    assert data["ports"][0]["serial"]["delimiters"] == ["0D0A"]
    assert profile_from_dict(data, catalogue) == profile


def test_load_reports_bad_toml_and_missing_files(tmp_path: Path) -> None:
    """A file that is not TOML, or not there, is one problem naming the file."""
    bad = tmp_path / "bad.toml"
    bad.write_text("[profile\nname = 1", encoding="utf-8")
    with pytest.raises(ProfileError, match="not valid TOML") as info:
        load_profile(bad)
    assert info.value.source == str(bad)
    with pytest.raises(ProfileError, match="cannot be read"):
        load_profile(tmp_path / "missing.toml")


def test_load_from_a_file(tmp_path: Path, catalogue: list[SensorModel]) -> None:
    """load_profile reads a TOML file written by hand."""
    path = tmp_path / "p.toml"
    path.write_text(
        '[profile]\nname = "one"\n[[ports]]\nnumber = 2\nmode = "OFF"\nvoltage = 0\n',
        encoding="utf-8",
    )
    profile = load_profile(path, catalogue)
    assert isinstance(profile, CommissioningProfile)
    port = profile.port(2)
    assert port is not None and port.device_connection is False and port.serial is None
    assert profile.cloud is None
