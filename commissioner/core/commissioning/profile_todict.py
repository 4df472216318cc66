"""A profile written back as the TOML tables it was read from (values inherited made explicit).

``profile_from_dict(profile_to_dict(p)) == p`` for every valid profile ``p``, so a plan or a
journal can store the profile a run used and read it back later, even if the file changed.
"""

from __future__ import annotations

from typing import Any

from commissioner.core.commissioning.profile_model import (
    ChannelSpec,
    CommissioningProfile,
    PortProfile,
)


def profile_to_dict(profile: CommissioningProfile) -> dict[str, Any]:
    """The profile as TOML-ready tables (no None values: TOML has no null)."""
    data: dict[str, Any] = {"profile": {"name": profile.name, "description": profile.description}}
    thread: dict[str, Any] = {}
    t = profile.thread
    if t.cloud_connection is not None:
        thread["cloud_connection"] = t.cloud_connection
    if t.interface_priority is not None:
        thread["interface_priority"] = t.interface_priority.value
    if t.battery_saver is not None:
        b = t.battery_saver
        thread["battery_saver"] = {"enabled": b.enabled, "low": b.low, "high": b.high}
    if thread:
        data["thread"] = thread
    if profile.ports:
        data["ports"] = [_port(p) for p in profile.ports]
    if profile.cloud is not None:
        c = profile.cloud
        data["cloud"] = {
            "profile": c.profile,
            "project": c.project,
            "device_template": c.device_template,
            "sensor_template": c.sensor_template,
            "node_name": c.node_name,
            "device_name": c.device_name,
            "sensor_name": c.sensor_name,
        }
    return data


def _port(port: PortProfile) -> dict[str, Any]:
    out: dict[str, Any] = {
        "number": port.number,
        "mode": port.mode.value,
        "voltage": int(port.voltage.volts),
        "device_connection": port.device_connection,
    }
    if port.sensor is not None:
        out["sensor"] = port.sensor
    if port.serial is not None:
        s = port.serial
        serial: dict[str, Any] = {
            "comm_type": None if s.comm_type is None else s.comm_type.value,
            "baud": s.baud,
            "data_bits": s.data_bits,
            "parity": None if s.parity is None else s.parity.value,
            "stop_bits": s.stop_bits,
            "delimiters": list(s.delimiters) or None,
            "host": s.host,
            "tcp_port": s.tcp_port,
            "allow_framing_mismatch": s.allow_framing_mismatch,
        }
        out["serial"] = {k: v for k, v in serial.items() if v is not None}
    if port.parser is not None:
        p = port.parser
        out["parser"] = {
            "kind": p.kind,
            "separator": p.separator,
            "pattern": p.pattern,
            "auto": p.auto,
        }
    if port.channels:
        out["channels"] = [_channel(c) for c in port.channels]
    c = port.cloud
    cloud: dict[str, Any] = {
        "register": c.register,
        "device_template": c.device_template,
        "sensor_template": c.sensor_template,
        "device_name": c.device_name,
        "sensor_name": c.sensor_name,
    }
    out["cloud"] = {k: v for k, v in cloud.items() if v is not None}
    return out


def _channel(ch: ChannelSpec) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": ch.name,
        "metric": ch.metric,
        "unit": ch.unit,
        "known": ch.known,
        "min": ch.minimum,
        "max": ch.maximum,
        "interval_s": ch.interval_s,
        "column": ch.column,
    }
    return {k: v for k, v in values.items() if v is not None}
