"""Device, sensor and metric templates the simulated cloud offers (``/api/*/types``).

The seed documents show a few entries of each catalogue; the simulator serves those plus the
templates a THREAD's ports need (distance, pressure, 4-20 mA current), so the registration code can be
exercised with templated sensors as well as ``GENERIC_SENSOR_SDE``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

GENERIC_SENSOR = "GENERIC_SENSOR_SDE"


@dataclass(frozen=True)
class Unit:
    id: str
    display_name: str
    notation: str


@dataclass(frozen=True)
class Metric:
    id: str
    display_name: str
    name: str
    default_unit: str
    units: tuple[Unit, ...]


def _m(mid: str, display: str, name: str, *units: tuple[str, str, str]) -> Metric:
    us = tuple(Unit(u, d, n) for u, d, n in units)
    return Metric(mid, display, name, us[0].id, us)


METRICS: dict[str, Metric] = {
    m.id: m
    for m in (
        _m(
            "T",
            "Temperature",
            "temperature",
            ("C", "celsius", "°C"),
            ("K", "kelvin", "°K"),
            ("F", "fahrenheit", "°F"),
        ),
        _m("moisture", "Moisture", "moisture", ("%", "percent", "%")),
        _m("light", "Light", "illuminance", ("lux", "lux", "lx")),
        _m("activity", "Activity", "activity", ("count", "count", "count")),
        _m(
            "energy",
            "Electricity usage",
            "energy",
            ("kWh", "kilowatt hour", "kWh"),
            ("Wh", "watt hour", "Wh"),
        ),
        _m("battery", "Battery charge", "battery charge", ("%", "percent", "%")),
        _m("rssi", "Signal strength", "signal strength", ("dBm", "decibel milliwatt", "dBm")),
        _m("distance", "Distance", "distance", ("mm", "millimeter", "mm"), ("m", "meter", "m")),
        _m(
            "cum_distance",
            "Cumulative distance",
            "cumulative distance",
            ("mm", "millimeter", "mm"),
            ("m", "meter", "m"),
        ),
        _m(
            "P",
            "Pressure",
            "pressure",
            ("Pa", "pascal", "Pa"),
            ("hPa", "hectopascal", "hPa"),
            ("kPa", "kilopascal", "kPa"),
        ),
        _m("I", "Current", "current", ("mA", "milliampere", "mA"), ("A", "ampere", "A")),
        _m("V", "Voltage", "voltage", ("V", "volt", "V"), ("mV", "millivolt", "mV")),
        _m("f", "Frequency", "frequency", ("Hz", "hertz", "Hz")),
        _m("GENERIC", "generic", "generic", ("GENERIC", "generic", "GENERIC")),
    )
}

# id -> (name, icon, metric ids)
SENSOR_TYPES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    GENERIC_SENSOR: ("GENERIC_SENSOR_SDE", "smicon-circle", ("GENERIC",)),
    "TEMPERATURE_SDE": ("Temperature", "smicon-temperature", ("T",)),
    "MOISTURE_SDE": ("Moisture", "smicon-moisture", ("moisture",)),
    "LIGHT_SDE": ("Light", "smicon-light", ("light",)),
    "ACTIVITY_SDE": ("Activity", "smicon-activity", ("activity",)),
    "ELECTRICITY_USAGE_SDE": ("Electricity usage", "smicon-electricity", ("energy",)),
    "BATTERY_CHARGE_SDE": ("Battery Charge Level", "smicon-battery", ("battery",)),
    "SENSOR_SIGNAL_STRENGTH_SDE": ("Sensor Signal Strength", "smicon-signal", ("rssi",)),
    "DISTANCE_SDE": ("Distance", "smicon-distance", ("distance",)),
    "PRESSURE_SDE": ("Pressure", "smicon-pressure", ("P",)),
    "CURRENT_4_20_SDE": ("4-20 mA current", "smicon-current", ("I",)),
    "VOLTAGE_SDE": ("Voltage", "smicon-voltage", ("V",)),
}

# id -> (name, icon, manufacturer)
DEVICE_TYPES: dict[str, tuple[str, str, str]] = {
    "IMPORT_DEVICE_SDE": ("Import Device", "smicon-device-import", "sensemetrics"),
    "DEMO_DEVICE_SDE": ("Demo Device", "smicon-device", "sensemetrics"),
    "THREAD_PORT_DEVICE_SDE": ("THREAD port device", "smicon-thread", "Bentley"),
    "DATALOGGER_DEVICE_SDE": ("Data logger", "smicon-datalogger", "sensemetrics"),
}


def device_types_body() -> dict[str, Any]:
    return {
        "deviceTypes": [
            {
                "id": tid,
                "name": name,
                "icon": icon,
                "iconUnicode": "",
                "manufacturer": maker,
                "minThreadVersion": "1.0",
                "editOnly": False,
                "isDynamic": True,
            }
            for tid, (name, icon, maker) in DEVICE_TYPES.items()
        ]
    }


def sensor_types_body() -> dict[str, Any]:
    return {
        "sensorTypes": [
            {
                "id": tid,
                "name": name,
                "icon": icon,
                "iconUnicode": "",
                "metricsAndUnits": [
                    {
                        "metric": m.id,
                        "id": m.id,
                        "displayName": m.display_name,
                        "defaultUnit": m.default_unit,
                        "units": [{"unit": u.id, "id": u.id} for u in m.units],
                    }
                    for m in (METRICS[mid] for mid in metric_ids)
                ],
                "isDynamic": True,
            }
            for tid, (name, icon, metric_ids) in SENSOR_TYPES.items()
        ]
    }


def metric_types_body() -> dict[str, Any]:
    return {
        "standard": True,
        "metrics": [
            {
                "metric": m.id,
                "id": m.id,
                "displayName": m.display_name,
                "defaultUnit": m.default_unit,
                "units": [
                    {
                        "unit": u.id,
                        "id": u.id,
                        "displayName": u.display_name,
                        "notation": u.notation,
                    }
                    for u in m.units
                ],
            }
            for m in METRICS.values()
        ],
    }


def _metric_object(metric_id: str, units: list[str] | None) -> dict[str, Any]:
    known = METRICS.get(metric_id)
    if known is not None and units is None:
        unit_list = [
            {"notation": u.notation, "name": u.display_name, "id": u.id} for u in known.units
        ]
        default = known.default_unit
    else:
        notes = {u.id: u for u in known.units} if known is not None else {}
        unit_list = [
            {
                "notation": notes[u].notation if u in notes else u,
                "name": notes[u].display_name if u in notes else u,
                "id": u,
            }
            for u in (units or [])
        ]
        default = unit_list[0]["id"] if unit_list else ""
    return {
        "defaultUnit": default,
        "hidden": False,
        "displayName": known.display_name if known is not None else metric_id,
        "notation": metric_id,
        "name": known.name if known is not None else metric_id,
        "id": metric_id,
        "units": unit_list,
    }


def indexed(value: object) -> dict[str, str] | None:
    """A ``{"0": ..., "1": ...}`` map of strings, or None when ``value`` is not one."""
    if not isinstance(value, dict) or not value:
        return None
    keys = [str(i) for i in range(len(value))]
    if sorted(value) != sorted(keys) or not all(isinstance(v, str) and v for v in value.values()):
        return None
    return {k: value[k] for k in keys}


def generic_pairs(props: dict[str, Any]) -> list[tuple[str, str]]:
    """(metric, unit) pairs of a generic sensor's KNOWN/UNKNOWN metrics and units."""
    metrics = indexed(props.get("KNOWN_METRICS")) or indexed(props.get("UNKNOWN_METRICS")) or {}
    units = indexed(props.get("KNOWN_UNITS")) or indexed(props.get("UNKNOWN_UNITS")) or {}
    return [(metrics[k], units[k]) for k in metrics if k in units]


def sensor_metrics(props: dict[str, Any]) -> list[dict[str, Any]]:
    """The metric objects of one sensor, as ``/api/sensors/metrics`` lists them."""
    integration_id = props.get("INTEGRATION_ID")
    if integration_id == GENERIC_SENSOR:
        return [_metric_object(m, [u]) for m, u in generic_pairs(props)]
    template = SENSOR_TYPES.get(str(integration_id))
    if template is None:
        return []
    return [_metric_object(mid, None) for mid in template[2]]


def units_of(metric_id: str) -> list[dict[str, str]]:
    known = METRICS.get(metric_id)
    if known is None:
        return []
    return [{"id": u.id, "name": u.display_name, "notation": u.notation} for u in known.units]
