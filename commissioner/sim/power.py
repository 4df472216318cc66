"""Battery, charger and enclosure environment of a simulated THREAD.

The commissioning checks read the charge input, the battery and the board sensors, and a battery
saver is one of the settings an installer makes, so the numbers must hang together: the state of
charge rises while the charge input is above the battery and falls on battery alone; the charge
current tapers near full (which is why the seed shows a tiny 0.0225 A at 13.7 V); the battery
saver's high threshold stops charging; the battery voltage follows the state of charge.
``time_scale`` speeds the chemistry up so a demo can show the state of charge moving.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from commissioner.sim.noise import SmoothNoise

EMPTY_V = 11.9  # rested 12 V lead/AGM battery at 0 % ...
FULL_V = 13.2  # ... and at 100 %
CHARGE_RISE_OHM = 0.8  # voltage rise per amp of charge current (charger and internal resistance)
SOURCE_OHM = 0.35  # sag of the charge input per amp drawn
CHARGE_HEADROOM_V = 0.3  # the input must exceed the battery by this much to charge


@dataclass
class PowerSpec:
    """Scenario settings of the power system."""

    charge_input_v: float = 14.5
    max_charge_a: float = 0.5
    capacity_ah: float = 7.0
    initial_soc: float = 85.0
    system_load_a: float = 0.06


class Battery:
    """State of charge integrated over time from the charger and the loads."""

    def __init__(self, spec: PowerSpec, rng: random.Random) -> None:
        self.spec = spec
        self.source_v = spec.charge_input_v
        self.soc = min(100.0, max(0.0, spec.initial_soc))
        self.charging_a = 0.0
        self.load_a = spec.system_load_a
        self._rng = rng
        self._noise = SmoothNoise(rng, 0.004, 20.0)

    def step(self, dt_s: float, *, saver_on: bool, saver_high: int, port_load_a: float) -> None:
        """Advance ``dt_s`` (already time-scaled) seconds with ``port_load_a`` drawn by sensors."""
        self.load_a = self.spec.system_load_a + port_load_a
        source_present = self.source_v > self.rested_v() + CHARGE_HEADROOM_V
        stop = saver_on and self.soc >= saver_high
        if source_present and not stop and self.soc < 100.0:
            taper = min(1.0, max(0.04, (100.0 - self.soc) / 8.0))
            self.charging_a = self.spec.max_charge_a * taper
        else:
            self.charging_a = 0.0
        net_a = self.charging_a if source_present else -self.load_a
        capacity_as = max(0.01, self.spec.capacity_ah) * 3600.0
        self.soc = min(100.0, max(0.0, self.soc + net_a * dt_s / capacity_as * 100.0))

    def rested_v(self) -> float:
        return EMPTY_V + (FULL_V - EMPTY_V) * self.soc / 100.0

    def battery_v(self, now: float) -> float:
        rise = self.charging_a * CHARGE_RISE_OHM
        sag = 0.0 if self.charging_a > 0 or self.source_present() else self.load_a * 0.1
        return self.rested_v() + rise - sag + self._noise.sample(now)

    def source_present(self) -> bool:
        return self.source_v > self.rested_v() + CHARGE_HEADROOM_V

    def input_current_a(self) -> float:
        """Current drawn from the charge input: charging plus the loads it carries."""
        if not self.source_present():
            return 0.0
        return self.charging_a + self.load_a

    def input_v(self) -> float:
        if self.source_v <= 0.05:
            return abs(self._rng.gauss(0.0, 0.003))
        return self.source_v - self.input_current_a() * SOURCE_OHM + self._rng.gauss(0.0, 0.004)


@dataclass
class EnvironmentSpec:
    """Scenario settings of the enclosure: board temperature and barometric pressure."""

    temperature_c: float = 31.5
    pressure_pa: float = 101325.0


class Environment:
    """Board temperature and atmospheric pressure with slow, smooth variation."""

    def __init__(self, spec: EnvironmentSpec, rng: random.Random) -> None:
        self.spec = spec
        self._temp = SmoothNoise(rng, 0.4, 120.0)
        self._press = SmoothNoise(rng, 40.0, 600.0)

    def temperature_c(self, now: float) -> float:
        return self.spec.temperature_c + self._temp.sample(now)

    def pressure_pa(self, now: float) -> float:
        return self.spec.pressure_pa + self._press.sample(now)
