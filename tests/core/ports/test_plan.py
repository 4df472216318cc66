"""The apply plan: a safe order, only what changed, and the confirmations a voltage change needs."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from commissioner.core.edge.rules import PortMode, PortVoltage
from commissioner.core.ports.device_state import Known, PortDeviceState, Source, build_state
from commissioner.core.ports.fields import REMOVE, PortField
from commissioner.core.ports.plan import StepKind, confirmations, plan_apply, plan_port
from commissioner.core.ports.staging import review

F = PortField
K = StepKind


def device(
    port: int = 1, *, connection: bool = False, volts: PortVoltage | None = None
) -> PortDeviceState:
    state = build_state(
        port,
        {"COMM_TYPE": "RS232", "BAUD_RATE": 9600, "DELIMITERS_HEX": ["0D0A"]},
        connection,
        None,
    )
    if volts is not None:
        state = replace(state, voltage=Known(volts, Source.INFERRED, "measured"))
    return state


def plan_of(
    port: int, edits: dict[PortField, Any], state: PortDeviceState
) -> list[tuple[StepKind, Any]]:
    return [(s.kind, s.value) for s in plan_port(review(port, edits, state), state)]


def test_full_change_runs_in_safe_order() -> None:
    """Connection off first, then removals, properties, mode, voltage, and connection back on."""
    edits = {
        F.MODE: "RS485",
        F.VOLTAGE: PortVoltage.V12,
        F.BAUD_RATE: 19200,
        F.DELIMITERS_HEX: REMOVE,
    }
    steps = plan_of(1, edits, device(connection=True, volts=PortVoltage.OFF))
    assert steps == [
        (K.CONNECTION_OFF, False),
        (K.DELETE_PROPERTIES, ("DELIMITERS_HEX",)),
        (K.PUT_PROPERTIES, {"COMM_TYPE": "RS485", "BAUD_RATE": 19200}),
        (K.SET_MODE, PortMode.RS485),
        (K.SET_VOLTAGE, PortVoltage.V12),
        (K.SET_CONNECTION, True),
    ]


def test_only_what_changed_is_sent() -> None:
    """One changed property with the connection off is one PUT; an unchanged edit sends nothing."""
    assert plan_of(1, {F.BAUD_RATE: 19200, F.DELIMITERS_HEX: "0d0a"}, device()) == [
        (K.PUT_PROPERTIES, {"BAUD_RATE": 19200})
    ]
    assert plan_of(1, {F.BAUD_RATE: 9600}, device(connection=True)) == []


def test_connection_alone_is_one_step() -> None:
    """Turning the device connection on touches nothing else."""
    assert plan_of(2, {F.DEVICE_CONNECTION: True}, device(2)) == [(K.SET_CONNECTION, True)]


def test_connection_staged_off_is_turned_off_first_and_left_off() -> None:
    """When the target is off, the first step delivers it and no final step follows."""
    state = device(connection=True, volts=PortVoltage.V12)
    steps = plan_port(review(1, {F.DEVICE_CONNECTION: False, F.VOLTAGE: 0}, state), state)
    assert [(s.kind, s.value, s.fields) for s in steps] == [
        (K.CONNECTION_OFF, False, (F.DEVICE_CONNECTION,)),
        (K.SET_VOLTAGE, PortVoltage.OFF, (F.VOLTAGE,)),
    ]


def test_plan_covers_ports_in_order_and_refuses_invalid() -> None:
    """Ports are planned one after another; invalid values cannot be planned."""
    plan = plan_apply(
        [
            (review(2, {F.BAUD_RATE: 19200}, device(2)), device(2)),
            (review(3, {F.VOLTAGE: 1}, device(3)), device(3)),
        ]
    )
    assert plan.ports == (2, 3)
    assert "Port 3: set output voltage 12 V" in [s.description for s in plan.steps]
    bad = review(1, {F.DELIMITERS_HEX: "0G"}, device())
    with pytest.raises(ValueError, match="invalid"):
        plan_port(bad, device())


def test_fifteen_volts_asks_naming_port_and_voltage() -> None:
    """Choosing 15 V needs a confirmation that names the port and 15 V."""
    state = device(2, volts=PortVoltage.V12)
    asks = confirmations(review(2, {F.VOLTAGE: 2}, state), state)
    assert len(asks) == 1
    assert "port 2" in asks[0].text and "15 V" in asks[0].text
    assert "port 2" in asks[0].title.lower()


def test_voltage_change_with_connection_enabled_asks() -> None:
    """A voltage change while the connection is (or will be) on asks, naming port and voltage."""
    live = device(1, connection=True, volts=PortVoltage.OFF)
    asks = confirmations(review(1, {F.VOLTAGE: 1}, live), live)
    assert [a.voltage for a in asks] == [PortVoltage.V12]
    assert "port 1" in asks[0].text and "12 V" in asks[0].text and "is enabled" in asks[0].text
    idle = device(1, volts=PortVoltage.OFF)
    assert confirmations(review(1, {F.VOLTAGE: 1}, idle), idle) == []
    both = confirmations(review(1, {F.VOLTAGE: 1, F.DEVICE_CONNECTION: True}, idle), idle)
    assert "will be enabled" in both[0].text
    none = confirmations(review(1, {F.BAUD_RATE: 19200}, live), live)
    assert none == []
