"""One running simulated THREAD: its state, ports, streams, faults and background activity.

This is the object the REST, WebSocket and control handlers share. It owns the things that
happen over time: sensors printing, the battery charging, the drop-websockets fault, and periods
when the device is away (asleep, updating, rebooting, or made unreachable on purpose). While it is
away every non-``/_sim/`` connection is reset and every stream dropped, as on a real gateway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable, Coroutine
from typing import Any

from commissioner.sim.faults import FaultInjector, Faults
from commissioner.sim.ports import PortLink
from commissioner.sim.scenario import Scenario
from commissioner.sim.sensors import make_sensor
from commissioner.sim.state import PORT_NUMBERS, DeviceState, PortConfig
from commissioner.sim.websocket import PortSockets

log = logging.getLogger(__name__)
PHYSICS_TICK_S = 0.2


class SimDevice:
    """The live model behind one ThreadServer."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        serial_number: str,
        seed: int | None = None,
        faults: Faults | None = None,
        time_scale: float = 1.0,
        update_restart_s: float | None = None,
        sensor_interval_s: float | None = None,
        time_sync_s: float | None = None,
    ) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.scenario = scenario
        self.rng = random.Random(seed)
        self.state = DeviceState(scenario, serial_number, self.rng, time_sync_s=time_sync_s)
        self.links: dict[int, PortLink] = {}
        for number in PORT_NUMBERS:
            spec = scenario.sensor_on(number)
            sensor_rng = random.Random(self.rng.getrandbits(64))
            sensor = make_sensor(spec, sensor_rng) if spec is not None else None
            if sensor is not None and sensor_interval_s is not None and sensor.streams:
                sensor.interval_s = sensor_interval_s
            self.links[number] = PortLink(
                number, self._port_config(number), sensor, random.Random(self.rng.getrandbits(64))
            )
        self.sockets = PortSockets(self.links)
        self.faults = FaultInjector(faults)
        self.time_scale = time_scale
        self.update_restart_s = (
            scenario.device.update_restart_s if update_restart_s is None else update_restart_s
        )
        self.updates: list[dict[str, Any]] = []
        self._down_until = 0.0
        self._down_reason = ""
        self._on_up: list[Callable[[], None]] = []
        self._down_task: asyncio.Task[None] | None = None
        self._extended = asyncio.Event()
        self._faults_changed = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def _port_config(self, number: int) -> Callable[[], PortConfig]:
        return lambda: self.state.port(number)

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start sensors, physics and the fault loop."""
        self._spawn(self._physics(), "physics")
        self._spawn(self._drop_loop(), "drop-websockets")
        for link in self.links.values():
            self._spawn(link.run(), f"port-{link.number}")

    async def aclose(self) -> None:
        """Stop every background task and close every stream."""
        tasks = [*self._tasks, *([self._down_task] if self._down_task else [])]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        self._down_task = None
        await self.sockets.close_all()

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        self._tasks.append(asyncio.create_task(coro, name=f"thread-{self.serial}-{name}"))

    @property
    def serial(self) -> str:
        return self.state.identity.serial_number

    # -- availability ----------------------------------------------------------------------------

    def is_down(self) -> bool:
        return time.monotonic() < self._down_until or bool(self._on_up)

    @property
    def down_reason(self) -> str:
        return self._down_reason if self.is_down() else ""

    def down_remaining_s(self) -> float:
        return max(0.0, self._down_until - time.monotonic())

    def go_down(self, seconds: float, reason: str, on_up: Callable[[], None] | None = None) -> None:
        """Be away for ``seconds`` (extending any current absence), then run ``on_up``."""
        self._down_until = max(self._down_until, time.monotonic() + max(0.0, seconds))
        self._down_reason = reason
        if on_up is not None:
            self._on_up.append(on_up)
        self._extended.set()
        self.sockets.drop_all()
        log.info("THREAD %s away for %.3f s: %s", self.serial, seconds, reason)
        if self._down_task is None or self._down_task.done():
            self._down_task = asyncio.create_task(
                self._come_back(), name=f"thread-{self.serial}-down"
            )

    async def _come_back(self) -> None:
        while (remaining := self._down_until - time.monotonic()) > 0:
            self._extended.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._extended.wait(), remaining)
        actions, self._on_up = self._on_up, []
        for action in actions:
            action()
        log.info("THREAD %s is back (was %s)", self.serial, self._down_reason)
        self._down_reason = ""

    # -- operations ------------------------------------------------------------------------------

    def reboot(self, down_s: float = 0.0) -> None:
        """Power-cycle: streams drop, memory is lost, the clock re-syncs after boot."""
        if down_s > 0:
            self.go_down(down_s, "rebooting", self.state.reboot)
        else:
            self.sockets.drop_all()
            self.state.reboot()

    def factory_reset(self, down_s: float = 0.0) -> None:
        if down_s > 0:
            self.go_down(down_s, "factory reset", self.state.factory_reset)
        else:
            self.sockets.drop_all()
            self.state.factory_reset()

    def start_update(self, version: str, source: str) -> None:
        """Answered already; now install ``version`` while the API is away."""
        record: dict[str, Any] = {
            "from": self.state.identity.application,
            "to": version,
            "source": source,
            "done": False,
        }
        self.updates.append(record)

        def finish() -> None:
            self.state.restart_application(version)
            record["done"] = True

        self.go_down(self.update_restart_s, "updating", finish)

    def sleep(self, duration_ms: int) -> None:
        self.go_down(duration_ms / 1000.0, "asleep")

    def set_faults(self, faults: Faults) -> None:
        self.faults.set(faults)
        self._faults_changed.set()

    # -- background ------------------------------------------------------------------------------

    async def _physics(self) -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(PHYSICS_TICK_S)
            now = time.monotonic()
            saver = self.state.persistent
            port_load = sum(link.load_a() for link in self.links.values())
            self.state.battery.step(
                (now - last) * self.time_scale,
                saver_on=saver.battery_saver,
                saver_high=saver.saver_high,
                port_load_a=port_load,
            )
            last = now

    async def _drop_loop(self) -> None:
        while True:
            interval = self.faults.faults.drop_ws_every_s
            self._faults_changed.clear()
            try:
                await asyncio.wait_for(
                    self._faults_changed.wait(), interval if interval > 0 else None
                )
            except TimeoutError:
                self.sockets.drop_all()

    def to_dict(self) -> dict[str, Any]:
        """The full picture for ``GET /_sim/state``."""
        data = self.state.to_dict(time.monotonic())
        data["reachable"] = not self.is_down()
        data["down_reason"] = self.down_reason
        data["down_remaining_s"] = round(self.down_remaining_s(), 3)
        data["ports"] = {str(n): link.to_dict() for n, link in self.links.items()}
        data["websocket_drops"] = self.sockets.drops
        data["updates"] = list(self.updates)
        data["faults"] = self.faults.faults.to_dict()
        data["time_scale"] = self.time_scale
        data["update_restart_s"] = self.update_restart_s
        return data
