"""The device model without HTTP: pressure units, clock, battery physics, persistence rules."""

from __future__ import annotations

import asyncio
import random

import httpx

from commissioner.core.edge.rules import PortMode, PortVoltage
from commissioner.sim.clock import SimClock, format_iso, parse_iso
from commissioner.sim.power import Battery, PowerSpec
from commissioner.sim.scenario import load_scenario
from commissioner.sim.state import DeviceState, hardware_generation
from tests.sim.helpers import fast_server


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _state(name: str = "default") -> DeviceState:
    return DeviceState(load_scenario(name), "ABC123", random.Random(1))


async def test_v11_reports_pressure_in_hpa() -> None:
    """A V11 THREAD answers pressRead in hPa (about 1005), a V12 one in daPa (about 10130)."""
    async with (
        fast_server(scenario=load_scenario("v11")) as server,
        httpx.AsyncClient(base_url=server.url, trust_env=False) as http,
    ):
        assert (await http.get("/api/hardware")).json() == {"value": "V11"}
        hpa = (await http.get("/api/pressRead")).json()["value"]
        assert 900 < hpa < 1100
    assert 9000 < _state().pressure_reading(0.0) < 11000


def test_hardware_generation() -> None:
    """V12 is generation 12; an unnumbered name has none (and so reports daPa)."""
    assert hardware_generation("V12") == 12
    assert hardware_generation("THREAD") is None


def test_clock_offset_drift_and_set() -> None:
    """The clock starts off by the offset, drifts by ppm, and POST time resets it."""
    mono = FakeTime()
    clock = SimClock(-95.0, 100.0, wall=lambda: 2_000_000.0, monotonic=mono)
    assert clock.now() == 2_000_000.0 - 95.0
    mono.now += 10_000
    assert abs(clock.now() - (2_000_000.0 - 95.0 + 10_001.0)) < 1e-6
    clock.set(parse_iso("2019-11-19T15:41:30.000Z"))
    assert clock.iso() == "2019-11-19T15:41:30.000Z"
    assert format_iso(0.5) == "1970-01-01T00:00:00.500Z"


def test_time_accurate_follows_boot() -> None:
    """timeAccurate turns true time_sync_s after boot, and false again after a reboot."""
    mono = FakeTime()
    state = DeviceState(load_scenario(), "ABC123", random.Random(1), monotonic=mono)
    assert not state.time_accurate()
    mono.now += 3.1
    assert state.time_accurate()
    state.reboot()
    assert not state.time_accurate()


def test_reboot_and_factory_reset_rules() -> None:
    """Reboot keeps flash (cloud, ports) and loses memory (LED); factory reset loses both."""
    state = _state()
    state.persistent.cloud_connection = False
    state.port(1).mode, state.port(1).voltage = PortMode.RS232, PortVoltage.V15
    state.ephemeral.accessible = True
    state.reboot()
    assert state.persistent.cloud_connection is False
    assert state.port(1).voltage is PortVoltage.V15
    assert state.ephemeral.accessible is False
    state.clock.set(1_900_000_000.0)
    state.factory_reset()
    assert state.persistent.cloud_connection is True
    assert state.port(1).mode is PortMode.OFF
    assert state.clock.now() >= 1_900_000_000.0  # the RTC survives
    assert state.identity.application == "7.18.0"


def test_led_color() -> None:
    """With the cloud connection on the LED shows cloud health; off, it shows the setting."""
    state = _state()
    assert state.led_color == "green"
    state.persistent.cloud_connection = False
    assert state.led_color == "red"
    state.ephemeral.accessible = True
    assert state.led_color == "green"


def test_battery_charges_and_saver_stops_charging() -> None:
    """The state of charge rises with a charger, stops at the saver's high mark, falls without."""
    battery = Battery(
        PowerSpec(initial_soc=50.0, capacity_ah=1.0, max_charge_a=1.0), random.Random(1)
    )
    battery.step(60.0, saver_on=False, saver_high=100, port_load_a=0.0)
    assert battery.soc > 50.0 and battery.charging_a > 0
    charging_v = battery.battery_v(0.0)
    battery.soc = 80.0
    battery.step(60.0, saver_on=True, saver_high=80, port_load_a=0.0)
    assert battery.charging_a == 0.0 and battery.soc == 80.0
    assert battery.battery_v(0.0) < charging_v + 1.0
    battery.source_v = 0.0
    battery.step(600.0, saver_on=False, saver_high=100, port_load_a=0.5)
    assert battery.soc < 80.0
    assert battery.input_current_a() == 0.0


def test_battery_voltage_tracks_state_of_charge() -> None:
    """A fuller battery rests at a higher voltage."""
    battery = Battery(PowerSpec(charge_input_v=0.0), random.Random(1))
    battery.soc = 10.0
    low = battery.battery_v(0.0)
    battery.soc = 95.0
    assert battery.battery_v(0.0) > low + 0.5


async def test_state_of_charge_moves_with_time_scale(client: httpx.AsyncClient) -> None:
    """/_sim/power changes charger and battery; the REST readings follow."""
    answer = await client.post("/_sim/power", json={"charge_input_v": 0, "soc": 30})
    assert answer.status_code == 200
    assert (await client.get("/api/stateOfCharge")).json() == {"value": 30}
    assert (await client.get("/api/chargeInputVoltage")).json()["value"] < 0.1
    assert (await client.get("/api/chargeInputCurrent")).json() == {"value": 0.0}
    assert (await client.post("/_sim/power", json={"soc": 101})).status_code == 400


async def test_battery_drains_quickly_when_time_is_scaled() -> None:
    """With time_scale large the state of charge visibly falls on battery alone."""
    async with fast_server(time_scale=20_000.0) as server:
        server.state.battery.source_v = 0.0
        before = server.state.battery.soc
        await asyncio.sleep(0.5)
        assert server.state.battery.soc < before - 1.0
