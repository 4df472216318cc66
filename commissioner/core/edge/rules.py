"""The THREAD Edge API's documented values and validation rules, in one place.

Both the client (which refuses bad input before sending anything) and the simulator (which answers
bad input the way a THREAD does) use these functions, so the two can never disagree on what the
seed document allows. Every function raises :class:`EdgeValidationError` naming the field.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from enum import Enum, IntEnum, StrEnum
from typing import Any

from commissioner.core.edge.errors import EdgeValidationError

PORTS: tuple[int, ...] = (1, 2, 3)
USB_PORTS: tuple[int, ...] = (1,)


class PortMode(StrEnum):
    """Interface mode of a device port (``deviceRsSel`` content)."""

    RS232 = "RS232"
    RS485 = "RS485"
    ANALOG = "ANALOG"
    USB = "USB"
    OFF = "OFF"


class CommType(StrEnum):
    """Serial communication type of a port's properties (``COMM_TYPE``)."""

    RS232 = "RS232"
    RS485 = "RS485"
    USB = "USB"


class PortVoltage(IntEnum):
    """Output voltage code of ``deviceVoltage``: 0 off, 1 = 12 V, 2 = 15 V."""

    OFF = 0
    V12 = 1
    V15 = 2

    @property
    def volts(self) -> float:
        return {PortVoltage.OFF: 0.0, PortVoltage.V12: 12.0, PortVoltage.V15: 15.0}[self]

    @property
    def label(self) -> str:
        return {PortVoltage.OFF: "off", PortVoltage.V12: "12 V", PortVoltage.V15: "15 V"}[self]


class Parity(StrEnum):
    NONE = "NONE"
    ODD = "ODD"
    EVEN = "EVEN"
    MARK = "MARK"
    SPACE = "SPACE"


class AdcOption(IntEnum):
    """``deviceAdcRead`` option: 0 voltage, 1 current."""

    VOLTAGE = 0
    CURRENT = 1


class NetworkInterface(StrEnum):
    """Values of ``interfacePriority``: the path segment to set it and the route it reports."""

    ETHERNET = "ethernet"
    CELLULAR = "cellular"

    @property
    def route(self) -> str:
        return {NetworkInterface.ETHERNET: "eth0", NetworkInterface.CELLULAR: "ppp0"}[self]

    @classmethod
    def from_route(cls, route: str) -> NetworkInterface:
        for member in cls:
            if member.route == route or member.value == route:
                return member
        raise EdgeValidationError("interfacePriority", f"unknown network route {route!r}")


BAUD_RATES: tuple[int, ...] = (230400, 115200, 57600, 38400, 19200, 9600, 4800, 1200)
DATA_BITS: tuple[int, ...] = (8, 7, 6, 5)
BATTERY_LOW_RANGE = (0, 40)
BATTERY_HIGH_RANGE = (60, 100)
BATTERY_DEFAULT_LOW = 10
BATTERY_DEFAULT_HIGH = 100
PROPERTY_KEYS: tuple[str, ...] = (
    "COMM_TYPE",
    "BAUD_RATE",
    "DATA_BITS",
    "PARITY_BIT",
    "DELIMITERS_HEX",
    "PORT",
    "HOST",
)
USB_ONLY_KEYS: tuple[str, ...] = ("HOST", "PORT")
MAX_SLEEP_MS = 7 * 24 * 3600 * 1000
MAX_MESSAGE_CHARS = 4096

_HEX_BYTES = re.compile(r"^(?:[0-9A-Fa-f]{2})+$")
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(?:\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$"
)
_VERSION = re.compile(r"^\d+(?:\.\d+){1,3}$")
_UPDATE_FILE = re.compile(r"^/(?:[^/\0]+/)*[^/\0]+\.jar$")


