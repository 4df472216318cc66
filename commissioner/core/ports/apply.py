"""Run an apply plan against a THREAD, stop at the first failure, then verify every field.

Verification reads back what can be read: properties and the device connection; the voltage is
checked against the measured port voltage after a short settle; a serial mode through the
``COMM_TYPE`` it sets; other modes are "accepted, not readable", because the Edge API has no
read for them. Each staged field ends with a verdict and the sentence behind it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.errors import (
    EdgeError,
    EdgeMalformedResponse,
    EdgeRejected,
    EdgeUnreachable,
)
from commissioner.core.edge.rules import PortMode, PortVoltage
from commissioner.core.ports.device_state import (
    VOLTAGE_TOLERANCE_V,
    AppliedMemory,
    PortDeviceState,
    read_port,
)
from commissioner.core.ports.fields import REMOVE, SERIAL_MODES, PortField, format_value
from commissioner.core.ports.plan import ApplyPlan, Step, StepKind
from commissioner.core.ports.staging import FieldChange, PortReview


class Verdict(StrEnum):
    VERIFIED = "verified"
    ACCEPTED = "accepted, not readable"
    FAILED = "failed"
    UNVERIFIED = "sent, not verified"
    NOT_SENT = "not sent"


@dataclass(frozen=True)
class FieldVerdict:
    """A field's outcome; ``message`` fits next to the field, ``detail`` is the full story."""

    field: PortField
    verdict: Verdict
    message: str
    detail: str = ""


class StepStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class StepEvent:
    """Progress of one step; ``index`` counts from 0."""

    index: int
    total: int
    step: Step
    status: StepStatus
    error: str = ""


ProgressListener = Callable[[StepEvent], None]


def short_error(error: BaseException) -> str:
    """The gist of an Edge error, short enough to sit next to a field."""
    if isinstance(error, EdgeUnreachable):
        return f"THREAD unreachable ({error.reason})"
    if isinstance(error, EdgeRejected):
        return f"THREAD refused it: HTTP {error.status}" + (
            f": {error.detail}" if error.detail else ""
        )
    if isinstance(error, EdgeMalformedResponse):
        return f"THREAD sent an unexpected answer: {error.problem}"
    return str(error)


def advice(error: BaseException) -> str:
    """What to do next after ``error``, to follow its own sentence."""
    if isinstance(error, EdgeUnreachable):
        return "Your edits are kept: Apply again once the THREAD is back."
    if isinstance(error, EdgeRejected):
        return "Check the value, then Apply again; your edits are kept."
    if isinstance(error, EdgeMalformedResponse):
        return "Read from THREAD to see what it now holds, then Apply again."
    return "Your edits are kept; try again."


@dataclass
class ApplyReport:
    """What ran, what failed (with the THREAD's answer) and each field's verdict, per port."""

    plan: ApplyPlan
    statuses: list[StepStatus]
    failure: EdgeError | None = None
    failed_step: Step | None = None
    verdicts: dict[int, dict[PortField, FieldVerdict]] = field(default_factory=dict)
    devices: dict[int, PortDeviceState] = field(default_factory=dict)
    read_error: EdgeError | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None and all(
            v.verdict in (Verdict.VERIFIED, Verdict.ACCEPTED)
            for port in self.verdicts.values()
            for v in port.values()
        )

    @property
    def steps_run(self) -> list[Step]:
        return [
            s for s, st in zip(self.plan.steps, self.statuses, strict=True) if st is StepStatus.DONE
        ]

    def count(self, verdict: Verdict) -> int:
        return sum(1 for p in self.verdicts.values() for v in p.values() if v.verdict is verdict)

    def summary(self) -> str:
        done = len(self.steps_run)
        parts = [f"{done} of {len(self.plan)} steps ran"]
        for verdict in Verdict:
            n = self.count(verdict)
            if n:
                parts.append(f"{n} {verdict.value}")
        text = "; ".join(parts) + "."
        if self.failed_step is not None and self.failure is not None:
            text += (
                f" Stopped at “{self.failed_step.description}”: {self.failure} "
                f"{advice(self.failure)}"
            )
        elif self.read_error is not None:
            text += f" Could not read back: {self.read_error}"
        return text


