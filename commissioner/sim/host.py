"""SimHost: many simulated THREADs at once, each on its own port with its own state.

A fleet is what support staff and the commissioning runner meet in practice (several gateways
on one site), and what load and concurrency tests need. Every THREAD gets a distinct serial
number drawn from a seedable generator, and its own copy of the fault knobs.
"""

from __future__ import annotations

import dataclasses
import random

from commissioner.core.lifecycle import AsyncService
from commissioner.sim.faults import Faults
from commissioner.sim.scenario import Scenario, load_scenario
from commissioner.sim.server import ThreadServer, random_serial


class SimHost(AsyncService):
    """``count`` ThreadServers on ``base_port``, ``base_port + 1``, ... (0 = any free ports)."""

    def __init__(
        self,
        count: int = 1,
        scenario: Scenario | None = None,
        host: str = "127.0.0.1",
        base_port: int = 0,
        faults: Faults | None = None,
        *,
        seed: int | None = None,
        time_scale: float = 1.0,
        update_restart_s: float | None = None,
        sensor_interval_s: float | None = None,
        time_sync_s: float | None = None,
    ) -> None:
        if count < 1:
            raise ValueError("count must be at least 1")
        if base_port and not 0 < base_port + count - 1 <= 65535:
            raise ValueError("base_port + count runs past 65535")
        scenario = scenario if scenario is not None else load_scenario("default")
        rng = random.Random(seed)
        serials: list[str] = []
        if scenario.device.serial_number:
            serials.append(scenario.device.serial_number)
        while len(serials) < count:
            serial = random_serial(rng)
            if serial not in serials:
                serials.append(serial)
        self.servers: list[ThreadServer] = []
        for index in range(count):
            own_faults = faults
            if faults is not None and faults.seed is not None:
                own_faults = dataclasses.replace(faults, seed=faults.seed + index)
            self.servers.append(
                ThreadServer(
                    scenario,
                    host=host,
                    port=base_port + index if base_port else 0,
                    faults=own_faults,
                    serial_number=serials[index],
                    time_scale=time_scale,
                    seed=None if seed is None else seed + index,
                    update_restart_s=update_restart_s,
                    sensor_interval_s=sensor_interval_s,
                    time_sync_s=time_sync_s,
                )
            )

    @property
    def urls(self) -> list[str]:
        return [server.url for server in self.servers]

    async def start(self) -> None:
        """Start every THREAD; if one fails, stop those already running."""
        started: list[ThreadServer] = []
        try:
            for server in self.servers:
                await server.start()
                started.append(server)
        except BaseException:
            for server in reversed(started):
                await server.aclose()
            raise

    async def aclose(self) -> None:
        for server in reversed(self.servers):
            await server.aclose()
