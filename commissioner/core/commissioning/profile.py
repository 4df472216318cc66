"""Commissioning profiles: the desired state of a THREAD, in a TOML file a person can read.

A profile says how each port it names should be left (mode, voltage, serial properties, device
connection), which sensor hangs on it and what its readings should look like, the gateway-wide
settings, and how the THREAD is registered in the cloud. Ports and settings a profile does not
name are left as the THREAD has them. Examples ship in ``resources/profiles/``.

Format (TOML; every table and key is listed here, any other key is an error with the nearest
known key suggested; paths in messages count array entries from 0, as in ``ports[1].voltage``)::

    [profile]
    name = "RS-485 displacement transducer"   # required
    description = "free text"

    [thread]                                  # optional; an absent key is left as it is
    cloud_connection = true                   # the THREAD's own link to the cloud
    interface_priority = "cellular"           # "cellular" | "ethernet"
    battery_saver = { enabled = true, low = 10, high = 100 }
                                              # low 0-40 %, high 60-100 %, both or neither;
                                              # enabled alone means low 10, high 100

    [[ports]]                                 # one table per port the profile sets
    number = 2                                # 1, 2 or 3, each at most once
    mode = "RS485"                            # RS232 | RS485 | ANALOG | USB (port 1 only) | OFF
    voltage = 12                              # output in volts: 0 (off), 12 or 15
    device_connection = true                  # default: true unless mode is OFF
    sensor = "dt-485"                         # a catalogue id (resources/sensors/catalogue.toml)

    [ports.serial]                            # the Edge "configure" properties; RS232/RS485/USB
    baud = 19200                              # BAUD_RATE: 230400 ... 1200
    data_bits = 8                             # DATA_BITS: 8, 7, 6, 5
    parity = "NONE"                           # PARITY_BIT: NONE | ODD | EVEN | MARK | SPACE
    stop_bits = 1                             # 1 | 2; no Edge property, checked against the sensor
    delimiters = ["0D0A"]                     # DELIMITERS_HEX
    comm_type = "RS485"                       # COMM_TYPE; default: the port's mode
    host = "192.168.254.3"                    # HOST, USB only
    tcp_port = "1212"                         # PORT, USB only
    allow_framing_mismatch = false            # true: keep framing that differs from the sensor

    [ports.parser]                            # default: the sensor model's parser
    kind = "csv"                              # csv | keyvalue | regex | json | none (ANALOG)
    separator = ","                           # csv
    pattern = "(?P<displacement>[-+\\d.]+)"   # regex, with named groups
    auto = false                              # keyvalue/json: also pick up unnamed keys

    [[ports.channels]]                        # overrides of the sensor's channels, by name;
    name = "displacement"                     # without a sensor, the channels of a custom one
    column = 2                                # csv column, from 1 (default: the list position)
    unit = "millimeter"                       # cloud unit
    metric = "Displacement"                   # cloud metric (default: the name)
    known = false                             # metric and unit are cloud catalogue ids
    min = -50.0                               # expected range of a reading
    max = 50.0
    interval_s = 1.0                          # longest expected time between readings

    [ports.cloud]                             # per-port registration overrides
    register = true                           # false: configure the port, register nothing
    device_template = "IMPORT_DEVICE_SDE"     # default: the sensor model's, then [cloud]'s
    sensor_template = "GENERIC_SENSOR_SDE"
    device_name = "{site} transducer"         # default: [cloud]'s
    sensor_name = "{sensor}"

    [cloud]                                   # optional: register the THREAD
    profile = "iTwin IoT"                     # cloud profile name; "" = the app's current one
    project = ""                              # project (iTwin) id; "" = the profile's chosen one
    device_template = "IMPORT_DEVICE_SDE"     # defaults for ports without a sensor model
    sensor_template = "GENERIC_SENSOR_SDE"
    node_name = "THREAD {serial} at {site}"   # placeholders: {serial}, {site}
    device_name = "THREAD {serial} port {port}"  # placeholders: {serial}, {port}, {site}, {sensor}
    sensor_name = "{sensor} at {site}"

``{sensor}`` is the catalogue model's name (the custom channels' first name without one).
Safety rules are checked before anything is written: see
:mod:`commissioner.core.commissioning.profile_checks`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from string import Formatter

from commissioner.core.cloud.port_mapping import PortMapping, RegistrationDraft
from commissioner.core.cloud.registration import GENERIC_SENSOR
from commissioner.core.commissioning.profile_model import (
    CommissioningProfile,
    PortNames,
    PortProfile,
    ProfileError,
    ProfileNames,
    ProfileProblem,
)
from commissioner.core.commissioning.profile_parse import parse_profile
from commissioner.core.commissioning.profile_todict import profile_to_dict
from commissioner.core.edge import rules
from commissioner.core.sensor_catalogue import SensorModel, load_catalogue
from commissioner.resources import resource_path

__all__ = [
    "list_example_profiles",
    "load_profile",
    "profile_from_dict",
    "profile_to_dict",
    "render_names",
    "to_registration_draft",
    "validate_profile",
]


def validate_profile(
    data: object, catalogue: Sequence[SensorModel] | None = None
) -> list[ProfileProblem]:
    """Every problem of the profile in ``data`` (a parsed TOML document); empty when usable."""
    return parse_profile(data, _catalogue(catalogue))[1]


def profile_from_dict(
    data: object,
    catalogue: Sequence[SensorModel] | None = None,
    *,
    source: str = "profile",
    path: Path | None = None,
) -> CommissioningProfile:
    """The profile in ``data``; :class:`ProfileError` lists every problem when it is unusable."""
    profile, problems = parse_profile(data, _catalogue(catalogue))
    if problems or profile is None:
        raise ProfileError(source, problems)
    return profile if path is None else _with_source(profile, path)


def load_profile(
    path: Path | str, catalogue: Sequence[SensorModel] | None = None
) -> CommissioningProfile:
    """Read and validate the profile file at ``path``; ProfileError names every problem."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(str(path), [ProfileProblem("", f"cannot be read: {exc}")]) from exc
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        problem = ProfileProblem("", f"is not valid TOML: {exc}")
        raise ProfileError(str(path), [problem]) from exc
    return profile_from_dict(data, catalogue, source=str(path), path=path)


