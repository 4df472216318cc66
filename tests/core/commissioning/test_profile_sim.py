"""The mixed example profile, applied to the simulated default bench, lets every sensor talk."""

from __future__ import annotations

from commissioner.core.commissioning import load_profile
from commissioner.core.edge.client import EdgeClient
from commissioner.core.ports.fields import PortField
from commissioner.core.ports.workspace import PortsWorkspace
from commissioner.resources import resource_path
from commissioner.sim.server import ThreadServer


async def test_mixed_profile_passes_on_the_simulated_bench(
    client: EdgeClient, thread: ThreadServer
) -> None:
    """Staged from the profile and applied, the ports carry data from all three sensors."""
    profile = load_profile(resource_path("profiles", "mixed-three-port.toml"))
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
    links = thread.device.links
    for number in (1, 2):
        link = links[number]
        assert link.blocked_by() is None, (number, link.blocked_by())
        assert link.sensor is not None and link.config.framing() == link.sensor.framing
    assert links[3].supply_ok()
