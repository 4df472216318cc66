"""Out-of-range rules for health values: one table, pure functions, a verdict with a reason.

The limits are for a 12 V lead-acid/AGM THREAD installation; they are deliberately in one table
so support can review and tune them in one place, and the reason of each rule says what is wrong
*and what to do*, because an installer in the field reads it, not a spec sheet.

=================  ===============  ========  ============================================
value              condition        verdict   why
=================  ===============  ========  ============================================
state of charge    < 10 %           alarm     the THREAD is about to shut down
state of charge    < 20 %           warning   battery low, check charging
battery voltage    < 11.5 V         alarm     a 12 V battery this low is deeply discharged
battery voltage    < 11.8 V         warning   below a rested 12 V battery's empty level
battery voltage    > 15.0 V         warning   above any charge voltage: charger fault
input voltage      < 0.5 V          warning   no charge input: running on battery
input voltage      < 11.0 V         warning   too low to charge a 12 V battery
temperature        > 70 °C          alarm     beyond electronics and battery limits
temperature        > 60 °C          warning   hot enclosure
temperature        < -20 °C         warning   cold: battery capacity much reduced
pressure           < 300 hPa        warning   implausible: sensor or unit problem
pressure           > 1100 hPa       warning   implausible: sensor or unit problem
clock offset       |x| > 300 s      alarm     data timestamps minutes off
clock offset       |x| > 5 s        warning   sync the clock
time accurate      false            warning   RTC/OS sync not finished yet
cloud connection   false            warning   data not sent to iTwin IoT
port N current     > 1.0 A          alarm     above a safe sensor supply current: short?
port N current     > 0.5 A          warning   more than a typical sensor draws
=================  ===============  ========  ============================================

Rules of one value are checked in table order (alarms first); the first that matches wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from commissioner.core.health import readings as R
from commissioner.core.health.readings import Reading


class Verdict(StrEnum):
    OK = "ok"
    WARNING = "warning"
    ALARM = "alarm"

    @property
    def rank(self) -> int:
        return {Verdict.OK: 0, Verdict.WARNING: 1, Verdict.ALARM: 2}[self]


@dataclass(frozen=True)
class Assessment:
    verdict: Verdict
    reason: str = ""


OK = Assessment(Verdict.OK)


@dataclass(frozen=True)
class Threshold:
    """One rule: when the value is below/above a limit (or equals a flag), give this verdict.

    ``reason`` is formatted with ``v`` (the number, or the flag) and ``text`` (the display text).
    ``absolute`` compares the magnitude (clock offsets are bad in both directions).
    """

    key: str
    verdict: Verdict
    reason: str
    below: float | None = None
    above: float | None = None
    equals: bool | None = None
    absolute: bool = False

    def matches(self, reading: Reading) -> bool:
        if self.equals is not None:
            return isinstance(reading.value, bool) and reading.value is self.equals
        number = reading.number
        if number is None:
            return False
        if self.absolute:
            number = abs(number)
        if self.below is not None and number < self.below:
            return True
        return self.above is not None and number > self.above


def _port_rules(ports: Iterable[int]) -> tuple[Threshold, ...]:
    rules: list[Threshold] = []
    for port in ports:
        key = R.port_current_key(port)
        rules += [
            Threshold(
                key,
                Verdict.ALARM,
                f"Port {port} draws {{v:.3f}} A, above the 1 A safe limit: switch the port off "
                "and check the sensor wiring for a short.",
                above=1.0,
            ),
            Threshold(
                key,
                Verdict.WARNING,
                f"Port {port} draws {{v:.3f}} A, more than a typical sensor: check what is "
                "connected.",
                above=0.5,
            ),
        ]
    return tuple(rules)


W, A = Verdict.WARNING, Verdict.ALARM
THRESHOLDS: tuple[Threshold, ...] = (
    Threshold(
        R.BATTERY_SOC,
        A,
        "Battery nearly empty ({v:.0f} %): the THREAD will shut down soon. "
        "Connect the charger or solar panel.",
        below=10,
    ),
    Threshold(
        R.BATTERY_SOC, W, "Battery low ({v:.0f} %): check that the charge input works.", below=20
    ),
    Threshold(
        R.BATTERY_V,
        A,
        "Battery voltage critical ({v:.2f} V): charge or replace the battery.",
        below=11.5,
    ),
    Threshold(
        R.BATTERY_V, W, "Battery voltage low ({v:.2f} V): check the charge input.", below=11.8
    ),
    Threshold(R.BATTERY_V, W, "Battery voltage high ({v:.2f} V): check the charger.", above=15.0),
    Threshold(
        R.CHARGE_INPUT_V,
        W,
        "No charge input: running on battery. Check the charger or solar panel and its cable.",
        below=0.5,
    ),
    Threshold(
        R.CHARGE_INPUT_V,
        W,
        "Input voltage low ({v:.2f} V): too low to charge the battery. Check the supply.",
        below=11.0,
    ),
    Threshold(
        R.TEMPERATURE,
        A,
        "Very hot ({v:.1f} °C): shade or ventilate the enclosure now.",
        above=70,
    ),
    Threshold(R.TEMPERATURE, W, "Hot ({v:.1f} °C): shade or ventilate the enclosure.", above=60),
    Threshold(
        R.TEMPERATURE,
        W,
        "Cold ({v:.1f} °C): battery capacity is much reduced.",
        below=-20,
    ),
    Threshold(
        R.PRESSURE,
        W,
        "Implausible pressure ({v:.1f} hPa): check the sensor, and that the hardware version "
        "(which decides hPa or daPa) is right.",
        below=300,
    ),
    Threshold(
        R.PRESSURE,
        W,
        "Implausible pressure ({v:.1f} hPa): check the sensor, and that the hardware version "
        "(which decides hPa or daPa) is right.",
        above=1100,
    ),
    Threshold(
        R.CLOCK,
        A,
        "THREAD clock is {text}: data will be timestamped wrongly. Sync the clock.",
        above=300,
        absolute=True,
    ),
    Threshold(
        R.CLOCK,
        W,
        "THREAD clock is {text}: sync the clock to this laptop.",
        above=5,
        absolute=True,
    ),
    Threshold(
        R.TIME_ACCURATE,
        W,
        "Clock not synchronised yet (RTC to OS): wait a minute before trusting timestamps.",
        equals=False,
    ),
    Threshold(
        R.CLOUD_CONNECTION,
        W,
        "Cloud connection disabled: no data reaches iTwin IoT. Enable it unless this THREAD "
        "reports to its own cloud.",
        equals=False,
    ),
    *_port_rules(R.PORTS),
)


def assess(reading: Reading, table: Iterable[Threshold] = THRESHOLDS) -> Assessment:
    """The verdict on a reading's value; OK with no reason when nothing matches or no value."""
    if not reading.has_value:
        return OK
    for rule in table:
        if rule.key == reading.key and rule.matches(reading):
            v = reading.number if reading.number is not None else reading.value
            return Assessment(rule.verdict, rule.reason.format(v=v, text=reading.text))
    return OK


def worst(assessments: Iterable[Assessment]) -> Assessment:
    """The most severe of several assessments (the first of equals), for a card or the page."""
    result = OK
    for item in assessments:
        if item.verdict.rank > result.verdict.rank:
            result = item
    return result
