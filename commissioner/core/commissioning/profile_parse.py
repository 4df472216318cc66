"""A profile's raw tables turned into :class:`CommissioningProfile`, with every problem collected.

Values the file leaves out are taken from the port's catalogue sensor (serial framing, parser,
channels), then the safety rules of :mod:`profile_checks` run on the result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from commissioner.core.commissioning.profile_checks import check_profile
from commissioner.core.commissioning.profile_model import (
    DEFAULT_DEVICE_NAME,
    DEFAULT_DEVICE_TEMPLATE,
    DEFAULT_NODE_NAME,
    DEFAULT_SENSOR_NAME,
    DEFAULT_SENSOR_TEMPLATE,
    NODE_PLACEHOLDERS,
    PLACEHOLDERS,
    STOP_BITS,
    BatterySaver,
    CloudSettings,
    CommissioningProfile,
    PortCloud,
    PortProfile,
    ProfileProblem,
    SerialSettings,
    ThreadSettings,
)
from commissioner.core.commissioning.profile_read import Reader, join, suggestion
from commissioner.core.commissioning.profile_sensor import read_channels, read_parser
from commissioner.core.edge import rules
from commissioner.core.edge.errors import EdgeValidationError
from commissioner.core.edge.rules import CommType, NetworkInterface, Parity, PortMode, PortVoltage
from commissioner.core.sensor_catalogue import SensorModel

TOP_KEYS: tuple[str, ...] = ("profile", "thread", "ports", "cloud")
PROFILE_KEYS: tuple[str, ...] = ("name", "description")
THREAD_KEYS: tuple[str, ...] = ("cloud_connection", "interface_priority", "battery_saver")
SAVER_KEYS: tuple[str, ...] = ("enabled", "low", "high")
PORT_KEYS: tuple[str, ...] = (
    *("number", "mode", "voltage", "device_connection", "sensor"),
    *("serial", "parser", "channels", "cloud"),
)
SERIAL_KEYS: tuple[str, ...] = (
    *("comm_type", "baud", "data_bits", "parity", "stop_bits"),
    *("delimiters", "host", "tcp_port", "allow_framing_mismatch"),
)
PORT_CLOUD_KEYS: tuple[str, ...] = (
    *("register", "device_template", "sensor_template"),
    *("device_name", "sensor_name"),
)
CLOUD_KEYS: tuple[str, ...] = (
    *("profile", "project", "device_template", "sensor_template"),
    *("node_name", "device_name", "sensor_name"),
)
VOLTS = {int(v.volts): v for v in PortVoltage}


def parse_profile(
    data: object, catalogue: Sequence[SensorModel]
) -> tuple[CommissioningProfile | None, list[ProfileProblem]]:
    """The profile in ``data`` (a TOML document as a dict) and every problem found in it."""
    r = Reader()
    top = r.table(data, "", TOP_KEYS)
    if top is None:
        return None, r.problems
    head = r.table(top.get("profile", {}), "profile", PROFILE_KEYS) or {}
    name = ""
    if r.require(head, "name", "profile", 'a short name, such as name = "RS-485 transducer"'):
        name = r.text(head, "name", "profile")
        if isinstance(head.get("name"), str) and not name.strip():
            r.add("profile.name", "cannot be empty")
    description = r.text(head, "description", "profile")
    thread = _thread(r, top.get("thread", {}))
    models = {m.id: m for m in catalogue}
    indexed = [
        (index, port)
        for index, raw in enumerate(r.tables(top.get("ports", []), "ports"))
        if (port := _port(r, raw, f"ports[{index}]", models)) is not None
    ]
    if "ports" in top and not indexed and not r.problems:
        r.add("ports", "lists no port; describe at least one [[ports]] table")
    cloud = _cloud(r, top["cloud"]) if "cloud" in top else None
    ports = tuple(port for _, port in indexed)
    profile = CommissioningProfile(name, description, thread, ports, cloud)
    check_profile(r, top, profile, indexed, models)
    return (None if r.problems else profile), r.problems


def _thread(r: Reader, raw: object) -> ThreadSettings:
    t = r.table(raw, "thread", THREAD_KEYS)
    if t is None:
        return ThreadSettings()
    cloud = r.flag(t, "cloud_connection", "thread")
    priority = None
    if "interface_priority" in t:
        value = t["interface_priority"]
        try:
            priority = NetworkInterface(value)
        except ValueError:
            allowed = [i.value for i in NetworkInterface]
            r.add(
                "thread.interface_priority",
                f"must be one of {', '.join(allowed)}, got {value!r}"
                + suggestion(str(value), allowed),
            )
    saver = None
    if "battery_saver" in t:
        path = "thread.battery_saver"
        s = r.table(t["battery_saver"], path, SAVER_KEYS)
        if s is not None and r.require(s, "enabled", path, "enabled = true or false"):
            enabled = r.flag(s, "enabled", path)
            if enabled is not None:
                try:
                    saver = BatterySaver(*rules.battery_saver(enabled, s.get("low"), s.get("high")))
                except EdgeValidationError as exc:
                    r.add(join(path, exc.field.replace("value", "enabled")), exc.message)
    return ThreadSettings(cloud, priority, saver)


def _port(
    r: Reader, raw: object, path: str, models: Mapping[str, SensorModel]
) -> PortProfile | None:
    p = r.table(raw, path, PORT_KEYS)
    if p is None:
        return None
    number = mode = voltage = None
    if r.require(p, "number", path, "the port number, 1, 2 or 3"):
        number = r.rule(join(path, "number"), lambda: rules.port(p["number"], "number"))
    if r.require(p, "mode", path, "the interface mode (RS232, RS485, ANALOG, USB or OFF)"):
        mode = r.rule(join(path, "mode"), lambda: rules.port_mode(number or 1, p["mode"]))
    if r.require(p, "voltage", path, "the output voltage in volts: 0 (off), 12 or 15"):
        value = p["voltage"]
        number_given = isinstance(value, int | float) and not isinstance(value, bool)
        voltage = VOLTS.get(value) if number_given else None
        if voltage is None:
            r.add(join(path, "voltage"), f"must be 0 (off), 12 or 15 volts, got {value!r}")
    connection = r.flag(p, "device_connection", path)
    sensor = r.opt_text(p, "sensor", path)
    model = None
    if sensor is not None:
        model = models.get(sensor)
        if model is None:
            known = ", ".join(models)
            hint = suggestion(sensor, models)
            r.add(
                join(path, "sensor"),
                f"{sensor!r} is not in the sensor catalogue{hint}; known: {known}",
            )
    serial = _serial(r, p, path, number or 1, mode, model)
    parser = read_parser(r, p, path, mode, model)
    channels = read_channels(r, p.get("channels", []), join(path, "channels"), model)
    port_cloud = _port_cloud(r, p.get("cloud", {}), join(path, "cloud"))
    if number is None or mode is None or voltage is None:
        return None  # the safety rules still run on a port whose other fields have problems
    return PortProfile(
        number,
        mode,
        voltage,
        mode is not PortMode.OFF if connection is None else connection,
        sensor,
        serial,
        parser,
        channels,
        port_cloud,
    )


def _serial(
    r: Reader,
    p: Mapping[str, Any],
    path: str,
    number: int,
    mode: PortMode | None,
    model: SensorModel | None,
) -> SerialSettings | None:
    serial_mode = mode is not None and mode.value in {c.value for c in CommType}
    if "serial" not in p:
        if not serial_mode:
            return None
        raw: dict[str, Any] = {}
    spath = join(path, "serial")
    if "serial" in p:
        if not serial_mode and mode is not None:
            r.add(spath, f"serial settings only apply to RS232, RS485 or USB, not {mode.value}")
        raw = r.table(p["serial"], spath, SERIAL_KEYS) or {}
    if model is not None:  # the sensor model's framing unless the profile says otherwise
        defaults = {
            "baud": model.baud,
            "data_bits": model.data_bits,
            "parity": model.parity,
            "stop_bits": model.stop_bits,
        }
        raw = {**{k: v for k, v in defaults.items() if v is not None}, **raw}

    def prop(key: str, prop_key: str) -> Any:
        if key not in raw:
            return None
        return r.rule(
            join(spath, key),
            lambda: rules.port_properties(number, {prop_key: raw[key]})[prop_key],
        )

    comm = prop("comm_type", "COMM_TYPE")
    if comm is None and "comm_type" not in raw and serial_mode and mode is not None:
        comm = mode.value
    elif comm is not None and mode is not None and comm != mode.value:
        r.add(join(spath, "comm_type"), f"{comm} does not match the port's mode {mode.value}")
    stop = r.integer(raw, "stop_bits", spath)
    if stop is not None and stop not in STOP_BITS:
        r.add(join(spath, "stop_bits"), f"must be 1 or 2, got {stop}")
    delimiters = prop("delimiters", "DELIMITERS_HEX")
    return SerialSettings(
        comm_type=None if comm is None else CommType(comm),
        baud=prop("baud", "BAUD_RATE"),
        data_bits=prop("data_bits", "DATA_BITS"),
        parity=None if (parity := prop("parity", "PARITY_BIT")) is None else Parity(parity),
        stop_bits=stop,
        delimiters=tuple(delimiters or ()),
        host=prop("host", "HOST"),
        tcp_port=prop("tcp_port", "PORT"),
        allow_framing_mismatch=bool(r.flag(raw, "allow_framing_mismatch", spath, False)),
    )


def _port_cloud(r: Reader, raw: object, path: str) -> PortCloud:
    c = r.table(raw, path, PORT_CLOUD_KEYS) or {}
    names = {
        key: None if value is None else r.template(value, join(path, key), PLACEHOLDERS)
        for key in ("device_name", "sensor_name")
        for value in [r.opt_text(c, key, path)]
    }
    return PortCloud(
        bool(r.flag(c, "register", path, True)),
        r.opt_text(c, "device_template", path),
        r.opt_text(c, "sensor_template", path),
        names["device_name"],
        names["sensor_name"],
    )


def _cloud(r: Reader, raw: object) -> CloudSettings | None:
    c = r.table(raw, "cloud", CLOUD_KEYS)
    if c is None:
        return None
    return CloudSettings(
        profile=r.text(c, "profile", "cloud"),
        project=r.text(c, "project", "cloud"),
        device_template=r.text(c, "device_template", "cloud", DEFAULT_DEVICE_TEMPLATE),
        sensor_template=r.text(c, "sensor_template", "cloud", DEFAULT_SENSOR_TEMPLATE),
        node_name=r.template(
            r.text(c, "node_name", "cloud", DEFAULT_NODE_NAME), "cloud.node_name", NODE_PLACEHOLDERS
        ),
        device_name=r.template(
            r.text(c, "device_name", "cloud", DEFAULT_DEVICE_NAME),
            "cloud.device_name",
            PLACEHOLDERS,
        ),
        sensor_name=r.template(
            r.text(c, "sensor_name", "cloud", DEFAULT_SENSOR_NAME),
            "cloud.sensor_name",
            PLACEHOLDERS,
        ),
    )
