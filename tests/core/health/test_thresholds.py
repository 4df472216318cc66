"""The threshold table: out-of-range values get a verdict and a reason that says what to do."""

from __future__ import annotations

import pytest

from commissioner.core.health import SPECS, THRESHOLDS, Assessment, Verdict, assess, worst
from commissioner.core.health import readings as R
from commissioner.core.health.readings import Reading, Value

OK, WARN, ALARM = Verdict.OK, Verdict.WARNING, Verdict.ALARM


def reading(key: str, value: Value | None, text: str = "") -> Reading:
    spec = SPECS[key]
    return Reading(key, spec.label, spec.unit, value, text or str(value))


@pytest.mark.parametrize(
    ("key", "value", "verdict", "words"),
    [
        (R.BATTERY_SOC, 96.0, OK, ""),
        (R.BATTERY_SOC, 20.0, OK, ""),
        (R.BATTERY_SOC, 19.0, WARN, "Battery low (19 %)"),
        (R.BATTERY_SOC, 8.0, ALARM, "nearly empty (8 %)"),
        (R.BATTERY_V, 12.6, OK, ""),
        (R.BATTERY_V, 11.7, WARN, "low (11.70 V)"),
        (R.BATTERY_V, 11.2, ALARM, "critical"),
        (R.BATTERY_V, 15.4, WARN, "check the charger"),
        (R.CHARGE_INPUT_V, 14.5, OK, ""),
        (R.CHARGE_INPUT_V, 10.2, WARN, "Input voltage low (10.20 V)"),
        (R.CHARGE_INPUT_V, 0.01, WARN, "No charge input"),
        (R.TEMPERATURE, 31.5, OK, ""),
        (R.TEMPERATURE, 61.0, WARN, "Hot (61.0 °C)"),
        (R.TEMPERATURE, 75.0, ALARM, "Very hot"),
        (R.TEMPERATURE, -25.0, WARN, "Cold"),
        (R.PRESSURE, 1013.2, OK, ""),
        (R.PRESSURE, 101.3, WARN, "Implausible pressure"),
        (R.PRESSURE, 10132.0, WARN, "hPa or daPa"),
        (R.CLOCK, 0.3, OK, ""),
        (R.CLOCK, -4.0, OK, ""),
        (R.CLOCK, -95.0, WARN, "sync the clock"),
        (R.CLOCK, 3725.0, ALARM, "timestamped wrongly"),
        (R.TIME_ACCURATE, True, OK, ""),
        (R.TIME_ACCURATE, False, WARN, "not synchronised yet"),
        (R.CLOUD_CONNECTION, True, OK, ""),
        (R.CLOUD_CONNECTION, False, WARN, "no data reaches iTwin IoT"),
        (R.port_current_key(2), 0.035, OK, ""),
        (R.port_current_key(2), 0.7, WARN, "Port 2 draws 0.700 A"),
        (R.port_current_key(3), 1.5, ALARM, "Port 3 draws 1.500 A, above the 1 A safe limit"),
        (R.port_voltage_key(1), 15.0, OK, ""),
        (R.BATTERY_SAVER, False, OK, ""),
        (R.INTERFACE_PRIORITY, "cellular", OK, ""),
    ],
)
def test_threshold_table(key: str, value: Value, verdict: Verdict, words: str) -> None:
    """Each case gets the expected verdict, and its reason names the problem in words."""
    result = assess(reading(key, value))
    assert result.verdict is verdict
    assert words in result.reason
    assert bool(result.reason) is (verdict is not OK)


def test_clock_reason_uses_the_display_text() -> None:
    """Clock reasons say "95.0 s behind", not a signed number."""
    result = assess(reading(R.CLOCK, -95.0, "95.0 s behind"))
    assert result.reason.startswith("THREAD clock is 95.0 s behind")


def test_no_value_has_no_verdict() -> None:
    """A value never read is not judged (it is shown as missing instead)."""
    assert assess(reading(R.BATTERY_SOC, None)) == Assessment(OK)


def test_every_rule_names_a_known_value_and_alarms_come_first() -> None:
    """The table only refers to catalogued values, and a value's alarms precede its warnings."""
    assert {rule.key for rule in THRESHOLDS} <= set(SPECS)
    for key in {rule.key for rule in THRESHOLDS}:
        verdicts = [rule.verdict.rank for rule in THRESHOLDS if rule.key == key]
        assert verdicts == sorted(verdicts, reverse=True), key


def test_worst_picks_the_most_severe() -> None:
    """Summaries use the most severe verdict."""
    items = [Assessment(OK), Assessment(WARN, "w"), Assessment(ALARM, "a"), Assessment(WARN, "x")]
    assert worst(items) == Assessment(ALARM, "a")
    assert worst([]) == Assessment(OK)
