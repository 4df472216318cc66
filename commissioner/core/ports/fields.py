"""The settings of one device port as named fields, their rules, and how their values read.

A port's settings come from four Edge calls (``deviceRsSel``, ``deviceVoltage``, ``configure``,
``deviceConnection``) that differ in how (and whether) they can be read back. Naming each setting
once lets staging, planning, verification and the UI speak of "the same field" without magic
strings, and keeps the normalisation of user input next to the rules it comes from.
"""

from __future__ import annotations

import re
from enum import Enum, StrEnum
from typing import Any

from commissioner.core.edge import rules
from commissioner.core.edge.errors import EdgeValidationError
from commissioner.core.edge.rules import CommType, Parity, PortMode, PortVoltage


class PortField(StrEnum):
    """One setting of a device port. Property fields carry the API's property key as value."""

    MODE = "MODE"
    VOLTAGE = "VOLTAGE"
    COMM_TYPE = "COMM_TYPE"
    BAUD_RATE = "BAUD_RATE"
    DATA_BITS = "DATA_BITS"
    PARITY_BIT = "PARITY_BIT"
    DELIMITERS_HEX = "DELIMITERS_HEX"
    HOST = "HOST"
    PORT = "PORT"
    DEVICE_CONNECTION = "DEVICE_CONNECTION"

    @property
    def is_property(self) -> bool:
        """Whether the field is a ``configure`` property (readable, removable)."""
        return self.value in rules.PROPERTY_KEYS

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS: dict[PortField, str] = {
    PortField.MODE: "Interface mode",
    PortField.VOLTAGE: "Output voltage",
    PortField.COMM_TYPE: "COMM_TYPE",
    PortField.BAUD_RATE: "Baud rate",
    PortField.DATA_BITS: "Data bits",
    PortField.PARITY_BIT: "Parity",
    PortField.DELIMITERS_HEX: "Delimiters (hex)",
    PortField.HOST: "USB host",
    PortField.PORT: "USB port",
    PortField.DEVICE_CONNECTION: "Device connection",
}

# Fields in the order a person reads them, and the order the plan sends properties in.
FIELD_ORDER: tuple[PortField, ...] = tuple(PortField)
PROPERTY_FIELDS: tuple[PortField, ...] = tuple(f for f in PortField if f.is_property)
# COMM_TYPE follows the interface mode, so the user edits the mode, never COMM_TYPE itself.
EDITABLE_FIELDS: tuple[PortField, ...] = tuple(f for f in PortField if f is not PortField.COMM_TYPE)
REMOVABLE_FIELDS: tuple[PortField, ...] = tuple(
    f for f in PROPERTY_FIELDS if f is not PortField.COMM_TYPE
)
USB_FIELDS: tuple[PortField, ...] = (PortField.HOST, PortField.PORT)
SERIAL_MODES: frozenset[PortMode] = frozenset(PortMode(c.value) for c in CommType)


class Removal(Enum):
    """A staged removal of a property (``DELETE configure``), distinct from any value."""

    REMOVE = "remove"


REMOVE = Removal.REMOVE

_DELIMITER_SPLIT = re.compile(r"[\s,;]+")


def parse_delimiters(text: str) -> list[str]:
    """``"0D0A, 0D"`` -> ``["0D0A", "0D"]``; commas, semicolons or spaces separate delimiters."""
    parts = [p for p in _DELIMITER_SPLIT.split(text.strip()) if p]
    for part in parts:
        if part.lower().startswith("0x"):
            raise EdgeValidationError(
                "DELIMITERS_HEX", f"write hex bytes without 0x, such as 0D0A, got {part!r}"
            )
    return rules.delimiters(parts)


def normalise(port: int, field: PortField, raw: object) -> Any:
    """A user's value for ``field`` on ``port`` as the device stores it, or EdgeValidationError.

    The error's ``message`` is the sentence to show next to the field.
    """
    try:
        if field is PortField.MODE:
            return rules.port_mode(port, raw)
        if field is PortField.VOLTAGE:
            return rules.port_voltage(raw)
        if field is PortField.DEVICE_CONNECTION:
            return rules.boolean(raw, field.value)
        if field is PortField.DELIMITERS_HEX and isinstance(raw, str):
            return parse_delimiters(raw)
        if isinstance(raw, str) and field in (PortField.BAUD_RATE, PortField.DATA_BITS):
            raw = int(raw) if raw.strip().isdigit() else raw
        return rules.port_properties(port, {field.value: raw})[field.value]
    except EdgeValidationError as exc:
        raise EdgeValidationError(field.value, exc.message) from None


def normalise_device(port: int, field: PortField, raw: object) -> Any:
    """A value the THREAD reported, normalised like user input when possible, else as it came."""
    if raw is None:
        return None
    try:
        return normalise(port, field, raw)
    except EdgeValidationError:
        return raw


def format_value(field: PortField, value: object) -> str:
    """A value as a person reads it: "12 V", "on", "0D0A, 0D", "not set", "removed"."""
    if value is REMOVE:
        return "removed"
    if value is None:
        return "not set"
    if field is PortField.VOLTAGE and isinstance(value, PortVoltage):
        return value.label
    if field is PortField.DEVICE_CONNECTION and isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def choices(port: int, field: PortField) -> tuple[object, ...]:
    """The documented values of a field with a fixed set, for combo boxes; empty for free text."""
    if field is PortField.MODE:
        return tuple(m for m in PortMode if m is not PortMode.USB or port in rules.USB_PORTS)
    if field is PortField.VOLTAGE:
        return tuple(PortVoltage)
    if field is PortField.BAUD_RATE:
        return rules.BAUD_RATES
    if field is PortField.DATA_BITS:
        return rules.DATA_BITS
    if field is PortField.PARITY_BIT:
        return tuple(Parity)
    return ()
