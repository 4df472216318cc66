"""The mixed example profile, applied to the simulated default bench, lets every sensor talk."""

from __future__ import annotations

from commissioner.core.commissioning import load_profile
from commissioner.core.edge.client import EdgeClient
from commissioner.resources import resource_path
from commissioner.sim.server import ThreadServer
from tests.core.commissioning.conftest_helpers_data import configure


async def test_mixed_profile_passes_on_the_simulated_bench(
    client: EdgeClient, thread: ThreadServer
) -> None:
    """Staged from the profile and applied, the ports carry data from all three sensors."""
    profile = load_profile(resource_path("profiles", "mixed-three-port.toml"))
    await configure(client, thread, profile)
    links = thread.device.links
    for number in (1, 2):
        link = links[number]
        assert link.blocked_by() is None, (number, link.blocked_by())
        assert link.sensor is not None and link.config.framing() == link.sensor.framing
    assert links[3].supply_ok()