def list_example_profiles() -> list[Path]:
    """The example profiles shipped in ``resources/profiles/``, sorted by file name."""
    return sorted(resource_path("profiles").glob("*.toml"))


def render_names(
    profile: CommissioningProfile,
    serial: str,
    site: str,
    catalogue: Sequence[SensorModel] | None = None,
) -> ProfileNames:
    """The profile's node, device and sensor names for THREAD ``serial`` at ``site``."""
    models = {m.id: m for m in _catalogue(catalogue)}
    cloud = profile.cloud
    node = _fill(cloud.node_name if cloud else "THREAD {serial}", serial=serial, site=site)
    ports = []
    for port in profile.ports:
        values = {
            "serial": serial,
            "site": site,
            "port": str(port.number),
            "sensor": _sensor_label(port, models),
        }
        device = port.cloud.device_name or (cloud.device_name if cloud else "")
        sensor = port.cloud.sensor_name or (cloud.sensor_name if cloud else "")
        ports.append(PortNames(port.number, _fill(device, **values), _fill(sensor, **values)))
    return ProfileNames(node, tuple(ports))


def to_registration_draft(
    profile: CommissioningProfile,
    serial: str,
    site: str,
    catalogue: Sequence[SensorModel] | None = None,
) -> RegistrationDraft:
    """The Cloud page's draft for this profile; rows for ports 1-3, enabled where registered.

    RefIds come from ``serial`` and the port when the draft becomes a spec, so registering the
    same THREAD with the same profile twice addresses the same cloud entities.
    """
    models = {m.id: m for m in _catalogue(catalogue)}
    names = render_names(profile, serial, site, list(models.values()))
    cloud = profile.cloud
    rows = []
    for number in rules.PORTS:
        row = PortMapping(number)
        port = profile.port(number)
        port_names = names.port(number)
        if port is not None and port_names is not None and cloud is not None:
            model = models.get(port.sensor) if port.sensor else None
            row.model_id = model.id if model else "generic"
            row.device_template = (
                port.cloud.device_template
                or (model.device_template if model else None)
                or cloud.device_template
            )
            row.sensor_template = (
                port.cloud.sensor_template
                or (model.sensor_template if model else None)
                or cloud.sensor_template
            )
            row.device_name = port_names.device
            row.sensor_name = port_names.sensor
            row.metrics = [(c.metric, c.unit) for c in port.channels]
            row.known_metrics = bool(port.channels) and all(c.known for c in port.channels)
            row.enabled = port.cloud.register and (model is not None or bool(port.channels))
            if row.sensor_template != GENERIC_SENSOR:
                row.known_metrics = False
        rows.append(row)
    return RegistrationDraft(serial, rows, notes=_notes(profile, site))


def _notes(profile: CommissioningProfile, site: str) -> str:
    where = f" at {site}" if site else ""
    return f"Commissioned with profile {profile.name!r}{where}"


def _sensor_label(port: PortProfile, models: Mapping[str, SensorModel]) -> str:
    model = models.get(port.sensor) if port.sensor else None
    if model is not None:
        return model.name
    if port.sensor:
        return port.sensor
    return port.channels[0].name if port.channels else f"port {port.number}"


def _fill(template: str, **values: str) -> str:
    """``template`` with its ``{name}`` placeholders replaced (checked when the file was read)."""
    out = []
    for literal, name, _, _ in Formatter().parse(template):
        out.append(literal)
        if name is not None:
            out.append(values.get(name, "{" + name + "}"))
    return "".join(out)


def _catalogue(catalogue: Sequence[SensorModel] | None) -> Sequence[SensorModel]:
    return load_catalogue() if catalogue is None else catalogue


def _with_source(profile: CommissioningProfile, path: Path) -> CommissioningProfile:
    return replace(profile, source=path)
