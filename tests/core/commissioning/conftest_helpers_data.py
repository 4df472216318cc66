"""Shared set-up for the data verification and scan tests: a bench, a profile, quick options."""

from __future__ import annotations

import dataclasses

from commissioner.core.commissioning import load_profile
from commissioner.core.commissioning.profile_model import (
    ChannelSpec,
    CommissioningProfile,
    PortProfile,
)
from commissioner.core.commissioning.verify_data import DataWaitOptions
from commissioner.core.edge.client import EdgeClient
from commissioner.core.ports.fields import PortField
from commissioner.core.ports.workspace import PortsWorkspace
from commissioner.core.sensor_catalogue import load_catalogue
from commissioner.resources import resource_path
from commissioner.sim.scenario import Scenario
from commissioner.sim.server import ThreadServer
from tests.core.edge.conftest import fast_scenario, with_sensor_baud

# Small windows: the fast scenario prints every 0.05 s, and polls are answered at once.
QUICK = DataWaitOptions(
    timeout_s=3.0,
    min_values=3,
    analog_samples=3,
    analog_spacing_s=0.02,
    poll_interval_s=0.1,
    connect_timeout_s=2.0,
)


def bench(**port_bauds: int) -> Scenario:
    """The fast default bench; ``port1=4800`` makes port 1's sensor talk at 4800 baud.

    The 4-20 mA transmitter sweeps 6-18 mA (not 4-20) so its readings stay clear of the
    profile's range limits whatever the moment of the sweep.
    """
    scenario = fast_scenario()
    for key, baud in port_bauds.items():
        scenario = with_sensor_baud(scenario, int(key.removeprefix("port")), baud)
    sensors = []
    for s in scenario.sensors:
        if s.kind == "analog":
            s = dataclasses.replace(s, min_ma=6.0, max_ma=18.0)
        sensors.append(s)
    return dataclasses.replace(scenario, sensors=tuple(sensors))


def mixed_profile() -> CommissioningProfile:
    return load_profile(resource_path("profiles", "mixed-three-port.toml"))


def port_of(profile: CommissioningProfile, number: int) -> PortProfile:
    port = profile.port(number)
    assert port is not None
    return port


def with_channel(port: PortProfile, name: str, **changes: object) -> PortProfile:
    """``port`` with one channel's spec changed (``minimum``, ``maximum``, ``interval_s``)."""
    channels = tuple(
        dataclasses.replace(c, **changes) if c.name == name else c  # type: ignore[arg-type]
        for c in port.channels
    )
    return dataclasses.replace(port, channels=channels)


def channel(port: PortProfile, name: str) -> ChannelSpec:
    return next(c for c in port.channels if c.name == name)


def poll_of(sensor_id: str) -> str:
    """The poll string the catalogue gives a sensor model (``01R\\r\\n`` for dt-485)."""
    return next(m.poll for m in load_catalogue() if m.id == sensor_id)


async def configure(
    client: EdgeClient, thread: ThreadServer, profile: CommissioningProfile
) -> None:
    """Stage the profile's ports and apply them, as the ports page (and the runner) would."""
    ws = PortsWorkspace()
    ws.set_serial(thread.serial_number)
    await ws.refresh(client)
    for port in profile.ports:
        ws.stage(port.number, PortField.MODE, port.mode)
        ws.stage(port.number, PortField.VOLTAGE, port.voltage)
        ws.stage(port.number, PortField.DEVICE_CONNECTION, port.device_connection)
        props = port.serial.properties() if port.serial is not None else {}
        for key, value in props.items():
            if key != PortField.COMM_TYPE.value:  # follows the mode
                ws.stage(port.number, PortField(key), value)
    assert ws.blocked_reason(usable=True) is None
    report = await ws.apply(client, settle_s=0, on_progress=None)
    assert report.failure is None and report.ok, report.summary()
