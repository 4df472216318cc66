"""One guided commissioning run of one THREAD, stage by stage: the engine under the wizard and
the headless ``commissioner commission``.

States and transitions (``stage``; each method moves it on and journals what it did)::

    CONNECT --connect()--> SNAPSHOT --take_snapshot()--> PLAN --plan()--> APPLY
    APPLY --apply()/retry()/skip()--> VERIFY (or stays in APPLY with ``failed_action`` set)
    VERIFY --verify()/accept_scan()--> REGISTER --register()--> CONFIRM --confirm()--> REPORT
    REPORT --finish()--> DONE
    any stage after SNAPSHOT --rollback()--> DONE (status ROLLED_BACK)

Every write is journaled PENDING before it is sent and completed after, so a run stopped by a
crash, an unplugged cable or a closed laptop is resumed with :meth:`resume`: the journal gives
back the profile, the site, the snapshot and the stage, a fresh read of the THREAD gives what is
already done, and planning again from there sends only what is left.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from commissioner.core.commissioning.actions import (
    plan_actions,
    target_from_snapshot,
)
from commissioner.core.commissioning.cloud_step import confirm_run, register_run
from commissioner.core.commissioning.config_hash import config_hash
from commissioner.core.commissioning.journal import CommissioningJournal
from commissioner.core.commissioning.profile import profile_from_dict
from commissioner.core.commissioning.run_model import (
    CheckResult,
    CheckStatus,
    CloudRecord,
    EventKind,
    RunRecord,
    RunStatus,
    Stage,
)
from commissioner.core.commissioning.scan import ScanResult, scan_framing
from commissioner.core.commissioning.session_base import SessionBase
from commissioner.core.commissioning.session_types import (
    ApplyOutcome,
    RollbackOutcome,
    RunError,
    RunEvent,
    RunOptions,
)
from commissioner.core.commissioning.snapshot import read_snapshot
from commissioner.core.commissioning.verify_data import verify_port_data
from commissioner.core.commissioning.verify_settings import settings_checks
from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.rules import PortMode
from commissioner.core.ports.fields import SERIAL_MODES

__all__ = [
    "ApplyOutcome",
    "CommissioningSession",
    "RollbackOutcome",
    "RunError",
    "RunEvent",
    "RunOptions",
]


class CommissioningSession(SessionBase):
    """One run of one THREAD (see the module docstring for the stages)."""

    # -- 5. verify -------------------------------------------------------------------------------
    async def verify(self) -> list[CheckResult]:
        """Read back, measure, and listen to every sensor; scan silent serial ports if enabled."""
        run_id, _ = self._need_run()
        assert self.profile is not None
        if self.options.settle_s > 0:
            await asyncio.sleep(self.options.settle_s)
        self._event(Stage.VERIFY, "Reading the THREAD back")
        readback = await read_snapshot(self.client, self._remembered())
        self.as_left = readback
        checks = settings_checks(self._target(), readback, self.options.tolerance_v)
        self.checks = [c for c in self.checks if c.stage is not Stage.VERIFY]
        self.traces = []
        ports = [p for p in self.profile.ports if p.mode is not PortMode.OFF]
        self._event(Stage.VERIFY, "Listening to the sensors", 0, len(ports))
        started = time.monotonic()
        results = await asyncio.gather(
            *(
                verify_port_data(
                    self.client, p, poll=self._poll(p.sensor), options=self.options.data
                )
                for p in ports
            )
        )
        self.data_wait_s += time.monotonic() - started
        for result in results:
            checks.extend(result.checks)
            self.traces.extend(result.traces)
        for check in checks:
            self._journal_check(run_id, check)
        self.checks.extend(checks)
        if self.options.scan:
            for result in results:
                port = self.profile.port(result.port)
                if result.silent and port is not None and port.mode in SERIAL_MODES:
                    await self.scan(result.port)
        self._set_stage(Stage.REGISTER)
        self._save_progress()
        failed = sum(1 for c in checks if not c.passed)
        self._event(
            Stage.VERIFY,
            f"{len(checks) - failed} of {len(checks)} checks passed",
            result="ok" if not failed else "failed",
        )
        return checks

    async def scan(self, port_number: int) -> ScanResult:
        """Try baud rates and framings on a silent serial port; the result is an offer."""
        run_id, _ = self._need_run()
        assert self.profile is not None
        port = self.profile.port(port_number)
        if port is None:
            raise RunError(f"The profile does not set port {port_number}.")
        self._event(Stage.VERIFY, f"Port {port_number} is silent: scanning baud rates and framing")

        def on_attempt(attempt: Any) -> None:
            self.journal.record(
                run_id,
                Stage.VERIFY,
                EventKind.SCAN,
                f"port{port_number}.scan",
                f"Port {port_number}: tried {attempt.framing.label()}",
                after=attempt.framing.properties(),
                result="speaks" if attempt.speaks else "silent",
                detail=f"{attempt.lines} lines, {attempt.values} values",
            )
            self._event(
                Stage.VERIFY,
                f"Port {port_number}: {attempt.framing.label()}: {'speaks' if attempt.speaks else 'silent'}",
            )

        started = time.monotonic()
        result = await scan_framing(
            self.client,
            port,
            poll=self._poll(port.sensor),
            listen_s=self.options.scan_listen_s,
            on_attempt=on_attempt,
        )
        self.data_wait_s += time.monotonic() - started
        self.scans[port_number] = result
        self._journal(Stage.VERIFY, EventKind.NOTE, f"port{port_number}.scan", result.summary())
        return result

    async def accept_scan(self, port_number: int) -> list[CheckResult]:
        """Use the framing the scan found: write it, then verify the port again."""
        self._need_run()
        found = self.scans.get(port_number)
        if found is None or found.found is None:
            raise RunError(f"No scan of port {port_number} found a setting to apply.")
        self.overrides[port_number] = found.found.properties()
        current = await read_snapshot(self.client, self._remembered())
        self._replan(current)
        self._journal(
            Stage.VERIFY,
            EventKind.NOTE,
            f"port{port_number}.override",
            f"Port {port_number}: using {found.found.label()} found by the scan instead of the profile's",
            after=found.found.properties(),
        )
        outcome = await self.apply()
        if not outcome.ok:
            raise RunError(f"Could not write the framing found: {outcome.error}")
        self.checks = [
            c for c in self.checks if c.port != port_number or c.stage is not Stage.VERIFY
        ]
        self.traces = [t for t in self.traces if t.port != port_number]
        del self.scans[port_number]
        return await self._verify_port(port_number)

    async def _verify_port(self, port_number: int) -> list[CheckResult]:
        run_id, _ = self._need_run()
        assert self.profile is not None
        port = self.profile.port(port_number)
        assert port is not None
        readback = await read_snapshot(self.client, self._remembered())
        self.as_left = readback
        target = self._target()
        checks = [
            c
            for c in settings_checks(target, readback, self.options.tolerance_v)
            if c.port == port_number
        ]
        started = time.monotonic()
        result = await verify_port_data(
            self.client, port, poll=self._poll(port.sensor), options=self.options.data
        )
        self.data_wait_s += time.monotonic() - started
        checks.extend(result.checks)
        self.traces.extend(result.traces)
        for check in checks:
            self._journal_check(run_id, check)
        self.checks.extend(checks)
        self._set_stage(Stage.REGISTER)
        self._save_progress()
        return checks

    # -- 6. register, 7. confirm -----------------------------------------------------------------
    async def register(self, skip_reason: str = "") -> CloudRecord:
        """Register now (or queue); ``skip_reason`` skips it and says why on the report."""
        _, identity = self._need_run()
        assert self.profile is not None
        if skip_reason or self.cloud is None or self.profile.cloud is None:
            why = skip_reason or (
                "no cloud profile chosen" if self.cloud is None else "the profile has no [cloud]"
            )
            record = CloudRecord("skipped", reason=why)
        else:
            self._event(Stage.REGISTER, f"Registering THREAD {identity.serial}")
            record = await register_run(
                self.cloud,
                self.profile,
                identity.serial,
                self.site,
                queue_only=self.options.queue_only,
                queue_reason=self.options.queue_reason,
            )
        self.cloud_record = record
        self._journal(
            Stage.REGISTER,
            EventKind.CLOUD,
            "cloud.register",
            f"Registration {record.status}",
            after=record.to_json(),
            result=record.status,
            detail=record.reason,
        )
        if record.status == "failed":
            self.checks.append(
                CheckResult(
                    "cloud.register",
                    "Registered in the cloud",
                    CheckStatus.FAIL,
                    record.reason,
                    None,
                    Stage.REGISTER,
                )
            )
        self._set_stage(Stage.CONFIRM)
        self._save_progress()
        self._event(Stage.REGISTER, f"Registration {record.status}", result=record.status)
        return record

    async def confirm(self) -> list[CheckResult]:
        run_id, _ = self._need_run()
        assert self.profile is not None
        record = self.cloud_record or CloudRecord("skipped")
        if self.cloud is None:
            checks = [
                CheckResult(
                    "cloud.confirm",
                    "Cloud confirmation",
                    CheckStatus.SKIPPED,
                    record.reason or "no cloud profile",
                    None,
                    Stage.CONFIRM,
                )
            ]
        else:
            self._event(Stage.CONFIRM, "Confirming in the cloud")
            checks = await confirm_run(
                self.cloud,
                self.profile,
                record,
                self.traces,
                self.started_at,
                timeout_s=self.options.confirm_timeout_s,
                upload_evidence=self.options.upload_evidence,
            )
        for check in checks:
            self._journal_check(run_id, check)
        self.checks = [c for c in self.checks if c.stage is not Stage.CONFIRM] + checks
        self._set_stage(Stage.REPORT)
        self._save_progress()
        return checks

    # -- 8. report -------------------------------------------------------------------------------
    def finish(self) -> RunRecord:
        """End the run: PASSED when every check passed and nothing failed; journal the record."""
        run_id, _ = self._need_run()
        if self.status is RunStatus.IN_PROGRESS:
            failed = [c for c in self.checks if not c.passed]
            self.status = RunStatus.FAILED if failed or self.failed_action else RunStatus.PASSED
            if failed and not self.failure:
                self.failure = "; ".join(f"{c.label}: {c.evidence}" for c in failed[:3])
        self.stage = Stage.DONE
        record = self.record()
        record.finished_at = time.time()
        self.journal.set_record(run_id, record)
        self._journal(
            Stage.REPORT,
            EventKind.STAGE,
            "finish",
            f"Run {self.status.value}",
            result=self.status.value,
        )
        return record

    def note_report(self, paths: Sequence[str]) -> None:
        self._need_run()
        self._journal(Stage.REPORT, EventKind.NOTE, "report", "Report written", after=list(paths))

    def record(self) -> RunRecord:
        """What the run knows now (the report of a finished run, a preview of one in progress)."""
        run_id, identity = self._need_run()
        return RunRecord(
            run_id=run_id,
            identity=identity,
            site=self.site,
            profile_name=self.profile.name if self.profile else "",
            status=self.status,
            stage=self.stage,
            started_at=self.started_at,
            snapshot=self.snapshot,
            as_left=self.as_left,
            changes=[c for c in self.changes if c.changes],
            checks=list(self.checks),
            traces=list(self.traces),
            cloud=self.cloud_record,
            config_hash=config_hash(self.as_left) if self.as_left else "",
            failure=self.failure,
        )

    # -- rollback --------------------------------------------------------------------------------
    async def rollback(self, reason: str = "rolled back by the user") -> RollbackOutcome:
        """Put the snapshot back, continue past failures, then prove it by reading back."""
        run_id, _ = self._need_run()
        if self.snapshot is None:
            raise RunError("There is no snapshot to roll back to: nothing was written.")
        snapshot = self.snapshot
        self._event(Stage.APPLY, "Rolling back to the snapshot")
        current = await read_snapshot(self.client, self._remembered())
        target = target_from_snapshot(snapshot, current)
        actions = plan_actions(current, target)
        for index, action in enumerate(actions):
            self._event(Stage.APPLY, f"Undo: {action.description}", index, len(actions))
            stage = self.stage if self.stage is not Stage.DONE else Stage.APPLY
            await self._journaled_write(action, stage, EventKind.ROLLBACK)  # carry on past failures
        if self.options.settle_s > 0:
            await asyncio.sleep(self.options.settle_s)
        readback = await read_snapshot(self.client, self._remembered())
        checks = [
            replace(c, key="rollback." + c.key, stage=Stage.APPLY)
            for c in settings_checks(target, readback, self.options.tolerance_v)
        ]
        unknown = [
            f"port {p.port} interface mode ({p.mode_source})"
            for p in snapshot.ports
            if p.mode is None
        ]
        for check in checks:
            self._journal_check(run_id, check)
        self.as_left = readback
        self.status = RunStatus.ROLLED_BACK
        self.failure = self.failure or reason
        self.checks.extend(checks)
        ok = all(c.passed for c in checks)
        self._event(
            Stage.APPLY,
            "Rolled back" if ok else "Rollback incomplete",
            result="ok" if ok else "failed",
        )
        return RollbackOutcome(ok, checks, unknown)

    # -- resume ----------------------------------------------------------------------------------
    @classmethod
    async def resume(
        cls, client: EdgeClient, journal: CommissioningJournal, run_id: int, **kwargs: Any
    ) -> CommissioningSession:
        """Pick up an unfinished run: same snapshot, profile and site; only what is left is sent."""
        summary = journal.run(run_id)
        if not summary.resumable:
            raise RunError(f"Run {run_id} has ended ({summary.status.value}); start a new run.")
        session = cls(client, journal, **kwargs)
        session.run_id = run_id
        session.started_at = summary.started_at
        session.site = summary.site
        await session.connect()
        session.snapshot = summary.snapshot
        session._journal(
            Stage.CONNECT, EventKind.NOTE, "resume", f"Resumed at stage {summary.stage.value}"
        )
        if summary.snapshot is None:
            session._set_stage(Stage.SNAPSHOT)
            return session
        if not summary.profile_text:
            session._set_stage(Stage.PLAN)
            return session
        session.profile = profile_from_dict(json.loads(summary.profile_text))
        for event in journal.events(run_id, kinds=[EventKind.NOTE]):
            if event.key.endswith(".override") and isinstance(event.after, dict):
                session.overrides[int(event.key[4:].split(".")[0])] = dict(event.after)
        if summary.record is not None:  # evidence gathered before the stop
            session.checks = list(summary.record.checks)
            session.traces = list(summary.record.traces)
            session.cloud_record = summary.record.cloud
            session.as_left = summary.record.as_left
        current = await read_snapshot(client, session._remembered())
        session._replan(current)
        stage = summary.stage
        if stage in (Stage.CONNECT, Stage.SNAPSHOT, Stage.PLAN) or session.actions:
            # something is still to write (or was undone meanwhile): apply, then verify again
            stage = Stage.APPLY
        elif stage is Stage.APPLY:
            stage = Stage.VERIFY
        session._set_stage(stage)
        return session
