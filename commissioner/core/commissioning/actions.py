"""From a THREAD's current state to a target, as a list of single Edge writes in a safe order.

The same planner serves the install (target: the profile) and the rollback (target: the
snapshot), so undo is exactly as careful as do. Per port it reuses the Ports page's planner
(:func:`commissioner.core.ports.plan.plan_port`): device connection off before reconfiguring,
properties, then the interface mode before the voltage, connection last. Gateway-wide settings
come after the ports, the cloud connection last, so the THREAD's own link changes only once
everything under it is set. Re-planning against a fresh read of the THREAD skips what is already
done, which is how a resumed run carries on without repeating itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from commissioner.core.commissioning.profile_model import CommissioningProfile
from commissioner.core.commissioning.run_model import PortSnapshot, SettingChange, ThreadSnapshot
from commissioner.core.commissioning.snapshot import plain
from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.rules import NetworkInterface, PortMode, PortVoltage
from commissioner.core.ports.device_state import Known, PortDeviceState, Source
from commissioner.core.ports.fields import REMOVE, SERIAL_MODES, PortField, format_value
from commissioner.core.ports.plan import Step, StepKind, plan_port
from commissioner.core.ports.staging import PortReview, review


class ActionKind(StrEnum):
    CONNECTION_OFF = "connection off"
    DELETE_PROPERTIES = "delete properties"
    PUT_PROPERTIES = "put properties"
    SET_MODE = "set mode"
    SET_VOLTAGE = "set voltage"
    SET_CONNECTION = "set connection"
    CLOUD_CONNECTION = "cloud connection"
    INTERFACE_PRIORITY = "interface priority"
    BATTERY_SAVER = "battery saver"


_STEP_KINDS = {
    StepKind.CONNECTION_OFF: ActionKind.CONNECTION_OFF,
    StepKind.DELETE_PROPERTIES: ActionKind.DELETE_PROPERTIES,
    StepKind.PUT_PROPERTIES: ActionKind.PUT_PROPERTIES,
    StepKind.SET_MODE: ActionKind.SET_MODE,
    StepKind.SET_VOLTAGE: ActionKind.SET_VOLTAGE,
    StepKind.SET_CONNECTION: ActionKind.SET_CONNECTION,
}


@dataclass(frozen=True)
class Action:
    """One write. ``key`` names what it changes (``port1.mode``; the journal remembers the mode
    and voltage by it); ``value``/``before`` are JSON-able."""

    key: str
    kind: ActionKind
    port: int | None
    value: Any
    before: Any
    description: str


@dataclass(frozen=True)
class PortTarget:
    """What a port should be; None leaves a setting alone. ``remove`` lists properties to delete."""

    port: int
    mode: PortMode | None = None
    voltage: PortVoltage | None = None
    device_connection: bool | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    remove: tuple[str, ...] = ()

    def edits(self) -> dict[PortField, Any]:
        out: dict[PortField, Any] = {}
        if self.mode is not None:
            out[PortField.MODE] = self.mode
        if self.voltage is not None:
            out[PortField.VOLTAGE] = self.voltage
        if self.device_connection is not None:
            out[PortField.DEVICE_CONNECTION] = self.device_connection
        for key, value in self.properties.items():
            out[PortField(key)] = value
        for key in self.remove:
            out[PortField(key)] = REMOVE
        return out


@dataclass(frozen=True)
class ThreadTarget:
    cloud_connection: bool | None = None
    interface_priority: NetworkInterface | None = None
    battery_saver: dict[str, Any] | None = None  # {"enabled", "low", "high"}
    ports: tuple[PortTarget, ...] = ()

    def port(self, number: int) -> PortTarget | None:
        return next((p for p in self.ports if p.port == number), None)


def target_from_profile(
    profile: CommissioningProfile, overrides: Mapping[int, Mapping[str, Any]] | None = None
) -> ThreadTarget:
    """The profile's desired state; ``overrides`` replace port properties (an accepted scan)."""
    overrides = overrides or {}
    ports = []
    for p in profile.ports:
        props = p.serial.properties() if p.serial is not None else {}
        props.pop("COMM_TYPE", None)  # follows the serial mode (see ports.staging.review)
        props.update(overrides.get(p.number, {}))
        ports.append(PortTarget(p.number, p.mode, p.voltage, p.device_connection, props))
    saver = profile.thread.battery_saver
    return ThreadTarget(
        cloud_connection=profile.thread.cloud_connection,
        interface_priority=profile.thread.interface_priority,
        battery_saver=(
            None
            if saver is None
            else {"enabled": saver.enabled, "low": saver.low, "high": saver.high}
        ),
        ports=tuple(ports),
    )


