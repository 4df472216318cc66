"""The calls that take ports from what the THREAD holds to what the user staged, in a safe order.

Per port, only what changed, in this order:

1. device connection off, if it is on and the mode, voltage or properties change (nothing talks
   to a device while its port is being reconfigured);
2. ``DELETE configure`` for removed properties;
3. ``PUT configure`` for changed properties, in one call (``COMM_TYPE`` follows a serial mode);
4. ``deviceRsSel`` (the interface is chosen before the device is powered);
5. ``deviceVoltage``;
6. device connection to its target, if that differs from where step 1 left it.

:func:`confirmations` lists what must be confirmed first: a voltage change while the device
connection is enabled, and any choice of 15 V; each text names the port and the voltage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from commissioner.core.edge.rules import PortVoltage
from commissioner.core.ports.device_state import PortDeviceState
from commissioner.core.ports.fields import PROPERTY_FIELDS, PortField, format_value
from commissioner.core.ports.staging import PortReview


class StepKind(StrEnum):
    CONNECTION_OFF = "connection off"
    DELETE_PROPERTIES = "delete properties"
    PUT_PROPERTIES = "put properties"
    SET_MODE = "set mode"
    SET_VOLTAGE = "set voltage"
    SET_CONNECTION = "set connection"


@dataclass(frozen=True)
class Step:
    """One Edge call. ``fields`` are the staged fields it delivers (empty for a safety step)."""

    port: int
    kind: StepKind
    value: Any
    fields: tuple[PortField, ...]

    @property
    def description(self) -> str:
        p = f"Port {self.port}"
        if self.kind is StepKind.CONNECTION_OFF:
            why = "" if self.fields else " for the change"
            return f"{p}: turn the device connection off{why}"
        if self.kind is StepKind.DELETE_PROPERTIES:
            return f"{p}: remove {', '.join(self.value)}"
        if self.kind is StepKind.PUT_PROPERTIES:
            items = ", ".join(
                f"{k} {format_value(PortField(k), v)}" for k, v in dict(self.value).items()
            )
            return f"{p}: set {items}"
        if self.kind is StepKind.SET_MODE:
            return f"{p}: set interface mode {format_value(PortField.MODE, self.value)}"
        if self.kind is StepKind.SET_VOLTAGE:
            return f"{p}: set output voltage {format_value(PortField.VOLTAGE, self.value)}"
        return f"{p}: turn the device connection {'on' if self.value else 'off'}"


@dataclass(frozen=True)
class ApplyPlan:
    steps: tuple[Step, ...]

    @property
    def ports(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(s.port for s in self.steps))

    def __len__(self) -> int:
        return len(self.steps)


@dataclass(frozen=True)
class Confirmation:
    port: int
    voltage: PortVoltage
    title: str
    text: str


def plan_port(review: PortReview, device: PortDeviceState) -> list[Step]:
    """The steps for one port; empty when nothing changed. Invalid edits must be fixed first."""
    if not review.ok:
        raise ValueError(f"port {review.port} has invalid values: {', '.join(review.errors)}")
    port, changes = review.port, review.changes
    connection_now = device.device_connection
    connection_change = changes.get(PortField.DEVICE_CONNECTION)
    connection_target = bool(connection_change.target) if connection_change else connection_now
    reconfigures = any(f is not PortField.DEVICE_CONNECTION for f in changes)
    steps: list[Step] = []
    if reconfigures and connection_now:
        delivers = (PortField.DEVICE_CONNECTION,) if not connection_target else ()
        steps.append(Step(port, StepKind.CONNECTION_OFF, False, delivers))
        connection_now = False
    removals = [f for f in PROPERTY_FIELDS if f in changes and changes[f].is_removal]
    if removals:
        names = tuple(f.value for f in removals)
        steps.append(Step(port, StepKind.DELETE_PROPERTIES, names, tuple(removals)))
    puts = [f for f in PROPERTY_FIELDS if f in changes and not changes[f].is_removal]
    if puts:
        body = {f.value: changes[f].target for f in puts}
        steps.append(Step(port, StepKind.PUT_PROPERTIES, body, tuple(puts)))
    if PortField.MODE in changes:
        mode = changes[PortField.MODE].target
        steps.append(Step(port, StepKind.SET_MODE, mode, (PortField.MODE,)))
    if PortField.VOLTAGE in changes:
        voltage = changes[PortField.VOLTAGE].target
        steps.append(Step(port, StepKind.SET_VOLTAGE, voltage, (PortField.VOLTAGE,)))
    if connection_target != connection_now:
        delivers = (PortField.DEVICE_CONNECTION,) if connection_change else ()
        steps.append(Step(port, StepKind.SET_CONNECTION, connection_target, delivers))
    return steps


def plan_apply(items: Sequence[tuple[PortReview, PortDeviceState]]) -> ApplyPlan:
    """Every port's steps, port by port in the order given."""
    steps: list[Step] = []
    for port_review, device in items:
        steps.extend(plan_port(port_review, device))
    return ApplyPlan(tuple(steps))


def confirmations(review: PortReview, device: PortDeviceState | None) -> list[Confirmation]:
    """What the user must confirm before the port's voltage changes."""
    change = review.changes.get(PortField.VOLTAGE)
    if change is None:
        return []
    port, target = review.port, PortVoltage(change.target)
    current = format_value(PortField.VOLTAGE, change.device) if change.device_known else "unknown"
    connection_on = device.device_connection if device is not None else False
    connection_change = review.changes.get(PortField.DEVICE_CONNECTION)
    connection_after = bool(connection_change.target) if connection_change else connection_on
    out: list[Confirmation] = []
    if connection_on or connection_after:
        state = "is enabled" if connection_on else "will be enabled"
        if connection_on:
            after = "on again" if connection_after else "off"
            sequence = f"The connection is turned off during the change and left {after}."
        else:
            sequence = "The connection is turned on after the voltage is set."
        out.append(
            Confirmation(
                port,
                target,
                f"Change port {port} voltage to {target.label}?",
                f"The device connection of port {port} {state}. Changing port {port}'s output "
                f"voltage from {current} to {target.label} changes the supply of the device "
                f"plugged into port {port}. {sequence}\n\n"
                f"Set port {port} to {target.label}?",
            )
        )
    if target is PortVoltage.V15:
        out.append(
            Confirmation(
                port,
                target,
                f"Supply 15 V on port {port}?",
                f"Port {port} will supply 15 V. Only choose 15 V if the device on port {port} "
                "is rated for it: a 12 V device can be damaged.\n\n"
                f"Set port {port} to 15 V?",
            )
        )
    return out