def _plain(value: object) -> object:
    """An enum member's value; ``str()`` of a str-Enum member is its name on Python 3.11."""
    return value.value if isinstance(value, Enum) else value


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def port(value: object, field: str = "port") -> int:
    """A device port number, 1 to 3. Numeric strings are accepted, as the seed's curl shows."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not _is_int(value) or value not in PORTS:
        raise EdgeValidationError(
            field, f"must be one of {', '.join(map(str, PORTS))}, got {value!r}"
        )
    return int(str(value))


def port_mode(port_number: int, value: object) -> PortMode:
    """An interface mode for a port; USB only on port 1."""
    value = _plain(value)
    try:
        mode = PortMode(str(value).upper()) if isinstance(value, (str, PortMode)) else None
    except ValueError:
        mode = None
    if mode is None:
        allowed = ", ".join(m.value for m in PortMode)
        raise EdgeValidationError(
            "content", f"interface mode must be one of {allowed}, got {value!r}"
        )
    if mode is PortMode.USB and port_number not in USB_PORTS:
        raise EdgeValidationError(
            "content", f"USB is only supported on port 1, not port {port_number}"
        )
    return mode


def port_voltage(value: object) -> PortVoltage:
    """A voltage code: 0 off, 1 = 12 V, 2 = 15 V."""
    if isinstance(value, PortVoltage):
        return value
    if not _is_int(value) or value not in (0, 1, 2):
        raise EdgeValidationError(
            "value", f"voltage must be 0 (off), 1 (12 V) or 2 (15 V), got {value!r}"
        )
    return PortVoltage(value)


def adc_option(value: object) -> AdcOption:
    if isinstance(value, AdcOption):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not _is_int(value) or value not in (0, 1):
        raise EdgeValidationError("option", f"must be 0 (voltage) or 1 (current), got {value!r}")
    return AdcOption(value)


def battery_saver(value: object, low: object, high: object) -> tuple[bool, int, int]:
    """The battery saver rules: low 0-40, high 60-100, both or neither; ``true`` alone is 10/100.

    Returns the effective (enabled, low, high). When disabling without thresholds the low/high
    reported back are the device defaults 0 and 100.
    """
    enabled = boolean(value, "value")
    if (low is None) != (high is None):
        raise EdgeValidationError("low/high", "give both low and high, or neither")
    if low is None or high is None:
        return (enabled, BATTERY_DEFAULT_LOW, BATTERY_DEFAULT_HIGH) if enabled else (False, 0, 100)
    lo, hi = BATTERY_LOW_RANGE, BATTERY_HIGH_RANGE
    if not _is_int(low) or not lo[0] <= low <= lo[1]:  # type: ignore[operator]
        raise EdgeValidationError(
            "low", f"must be a whole number from {lo[0]} to {lo[1]} %, got {low!r}"
        )
    if not _is_int(high) or not hi[0] <= high <= hi[1]:  # type: ignore[operator]
        raise EdgeValidationError(
            "high", f"must be a whole number from {hi[0]} to {hi[1]} %, got {high!r}"
        )
    return enabled, int(low), int(high)  # type: ignore[call-overload]


def boolean(value: object, field: str = "value") -> bool:
    """A boolean, accepting the strings "true"/"false" that the seed's examples send."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise EdgeValidationError(field, f"must be true or false, got {value!r}")


def sleep_duration(value: object) -> int:
    if not _is_int(value) or not 1 <= value <= MAX_SLEEP_MS:  # type: ignore[operator]
        raise EdgeValidationError(
            "duration",
            f"must be a whole number of milliseconds from 1 to {MAX_SLEEP_MS}, got {value!r}",
        )
    return int(str(value))


