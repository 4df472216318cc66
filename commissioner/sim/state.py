"""The device model of a simulated THREAD: what it stores, what it forgets, what it measures.

No I/O here, so the rules of persistence can be checked directly. A real gateway keeps its
configuration on flash and its RTC on a battery, and holds a few things only in memory; the seed
spells out two of them (the cloud connection survives reboots but not factory resets; the
accessible LED survives neither). The rest follows the same physics:

==========================  =========================  ==================================
kept across a reboot         cleared by a reboot        cleared by a factory reset
==========================  =========================  ==================================
cloud connection             accessible LED (-> red)    everything in both other columns
port mode, voltage,          LED flash count            (the RTC and the installed
properties, device conn.     timeAccurate (re-syncs)    application version stay)
battery saver, interface
priority, RTC
==========================  =========================  ==================================
"""

from __future__ import annotations

import copy
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from commissioner.core.edge.rules import (
    NetworkInterface,
    Parity,
    PortMode,
    PortVoltage,
)
from commissioner.sim.clock import SimClock
from commissioner.sim.power import Battery, Environment
from commissioner.sim.scenario import Scenario
from commissioner.sim.uart import Framing

PORT_NUMBERS: tuple[int, ...] = (1, 2, 3)
DEFAULT_PROPERTIES: dict[str, Any] = {
    "COMM_TYPE": "RS232",
    "BAUD_RATE": 9600,
    "DATA_BITS": 8,
    "PARITY_BIT": "NONE",
    "DELIMITERS_HEX": ["0D0A"],
}


@dataclass
class PortConfig:
    """Stored configuration of one device port."""

    mode: PortMode = PortMode.OFF
    voltage: PortVoltage = PortVoltage.OFF
    properties: dict[str, Any] = field(default_factory=lambda: copy.deepcopy(DEFAULT_PROPERTIES))
    device_connection: bool = False

    def effective(self, key: str) -> Any:
        """A property as the port uses it: the set value, else the default."""
        return self.properties.get(key, DEFAULT_PROPERTIES.get(key))

    def framing(self) -> Framing:
        return Framing(
            baud=int(self.effective("BAUD_RATE")),
            data_bits=int(self.effective("DATA_BITS")),
            parity=Parity(self.effective("PARITY_BIT")),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode.value,
            "voltage": int(self.voltage),
            "voltage_label": self.voltage.label,
            "properties": copy.deepcopy(self.properties),
            "device_connection": self.device_connection,
        }


@dataclass
class PersistentSettings:
    """What the gateway keeps on flash: survives a reboot, not a factory reset."""

    cloud_connection: bool = True
    battery_saver: bool = False
    saver_low: int = 0
    saver_high: int = 100
    interface: NetworkInterface = NetworkInterface.ETHERNET
    ports: dict[int, PortConfig] = field(
        default_factory=lambda: {n: PortConfig() for n in PORT_NUMBERS}
    )


@dataclass
class EphemeralState:
    """What the gateway holds only in memory: lost on every reboot."""

    accessible: bool = False  # LED green (True) or red (False); red after a reboot per the seed
    led_flashes: int = 0
    last_flash: str | None = None


@dataclass
class Identity:
    serial_number: str
    application: str
    firmware: str
    hardware: str


def hardware_generation(hardware: str) -> int | None:
    """12 for "V12"; None when the string carries no number."""
    match = re.search(r"(\d+)", hardware)
    return int(match.group(1)) if match else None


