"""The three ports of one THREAD as a workspace: device state, staged edits, verdicts, memory.

The Ports page (and a script) drive this object; it owns no client. Staged edits are never
touched by a read, a lost THREAD or a reconnect; an apply drops only the edits that landed, and
when a failure left a device connection off that was on, it stages turning it back on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.rules import PORTS
from commissioner.core.ports.apply import (
    ApplyReport,
    FieldVerdict,
    PortApplier,
    ProgressListener,
    StepStatus,
)
from commissioner.core.ports.device_state import (
    AppliedMemory,
    PortDeviceState,
    read_port,
    with_measurement,
)
from commissioner.core.ports.fields import PortField
from commissioner.core.ports.plan import (
    ApplyPlan,
    Confirmation,
    StepKind,
    confirmations,
    plan_apply,
)
from commissioner.core.ports.staging import PortReview, PortStaging, review


class PortsWorkspace:
    def __init__(self, memory: AppliedMemory | None = None) -> None:
        self.memory = memory if memory is not None else AppliedMemory()
        self.serial: str | None = None
        self.stagings = {port: PortStaging(port) for port in PORTS}
        self.devices: dict[int, PortDeviceState | None] = dict.fromkeys(PORTS)
        self.verdicts: dict[int, dict[PortField, FieldVerdict]] = {port: {} for port in PORTS}

    # -- identity -------------------------------------------------------------------------------

    def set_serial(self, serial: str | None) -> bool:
        """Switch to another THREAD's memory; its device state is unknown until read. True if new."""
        if serial == self.serial:
            return False
        if serial is not None and self.serial is not None:
            self.devices = dict.fromkeys(PORTS)
            self.verdicts = {port: {} for port in PORTS}
        self.serial = serial
        return True

    # -- staging --------------------------------------------------------------------------------

    def stage(self, port: int, which: PortField, value: Any) -> None:
        self.stagings[port].stage(which, value)
        self.verdicts[port].pop(which, None)

    def remove(self, port: int, which: PortField) -> None:
        self.stagings[port].remove(which)
        self.verdicts[port].pop(which, None)

    def unstage(self, port: int, which: PortField) -> None:
        self.stagings[port].unstage(which)
        self.verdicts[port].pop(which, None)

    def revert(self) -> None:
        for staging in self.stagings.values():
            staging.revert()

    def review(self, port: int) -> PortReview:
        return review(port, self.stagings[port].edits, self.devices[port])

    def reviews(self) -> dict[int, PortReview]:
        return {port: self.review(port) for port in PORTS}

    @property
    def has_edits(self) -> bool:
        return any(s.edits for s in self.stagings.values())

    def blocked_reason(self, usable: bool) -> str | None:
        """Why Apply cannot run now, in words; None when it can."""
        reviews = self.reviews()
        errors = [(p, f, m) for p, r in reviews.items() for f, m in r.errors.items()]
        if errors:
            port, which, message = errors[0]
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            return f"Fix port {port} {which.label}: {message}{more}"
        changed = [p for p, r in reviews.items() if r.has_changes]
        if not changed:
            return "Nothing to apply: no staged value differs from the THREAD."
        if not usable:
            return "No THREAD to apply to now: your edits are kept for when it is connected."
        unread = [p for p in changed if self.devices[p] is None]
        if unread:
            return f"Read from THREAD first: port {unread[0]} has not been read yet."
        return None

    def confirmations(self) -> list[Confirmation]:
        out: list[Confirmation] = []
        for port, port_review in self.reviews().items():
            out.extend(confirmations(port_review, self.devices[port]))
        return out

    def plan(self) -> ApplyPlan:
        items: list[tuple[PortReview, PortDeviceState]] = []
        for port, port_review in self.reviews().items():
            device = self.devices[port]
            if port_review.has_changes and device is not None:
                items.append((port_review, device))
        return plan_apply(items)

    # -- talking to the THREAD ------------------------------------------------------------------

    async def refresh(self, client: EdgeClient, ports: Iterable[int] = PORTS) -> None:
        """Re-read ports; staged edits stay, and are compared again with what was read."""
        chosen = list(ports)
        states = await asyncio.gather(
            *(
                read_port(
                    client,
                    port,
                    remembered_mode=self.memory.mode(self.serial, port),
                    remembered_voltage=self.memory.voltage(self.serial, port),
                )
                for port in chosen
            )
        )
        for state in states:
            self.devices[state.port] = state

    async def measure(self, client: EdgeClient, port: int) -> None:
        measurement = await client.port_measurement(port)
        state = self.devices[port]
        if state is not None:
            remembered = self.memory.voltage(self.serial, port)
            self.devices[port] = with_measurement(state, measurement, remembered)

    async def read_loop_current(self, client: EdgeClient, port: int) -> None:
        current = await client.loop_current_420(port)
        state = self.devices[port]
        if state is not None:
            self.devices[port] = replace(state, loop_current=current)

    async def apply(
        self, client: EdgeClient, *, settle_s: float = 0.3, on_progress: ProgressListener | None
    ) -> ApplyReport:
        """Send what changed, verify it, keep the edits that did not land."""
        reviews = self.reviews()
        plan = self.plan()
        applier = PortApplier(
            client,
            memory=self.memory,
            serial=self.serial,
            settle_s=settle_s,
            on_progress=on_progress,
        )
        try:
            report = await applier.apply(plan, reviews)
        except asyncio.CancelledError:
            self._restore_connections(plan, applier.statuses)
            raise
        for port, state in report.devices.items():
            self.devices[port] = state
        for port, verdicts in report.verdicts.items():
            self.verdicts[port] = dict(verdicts)
        after = self.reviews()
        for port in plan.ports:
            self.stagings[port].keep_only(after[port].changes)
        self._restore_connections(plan, report.statuses)
        return report

    def _restore_connections(self, plan: ApplyPlan, statuses: list[StepStatus]) -> None:
        """A connection turned off for the change, and not turned on again: stage it back on."""
        off: set[int] = set()
        for step, status in zip(plan.steps, statuses, strict=True):
            if (
                step.kind is StepKind.CONNECTION_OFF
                and status is StepStatus.DONE
                and not step.fields
            ):
                off.add(step.port)
            if step.kind is StepKind.SET_CONNECTION and status is StepStatus.DONE:
                off.discard(step.port)
        for port in off:
            self.stagings[port].stage(PortField.DEVICE_CONNECTION, True)