def message_text(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise EdgeValidationError("message", "must be a non-empty string")
    if len(value) > MAX_MESSAGE_CHARS:
        raise EdgeValidationError("message", f"is longer than {MAX_MESSAGE_CHARS} characters")
    return value


def iso_time(value: object) -> str:
    """An ISO 8601 date-time string as ``POST time`` takes it."""
    from datetime import datetime

    if not isinstance(value, str):
        raise EdgeValidationError("time", f"must be an ISO 8601 date-time string, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise EdgeValidationError("time", f"is not an ISO 8601 date-time: {value!r}") from exc
    if parsed.tzinfo is None:
        raise EdgeValidationError("time", "needs a time zone (for example a trailing Z for UTC)")
    return value


def update_version(value: object) -> str:
    if not isinstance(value, str) or not _VERSION.match(value):
        raise EdgeValidationError("version", f"must look like 7.18.0, got {value!r}")
    return value


def update_file(value: object) -> str:
    if not isinstance(value, str) or not _UPDATE_FILE.match(value):
        raise EdgeValidationError(
            "file", f"must be an absolute path on the THREAD to a .jar file, got {value!r}"
        )
    return value


def delimiters(value: object) -> list[str]:
    """``DELIMITERS_HEX``: hex byte strings such as "0D0A". A single string is taken as one."""
    items: Iterable[object]
    items = (
        [value] if isinstance(value, str) else value if isinstance(value, (list, tuple)) else [None]
    )
    result: list[str] = []
    for item in items:
        if not isinstance(item, str) or not _HEX_BYTES.match(item):
            raise EdgeValidationError(
                "DELIMITERS_HEX",
                f"each delimiter must be hex bytes such as 0D0A or 0D, got {item!r}",
            )
        result.append(item.upper())
    if not result:
        raise EdgeValidationError("DELIMITERS_HEX", "give at least one delimiter, such as 0D0A")
    return result


def host(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise EdgeValidationError("HOST", "must be an IP address or host name")
    try:
        ipaddress.ip_address(value)
        return value
    except ValueError:
        pass
    if not _HOSTNAME.match(value):
        raise EdgeValidationError("HOST", f"is not an IP address or host name: {value!r}")
    return value


def tcp_port(value: object) -> str:
    """``PORT`` is documented as a string (\"1212\") though an example sends 1234; keep a string."""
    text = str(value) if _is_int(value) or isinstance(value, str) else ""
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise EdgeValidationError(
            "PORT", f"must be a TCP port number from 1 to 65535, got {value!r}"
        )
    return text


def port_properties(port_number: int, props: Mapping[str, Any]) -> dict[str, Any]:
    """Validate 1 to N device port properties for ``PUT configure`` and return them normalised.

    Values are normalised to what the device stores: upper-case enums, ints for numbers, a list for
    ``DELIMITERS_HEX`` and a string for ``PORT``.
    """
    if not isinstance(props, Mapping) or not props:
        raise EdgeValidationError("properties", "give at least one property to set")
    out: dict[str, Any] = {}
    for key, raw in props.items():
        value = _plain(raw)
        if key not in PROPERTY_KEYS:
            raise EdgeValidationError(
                key, f"is not a device port property ({', '.join(PROPERTY_KEYS)})"
            )
        if key == "COMM_TYPE":
            try:
                comm = CommType(str(value).upper()) if isinstance(value, str) else None
            except ValueError:
                comm = None
            if comm is None:
                allowed = ", ".join(c.value for c in CommType)
                raise EdgeValidationError(key, f"must be one of {allowed}, got {value!r}")
            if comm is CommType.USB and port_number not in USB_PORTS:
                raise EdgeValidationError(
                    key, f"USB is only supported on port 1, not port {port_number}"
                )
            out[key] = comm.value
        elif key == "BAUD_RATE":
            if not _is_int(value) or value not in BAUD_RATES:
                raise EdgeValidationError(
                    key, f"must be one of {', '.join(map(str, BAUD_RATES))}, got {value!r}"
                )
            out[key] = value
        elif key == "DATA_BITS":
            if not _is_int(value) or value not in DATA_BITS:
                raise EdgeValidationError(key, f"must be one of 8, 7, 6, 5, got {value!r}")
            out[key] = value
        elif key == "PARITY_BIT":
            try:
                parity = Parity(str(value).upper()) if isinstance(value, str) else None
            except ValueError:
                parity = None
            if parity is None:
                raise EdgeValidationError(
                    key, f"must be one of NONE, ODD, EVEN, MARK, SPACE, got {value!r}"
                )
            out[key] = parity.value
        elif key == "DELIMITERS_HEX":
            out[key] = delimiters(value)
        elif key == "HOST":
            out[key] = host(value)
        elif key == "PORT":
            out[key] = tcp_port(value)
    usb_keys = [k for k in USB_ONLY_KEYS if k in out]
    if usb_keys and port_number not in USB_PORTS:
        raise EdgeValidationError(
            usb_keys[0],
            f"HOST and PORT are only used for USB, which only port 1 supports (not port {port_number})",
        )
    return out


def property_names(names: object) -> list[str]:
    """Names for ``DELETE configure``: known property keys, at least one, no repeats."""
    if not isinstance(names, (list, tuple)) or not names:
        raise EdgeValidationError("resources", "give at least one property name to remove")
    result: list[str] = []
    for name in names:
        if not isinstance(name, str) or name not in PROPERTY_KEYS:
            raise EdgeValidationError(
                "resources", f"{name!r} is not a device port property ({', '.join(PROPERTY_KEYS)})"
            )
        if name not in result:
            result.append(name)
    return result