def target_from_snapshot(snapshot: ThreadSnapshot, current: ThreadSnapshot) -> ThreadTarget:
    """The rollback target: the snapshot, with properties added since then removed.

    A mode or voltage the snapshot could not know stays as it is now (see :mod:`snapshot`).
    """
    ports = []
    for before in snapshot.ports:
        now = current.port(before.port)
        added = tuple(k for k in (now.properties if now else {}) if k not in before.properties)
        ports.append(
            PortTarget(
                before.port,
                mode=PortMode(before.mode) if before.mode else None,
                voltage=PortVoltage(before.voltage) if before.voltage is not None else None,
                device_connection=before.device_connection,
                properties={k: v for k, v in before.properties.items() if k != "COMM_TYPE"}
                | ({} if _serial(before.mode) else _comm(before)),
                remove=added,
            )
        )
    return ThreadTarget(
        cloud_connection=snapshot.cloud_connection,
        interface_priority=NetworkInterface(snapshot.interface_priority),
        battery_saver=dict(snapshot.battery_saver),
        ports=tuple(ports),
    )


def _serial(mode: str | None) -> bool:
    return mode is not None and PortMode(mode) in SERIAL_MODES


def _comm(port: PortSnapshot) -> dict[str, Any]:
    comm = port.properties.get("COMM_TYPE")
    return {} if comm is None else {"COMM_TYPE": comm}


def device_state(port: PortSnapshot) -> PortDeviceState:
    """A snapshot port as the Ports planner's device state (unknown stays unknown)."""
    mode = PortMode(port.mode) if port.mode else None
    voltage = PortVoltage(port.voltage) if port.voltage is not None else None
    return PortDeviceState(
        port=port.port,
        mode=Known(mode, Source.READ if mode else Source.UNKNOWN, port.mode_source),
        voltage=Known(voltage, Source.READ if voltage is not None else Source.UNKNOWN),
        properties=dict(port.properties),
        device_connection=port.device_connection,
    )


def plan_actions(current: ThreadSnapshot, target: ThreadTarget) -> list[Action]:
    """The writes from ``current`` to ``target``; ValueError when a target value is invalid."""
    actions: list[Action] = []
    for _, state, port_review in _port_reviews(current, target):
        actions.extend(_from_step(step, state) for step in plan_port(port_review, state))
    if target.interface_priority is not None and (
        target.interface_priority.value != current.interface_priority
    ):
        actions.append(
            Action(
                "thread.interface_priority",
                ActionKind.INTERFACE_PRIORITY,
                None,
                target.interface_priority.value,
                current.interface_priority,
                f"Prefer the {target.interface_priority.value} interface",
            )
        )
    if target.battery_saver is not None and target.battery_saver != current.battery_saver:
        saver = target.battery_saver
        state_text = "on" if saver["enabled"] else "off"
        actions.append(
            Action(
                "thread.battery_saver",
                ActionKind.BATTERY_SAVER,
                None,
                dict(saver),
                dict(current.battery_saver),
                f"Battery saver {state_text} ({saver['low']} % / {saver['high']} %)",
            )
        )
    if target.cloud_connection is not None and target.cloud_connection != current.cloud_connection:
        actions.append(
            Action(
                "thread.cloud_connection",
                ActionKind.CLOUD_CONNECTION,
                None,
                target.cloud_connection,
                current.cloud_connection,
                f"Turn the cloud connection {'on' if target.cloud_connection else 'off'}",
            )
        )
    return actions


def _port_reviews(
    current: ThreadSnapshot, target: ThreadTarget
) -> Iterator[tuple[PortSnapshot, PortDeviceState, PortReview]]:
    """Each targeted port as read, as the Ports planner's state, and reviewed against the target."""
    for port_target in target.ports:
        now = current.port(port_target.port)
        if now is None:
            continue
        state = device_state(now)
        yield now, state, review(port_target.port, port_target.edits(), state)