class DeviceState:
    """One simulated THREAD's settings and physical quantities."""

    def __init__(
        self,
        scenario: Scenario,
        serial_number: str,
        rng: random.Random,
        *,
        time_sync_s: float | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        spec = scenario.device
        self.scenario = scenario
        self.identity = Identity(serial_number, spec.application, spec.firmware, spec.hardware)
        self.persistent = PersistentSettings()
        self.ephemeral = EphemeralState()
        self.clock = SimClock(spec.clock_offset_s, spec.clock_drift_ppm, monotonic=monotonic)
        self.battery = Battery(scenario.power, rng)
        self.environment = Environment(scenario.environment, rng)
        self.time_sync_s = spec.time_sync_s if time_sync_s is None else time_sync_s
        self._monotonic = monotonic
        self.booted_at = monotonic()
        self.boots = 1
        self.apply_stored_ports()

    def apply_stored_ports(self) -> None:
        """Load the scenario's ``[[ports]]`` as stored config (done at start, not on reset)."""
        for spec in self.scenario.ports:
            port = self.port(spec.number)
            port.mode = spec.mode
            port.voltage = PortVoltage(spec.voltage)
            port.device_connection = spec.device_connection
            port.properties.update(copy.deepcopy(spec.properties))

    def port(self, number: int) -> PortConfig:
        return self.persistent.ports[number]

    # -- lifecycle -------------------------------------------------------------------------------

    def reboot(self) -> None:
        """Power cycle: memory is lost, flash and RTC are kept, the clock sync starts over."""
        self.ephemeral = EphemeralState()
        self.booted_at = self._monotonic()
        self.boots += 1

    def restart_application(self, version: str | None = None) -> None:
        """The application restarts (after an update): in-memory state goes, the OS keeps time."""
        if version is not None:
            self.identity.application = version
        self.ephemeral = EphemeralState()

    def factory_reset(self) -> None:
        """Back to factory defaults, then a reboot. The RTC and the application stay."""
        self.persistent = PersistentSettings()
        self.reboot()

    # -- readings --------------------------------------------------------------------------------

    def time_accurate(self) -> bool:
        return self._monotonic() - self.booted_at >= self.time_sync_s

    @property
    def pressure_unit(self) -> str:
        generation = hardware_generation(self.identity.hardware)
        return "hPa" if generation is not None and generation <= 11 else "daPa"

    def pressure_reading(self, now: float) -> float:
        """``pressRead``: daPa, or hPa on V11 and older."""
        pascals = self.environment.pressure_pa(now)
        return pascals / (100.0 if self.pressure_unit == "hPa" else 10.0)

    @property
    def led_color(self) -> str:
        """The exterior LED: cloud health while the cloud connection is on, else the setting."""
        if self.persistent.cloud_connection:
            return "green"
        return "green" if self.ephemeral.accessible else "red"

    def to_dict(self, now: float) -> dict[str, Any]:
        """Everything, for ``GET /_sim/state``."""
        p, e, b = self.persistent, self.ephemeral, self.battery
        return {
            "scenario": self.scenario.name,
            "serial_number": self.identity.serial_number,
            "application": self.identity.application,
            "firmware": self.identity.firmware,
            "hardware": self.identity.hardware,
            "time": self.clock.iso(),
            "time_accurate": self.time_accurate(),
            "clock_drift_ppm": self.clock.drift_ppm,
            "boots": self.boots,
            "uptime_s": round(self._monotonic() - self.booted_at, 3),
            "persistent": {
                "cloud_connection": p.cloud_connection,
                "battery_saver": {
                    "value": p.battery_saver,
                    "low": p.saver_low,
                    "high": p.saver_high,
                },
                "interface_priority": p.interface.route,
                "ports": {str(n): cfg.to_dict() for n, cfg in p.ports.items()},
            },
            "ephemeral": {
                "accessible": e.accessible,
                "led_flashes": e.led_flashes,
                "last_flash": e.last_flash,
            },
            "led_color": self.led_color,
            "power": {
                "state_of_charge": round(b.soc, 3),
                "charging_a": round(b.charging_a, 4),
                "load_a": round(b.load_a, 4),
                "charge_input_v": b.source_v,
            },
            "environment": {
                "temperature_c": round(self.environment.temperature_c(now), 3),
                "pressure_pa": round(self.environment.pressure_pa(now), 2),
                "pressure_unit": self.pressure_unit,
            },
        }
