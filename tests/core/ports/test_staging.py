"""Staged edits: validation with the documented rules, the diff against the THREAD, inference."""

from __future__ import annotations

from typing import Any

import pytest

from commissioner.core.edge.errors import EdgeValidationError
from commissioner.core.edge.models import Quantity, Unit
from commissioner.core.edge.rules import PortMode, PortVoltage
from commissioner.core.ports.device_state import (
    Known,
    PortDeviceState,
    Source,
    build_state,
    infer_voltage,
    known_mode,
    known_voltage,
)
from commissioner.core.ports.fields import REMOVE, PortField, choices, parse_delimiters
from commissioner.core.ports.staging import PortStaging, review

F = PortField


def device(port: int = 1, **props: Any) -> PortDeviceState:
    base: dict[str, Any] = {
        "COMM_TYPE": "RS232",
        "BAUD_RATE": 9600,
        "DATA_BITS": 8,
        "PARITY_BIT": "NONE",
        "DELIMITERS_HEX": ["0D0A"],
    }
    base.update(props)
    return build_state(port, {k: v for k, v in base.items() if v is not None}, False, None)


def test_only_changed_fields_are_changes() -> None:
    """An edit equal to the device's value is no change; a different one is, with both values."""
    result = review(1, {F.BAUD_RATE: 9600, F.DATA_BITS: "7", F.PARITY_BIT: "even"}, device())
    assert result.ok
    assert list(result.changes) == [F.DATA_BITS, F.PARITY_BIT]
    assert result.changes[F.DATA_BITS].device == 8
    assert result.changes[F.DATA_BITS].target == 7
    assert result.changes[F.PARITY_BIT].target == "EVEN"


def test_serial_mode_targets_comm_type() -> None:
    """Choosing RS485 also targets COMM_TYPE RS485, so properties agree with the interface."""
    result = review(2, {F.MODE: "RS485"}, device(2))
    assert result.targets[F.COMM_TYPE] == "RS485"
    assert list(result.changes) == [F.MODE, F.COMM_TYPE]
    assert not result.changes[F.MODE].device_known
    analog = review(3, {F.MODE: PortMode.ANALOG}, device(3))
    assert F.COMM_TYPE not in analog.targets


def test_removal_of_absent_property_is_no_change() -> None:
    """Removing a property the THREAD does not hold sends nothing; removing a held one does."""
    staging = PortStaging(1)
    staging.remove(F.HOST)
    staging.remove(F.DELIMITERS_HEX)
    result = review(1, staging.edits, device())
    assert list(result.changes) == [F.DELIMITERS_HEX]
    assert result.changes[F.DELIMITERS_HEX].is_removal


@pytest.mark.parametrize(
    ("port", "edits", "bad", "words"),
    [
        (1, {F.DELIMITERS_HEX: "0D0A, 0G"}, F.DELIMITERS_HEX, "hex bytes"),
        (1, {F.DELIMITERS_HEX: "0x0D"}, F.DELIMITERS_HEX, "without 0x"),
        (1, {F.DELIMITERS_HEX: " "}, F.DELIMITERS_HEX, "at least one"),
        (1, {F.BAUD_RATE: 1234}, F.BAUD_RATE, "9600"),
        (2, {F.MODE: "USB"}, F.MODE, "only supported on port 1"),
        (1, {F.MODE: "USB", F.HOST: "bad host!"}, F.HOST, "IP address or host name"),
        (1, {F.MODE: "USB", F.PORT: "70000"}, F.PORT, "1 to 65535"),
        (1, {F.MODE: "RS232", F.HOST: "192.168.254.3"}, F.HOST, "choose USB"),
        (2, {F.HOST: "192.168.254.3"}, F.HOST, "only port 1"),
        (1, {F.VOLTAGE: 3}, F.VOLTAGE, "15 V"),
    ],
)
def test_invalid_values_say_why(
    port: int, edits: dict[PortField, Any], bad: PortField, words: str
) -> None:
    """A broken rule is an error on its field with the rule's sentence, and never a change."""
    result = review(port, edits, device(port))
    assert not result.ok
    assert words in result.errors[bad]
    assert bad not in result.changes


def test_usb_host_and_port_valid_in_usb_mode() -> None:
    """HOST and PORT on port 1 in USB mode are accepted and normalised (PORT is a string)."""
    result = review(1, {F.MODE: "USB", F.HOST: "192.168.254.3", F.PORT: 1212}, device())
    assert result.ok
    assert result.targets[F.PORT] == "1212"
    assert result.targets[F.COMM_TYPE] == "USB"


def test_parse_delimiters() -> None:
    """Delimiters are typed as hex separated by commas or spaces, stored upper-case."""
    assert parse_delimiters("0d0a, 0D") == ["0D0A", "0D"]
    assert parse_delimiters("0A 03;04") == ["0A", "03", "04"]
    with pytest.raises(EdgeValidationError):
        parse_delimiters("0D0")


def test_usb_only_offered_on_port_1() -> None:
    """The mode choices include USB on port 1 only."""
    assert PortMode.USB in choices(1, F.MODE)
    assert PortMode.USB not in choices(2, F.MODE)
    assert PortMode.USB not in choices(3, F.MODE)


def test_staging_refuses_comm_type_and_reverts() -> None:
    """COMM_TYPE follows the mode; revert drops every edit."""
    staging = PortStaging(1)
    with pytest.raises(ValueError):
        staging.stage(F.COMM_TYPE, "RS485")
    staging.stage(F.BAUD_RATE, 19200)
    staging.keep_only([F.BAUD_RATE])
    assert staging.edits == {F.BAUD_RATE: 19200}
    staging.revert()
    assert staging.edits == {}


def test_voltage_inferred_from_measurement() -> None:
    """Measured volts map to the nearest setting within 1.5 V; anything else is unknown."""
    assert infer_voltage(11.98) is PortVoltage.V12
    assert infer_voltage(14.2) is PortVoltage.V15
    assert infer_voltage(0.003) is PortVoltage.OFF
    assert infer_voltage(7.0) is None
    inferred = known_voltage(Quantity(11.9, Unit.VOLT), PortVoltage.V15)
    assert inferred == Known(PortVoltage.V12, Source.INFERRED, "inferred from 11.90 V measured")
    assert known_voltage(None, PortVoltage.V15).source is Source.LAST_APPLIED
    assert known_voltage(None, None).source is Source.UNKNOWN


def test_remembered_mode_contradicted_by_comm_type_is_unknown() -> None:
    """A mode this app set is shown as last applied, unless COMM_TYPE says it changed elsewhere."""
    assert known_mode({"COMM_TYPE": "RS232"}, PortMode.RS232).source is Source.LAST_APPLIED
    stale = known_mode({"COMM_TYPE": "RS485"}, PortMode.RS232)
    assert stale.source is Source.UNKNOWN
    assert "changed elsewhere" in stale.note
    assert known_mode({}, None).source is Source.UNKNOWN


def test_unknown_device_value_makes_any_edit_a_change() -> None:
    """With the mode unknown, staging it is a change even if it happens to match."""
    result = review(1, {F.MODE: "OFF", F.DELIMITERS_HEX: REMOVE}, None)
    assert set(result.changes) == {F.MODE, F.DELIMITERS_HEX}