def _from_step(step: Step, state: PortDeviceState) -> Action:
    n = step.port
    kind = _STEP_KINDS[step.kind]
    if step.kind is StepKind.SET_MODE:
        return Action(
            f"port{n}.mode", kind, n, plain(step.value), plain(state.mode.value), step.description
        )
    if step.kind is StepKind.SET_VOLTAGE:
        before = None if state.voltage.value is None else int(state.voltage.value)
        return Action(f"port{n}.voltage", kind, n, int(step.value), before, step.description)
    if step.kind in (StepKind.CONNECTION_OFF, StepKind.SET_CONNECTION):
        return Action(
            f"port{n}.device_connection",
            kind,
            n,
            bool(step.value),
            state.device_connection,
            step.description,
        )
    if step.kind is StepKind.DELETE_PROPERTIES:
        names = list(step.value)
        removed = {k: state.properties.get(k) for k in names}
        return Action(f"port{n}.properties", kind, n, names, removed, step.description)
    body = {k: plain(v) for k, v in dict(step.value).items()}
    previous = {k: state.properties.get(k) for k in body}
    return Action(f"port{n}.properties", kind, n, body, previous, step.description)


async def run_action(client: EdgeClient, action: Action) -> Any:
    """Send one write; returns what the THREAD says it now holds (JSON-able)."""
    port, value = action.port, action.value
    if action.kind in (ActionKind.CONNECTION_OFF, ActionKind.SET_CONNECTION):
        assert port is not None
        return await client.set_device_connection(port, bool(value))
    if action.kind is ActionKind.DELETE_PROPERTIES:
        assert port is not None
        props = await client.delete_port_properties(port, list(value))
        return {k: plain(v) for k, v in props.to_payload().items()}
    if action.kind is ActionKind.PUT_PROPERTIES:
        assert port is not None
        props = await client.set_port_properties(port, dict(value))
        return {k: plain(v) for k, v in props.to_payload().items()}
    if action.kind is ActionKind.SET_MODE:
        assert port is not None
        return (await client.set_port_mode(port, value)).value
    if action.kind is ActionKind.SET_VOLTAGE:
        assert port is not None
        return int(await client.set_port_voltage(port, int(value)))
    if action.kind is ActionKind.INTERFACE_PRIORITY:
        return (await client.prioritise_interface(value)).value
    if action.kind is ActionKind.BATTERY_SAVER:
        saver = await client.set_battery_saver(
            bool(value["enabled"]), int(value["low"]), int(value["high"])
        )
        return {"enabled": saver.enabled, "low": saver.low, "high": saver.high}
    return await client.set_cloud_connection(bool(value))


def diff(current: ThreadSnapshot, target: ThreadTarget) -> list[SettingChange]:
    """Every setting the target names, with the THREAD's value and whether it changes."""
    rows: list[SettingChange] = []
    for now, state, port_review in _port_reviews(current, target):
        for which, wanted in port_review.targets.items():
            known = state.is_known(which)
            before = format_value(which, state.value(which)) if known else "unknown"
            if which is PortField.VOLTAGE and now.measured_v is not None and known:
                before += f" ({now.measured_v:.2f} V measured)"
            rows.append(
                SettingChange(
                    key=f"port{now.port}.{which.value}",
                    label=port_field_label(now.port, which),
                    before=before,
                    after=format_value(which, wanted),
                    changes=which in port_review.changes,
                    port=now.port,
                )
            )
    gateway: list[tuple[str, str, Any, Any]] = [
        (
            "thread.interface_priority",
            "Interface priority",
            current.interface_priority,
            None if target.interface_priority is None else target.interface_priority.value,
        ),
        ("thread.battery_saver", "Battery saver", current.battery_saver, target.battery_saver),
        (
            "thread.cloud_connection",
            "Cloud connection",
            current.cloud_connection,
            target.cloud_connection,
        ),
    ]
    for key, label, before_value, wanted_value in gateway:
        if wanted_value is None:
            continue
        rows.append(
            SettingChange(
                key,
                label,
                setting_text(before_value),
                setting_text(wanted_value),
                before_value != wanted_value,
            )
        )
    return rows


def port_field_label(port: int, which: PortField) -> str:
    """ "Port 1 baud rate", "Port 2 COMM_TYPE": the field's label in a sentence."""
    label = which.label
    if not label[:2].isupper():
        label = label[0].lower() + label[1:]
    return f"Port {port} {label}"


def setting_text(value: Any) -> str:
    """A gateway setting as a person reads it (on/off, battery saver thresholds)."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, dict) and {"enabled", "low", "high"} <= value.keys():
        state = "on" if value["enabled"] else "off"
        return f"{state} ({value['low']} % / {value['high']} %)"
    return str(value)