class PortApplier:
    """Runs one plan; progress is reported per step so a page can show it and tests can act."""

    def __init__(
        self,
        client: EdgeClient,
        *,
        memory: AppliedMemory,
        serial: str | None,
        settle_s: float = 0.3,
        tolerance_v: float = VOLTAGE_TOLERANCE_V,
        on_progress: ProgressListener | None = None,
    ) -> None:
        self.client = client
        self.memory = memory
        self.serial = serial
        self.settle_s = settle_s
        self.tolerance_v = tolerance_v
        self.on_progress = on_progress
        self.statuses: list[StepStatus] = []

    def _report(self, index: int, step: Step, status: StepStatus, error: str = "") -> None:
        self.statuses[index] = status
        if self.on_progress is not None:
            self.on_progress(StepEvent(index, len(self.statuses), step, status, error))

    async def apply(self, plan: ApplyPlan, reviews: Mapping[int, PortReview]) -> ApplyReport:
        """Run ``plan``; on cancellation ``statuses`` still says which steps ran."""
        self.statuses = [StepStatus.PENDING] * len(plan.steps)
        report = ApplyReport(plan, self.statuses)
        for index, step in enumerate(plan.steps):
            self._report(index, step, StepStatus.RUNNING)
            try:
                await self._run(step)
            except EdgeError as exc:
                self._report(index, step, StepStatus.FAILED, short_error(exc))
                report.failure, report.failed_step = exc, step
                break
            self._report(index, step, StepStatus.DONE)
        if not isinstance(report.failure, EdgeUnreachable):
            await self._read_back(plan, report)
        for port in plan.ports:
            report.verdicts[port] = self._verdicts(port, reviews[port], report)
        return report

    async def _run(self, step: Step) -> None:
        client, port = self.client, step.port
        if step.kind in (StepKind.CONNECTION_OFF, StepKind.SET_CONNECTION):
            await client.set_device_connection(port, bool(step.value))
        elif step.kind is StepKind.DELETE_PROPERTIES:
            await client.delete_port_properties(port, list(step.value))
        elif step.kind is StepKind.PUT_PROPERTIES:
            await client.set_port_properties(port, dict(step.value))
        elif step.kind is StepKind.SET_MODE:
            mode = await client.set_port_mode(port, step.value)
            if self.serial:
                self.memory.record_mode(self.serial, port, mode)
        elif step.kind is StepKind.SET_VOLTAGE:
            voltage = await client.set_port_voltage(port, step.value)
            if self.serial:
                self.memory.record_voltage(self.serial, port, voltage)

    async def _read_back(self, plan: ApplyPlan, report: ApplyReport) -> None:
        ran_voltage = any(s.kind is StepKind.SET_VOLTAGE for s in report.steps_run)
        if ran_voltage and self.settle_s > 0:
            await asyncio.sleep(self.settle_s)
        try:
            states = await asyncio.gather(
                *(
                    read_port(
                        self.client,
                        port,
                        remembered_mode=self.memory.mode(self.serial, port),
                        remembered_voltage=self.memory.voltage(self.serial, port),
                    )
                    for port in plan.ports
                )
            )
        except EdgeError as exc:
            report.read_error = exc
            return
        report.devices = {state.port: state for state in states}

    def _verdicts(
        self, port: int, port_review: PortReview, report: ApplyReport
    ) -> dict[PortField, FieldVerdict]:
        steps = report.plan.steps
        status_of: dict[PortField, tuple[Step, StepStatus]] = {}
        for step, status in zip(steps, report.statuses, strict=True):
            for delivered in step.fields:
                if step.port == port:
                    status_of[delivered] = (step, status)
        out: dict[PortField, FieldVerdict] = {}
        device = report.devices.get(port)
        for which, change in port_review.changes.items():
            step_status = status_of.get(which)
            if step_status is None:
                continue
            step, status = step_status
            if status is StepStatus.FAILED and report.failure is not None:
                failure = report.failure
                message = f"{short_error(failure)}. {advice(failure)}"
                out[which] = FieldVerdict(which, Verdict.FAILED, message, str(failure))
            elif status is not StepStatus.DONE:
                out[which] = FieldVerdict(
                    which, Verdict.NOT_SENT, "an earlier step failed; the next Apply sends it"
                )
            elif device is None:
                error = report.read_error or report.failure
                reason = short_error(error) if error is not None else "no answer"
                out[which] = FieldVerdict(
                    which,
                    Verdict.UNVERIFIED,
                    f"could not read back: {reason}. Read from THREAD once it answers.",
                    str(error or ""),
                )
            else:
                out[which] = self._check(change, device)
        return out

    def _check(self, change: FieldChange, device: PortDeviceState) -> FieldVerdict:
        which, target = change.field, change.target
        if which is PortField.VOLTAGE:
            return self._check_voltage(PortVoltage(target), device)
        if which is PortField.MODE:
            mode = PortMode(target)
            if mode not in SERIAL_MODES:
                return FieldVerdict(
                    which,
                    Verdict.ACCEPTED,
                    f"the THREAD accepted {mode.value}; the Edge API cannot read the mode back",
                )
            comm = device.properties.get("COMM_TYPE")
            if comm == mode.value:
                return FieldVerdict(which, Verdict.VERIFIED, f"COMM_TYPE reads {comm}")
            return FieldVerdict(
                which,
                Verdict.FAILED,
                f"COMM_TYPE reads {comm or 'nothing'}, not {mode.value}: the port will pass "
                "no data. Apply again, or Read from THREAD to check.",
            )
        actual = device.value(which)
        expected: Any = None if target is REMOVE else target
        if actual == expected:
            said = "is gone" if target is REMOVE else f"reads {format_value(which, actual)}"
            return FieldVerdict(which, Verdict.VERIFIED, f"THREAD {said}")
        return FieldVerdict(
            which,
            Verdict.FAILED,
            f"THREAD reads {format_value(which, actual)}, expected "
            f"{format_value(which, target)}. Apply again, or Read from THREAD to check.",
        )

    def _check_voltage(self, target: PortVoltage, device: PortDeviceState) -> FieldVerdict:
        which = PortField.VOLTAGE
        if device.measurement is None:
            return FieldVerdict(
                which, Verdict.UNVERIFIED, "sent; the port voltage was not measured"
            )
        measured = device.measurement.voltage.value
        if abs(measured - target.volts) <= self.tolerance_v:
            return FieldVerdict(which, Verdict.VERIFIED, f"measured {measured:.2f} V")
        return FieldVerdict(
            which,
            Verdict.FAILED,
            f"measured {measured:.2f} V, expected {target.volts:g} V ± {self.tolerance_v:g} V. "
            "Check for a short or an overloaded port, then measure again.",
        )
