"""Scenario files: the shipped ones load, the format is checked, stored port config applies."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from commissioner.core.edge.rules import PortMode
from commissioner.sim.scenario import ScenarioError, load_scenario, parse_scenario
from tests.sim.helpers import fast_server


def test_default_scenario() -> None:
    """default: V12, RS-232 csv on 1 at 9600, RS-485 poll on 2 at 19200, analog on 3."""
    scenario = load_scenario()
    assert scenario.name == "default" and scenario.device.hardware == "V12"
    kinds = {s.port: (s.kind, s.interface, s.baud) for s in scenario.sensors}
    assert kinds[1] == ("csv", PortMode.RS232, 9600)
    assert kinds[2] == ("poll", PortMode.RS485, 19200)
    assert kinds[3][:2] == ("analog", PortMode.ANALOG)
    assert scenario.sensors[2].max_supply_v == 12.0


def test_v11_scenario() -> None:
    """v11 is older hardware."""
    assert load_scenario("v11").device.hardware == "V11"


def test_unknown_scenario_name() -> None:
    """An unknown name is a ScenarioError naming it."""
    with pytest.raises(ScenarioError, match="nonesuch"):
        load_scenario("nonesuch")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[device]\nhardwear = 'V12'\n", "hardwear"),
        ("[device]\nclock_drift_ppm = 'fast'\n", "clock_drift_ppm"),
        ("[device]\nserial_number = 'XYZ'\n", "serial_number"),
        ("[[sensors]]\nport = 4\nkind = 'csv'\n", "port"),
        ("[[sensors]]\nport = 1\nkind = 'laser'\n", "kind"),
        ("[[sensors]]\nport = 1\nkind = 'analog'\ninterface = 'RS232'\n", "interface"),
        ("[[sensors]]\nport = 1\nkind = 'csv'\nparity = 'SOMETIMES'\n", "parity"),
        ("[[sensors]]\nport = 1\nkind='csv'\n[[sensors]]\nport = 1\nkind='poll'\n", "same port"),
        ("[[ports]]\nnumber = 2\nmode = 'USB'\n", "USB"),
        ("this is not toml", "TOML"),
    ],
)
def test_bad_scenarios_are_refused(text: str, message: str) -> None:
    """Typos, wrong types and impossible sensors are errors that say what is wrong."""
    with pytest.raises(ScenarioError, match=message):
        parse_scenario(text)


async def test_scenario_from_a_path_with_stored_ports(tmp_path: Path) -> None:
    """A scenario file by path; its [[ports]] table is the stored config at start."""
    path = tmp_path / "bench.toml"
    path.write_text(
        'name = "bench"\n[device]\nserial_number = "C0FFEE"\nhardware = "V10"\n'
        "[[sensors]]\nport = 1\nkind = 'csv'\n"
        "[[ports]]\nnumber = 1\nmode = 'RS232'\nvoltage = 1\ndevice_connection = true\n"
        "properties = { BAUD_RATE = 9600 }\n",
        encoding="utf-8",
    )
    scenario = load_scenario(str(path))
    assert scenario.name == "bench"
    async with (
        fast_server(scenario=scenario) as server,
        httpx.AsyncClient(base_url=server.url, trust_env=False) as http,
    ):
        assert server.serial_number == "C0FFEE"
        assert (await http.get("/api/deviceConnection?port=1")).json() == {"value": True}
        assert server.device.links[1].blocked_by() is None
