"""A simulated THREAD on 127.0.0.1 and an Edge client pointed at it, per test."""

from __future__ import annotations

import dataclasses

from commissioner.sim.scenario import Scenario, load_scenario


def fast_scenario(name: str = "default", **device: object) -> Scenario:
    """A shipped scenario with test-friendly timing: clock synced at once, quick restarts."""
    scenario = load_scenario(name)
    timing: dict[str, object] = {"time_sync_s": 0.0, "update_restart_s": 0.4}
    timing.update(device)
    sensors = tuple(dataclasses.replace(s, interval_s=0.05) for s in scenario.sensors)
    return dataclasses.replace(
        scenario, device=dataclasses.replace(scenario.device, **timing), sensors=sensors
    )


def with_sensor_baud(scenario: Scenario, port: int, baud: int) -> Scenario:
    """``scenario`` with the sensor on ``port`` talking at ``baud`` (a wrong-baud install)."""
    sensors = tuple(
        dataclasses.replace(s, baud=baud) if s.port == port else s for s in scenario.sensors
    )
    return dataclasses.replace(scenario, sensors=sensors)
