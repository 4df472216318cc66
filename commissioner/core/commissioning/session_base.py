"""The first half of a run (connect, snapshot, plan, apply) and the bookkeeping every stage uses.

:class:`commissioner.core.commissioning.session.CommissioningSession` adds the rest; the split
keeps each file readable, and this half is what a resumed run re-enters.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Any

from commissioner.core.cloud.workspace import CloudWorkspace
from commissioner.core.commissioning.actions import (
    Action,
    ThreadTarget,
    diff,
    plan_actions,
    run_action,
    target_from_profile,
)
from commissioner.core.commissioning.journal import CommissioningJournal
from commissioner.core.commissioning.profile import profile_to_dict
from commissioner.core.commissioning.profile_model import CommissioningProfile
from commissioner.core.commissioning.run_model import (
    ActionResult,
    ChannelTrace,
    CheckResult,
    CloudRecord,
    EventKind,
    RunRecord,
    RunStatus,
    SettingChange,
    SiteFields,
    Stage,
    ThreadIdentity,
    ThreadSnapshot,
)
from commissioner.core.commissioning.scan import ScanResult
from commissioner.core.commissioning.session_types import (
    ApplyOutcome,
    RunError,
    RunEvent,
    RunOptions,
)
from commissioner.core.commissioning.snapshot import read_again, read_snapshot
from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.errors import EdgeError
from commissioner.core.ports.apply import advice, short_error
from commissioner.core.sensor_catalogue import SensorModel, load_catalogue


class SessionBase:
    """The state of one run; methods are awaited one after another (never concurrently)."""

    def __init__(
        self,
        client: EdgeClient,
        journal: CommissioningJournal,
        *,
        cloud: CloudWorkspace | None = None,
        options: RunOptions | None = None,
        on_event: Callable[[RunEvent], None] | None = None,
        catalogue: Sequence[SensorModel] | None = None,
    ) -> None:
        self.client = client
        self.journal = journal
        self.cloud = cloud
        self.options = options or RunOptions()
        self.on_event = on_event
        self.catalogue = list(catalogue) if catalogue is not None else load_catalogue()
        self.run_id: int | None = None
        self.stage = Stage.CONNECT
        self.status = RunStatus.IN_PROGRESS
        self.identity: ThreadIdentity | None = None
        self.snapshot: ThreadSnapshot | None = None
        self.profile: CommissioningProfile | None = None
        self.site = SiteFields()
        self.overrides: dict[int, dict[str, Any]] = {}
        self.changes: list[SettingChange] = []
        self.actions: list[Action] = []
        self.next_action = 0
        self.failed_action: Action | None = None
        self.checks: list[CheckResult] = []
        self.traces: list[ChannelTrace] = []
        self.scans: dict[int, ScanResult] = {}
        self.cloud_record: CloudRecord | None = None
        self.as_left: ThreadSnapshot | None = None
        self.failure = ""
        self.started_at = time.time()
        self.data_wait_s = 0.0  # time spent waiting for sensors (excluded by the benchmark)

    # -- 1. connect ------------------------------------------------------------------------------
    async def connect(self) -> ThreadIdentity:
        self._event(Stage.CONNECT, f"Connecting to {self.client.base_url}")
        serial = await read_again(self.client.serial_number)
        versions = await read_again(self.client.versions)
        self.identity = ThreadIdentity(
            serial, self.client.base_url, versions.application, versions.firmware, versions.hardware
        )
        if self.run_id is None:
            self.run_id = self.journal.start_run(self.identity, self.site)
            self.started_at = time.time()
        elif self.identity.serial != self.journal.run(self.run_id).serial:
            raise RunError(
                f"This is THREAD {serial}, but run {self.run_id} commissions "
                f"{self.journal.run(self.run_id).serial}: connect the right THREAD to resume."
            )
        self._journal(
            Stage.CONNECT, EventKind.READ, "identity", "Identified", self.identity.to_json()
        )
        self._set_stage(Stage.SNAPSHOT)
        self._event(Stage.CONNECT, f"THREAD {serial}, application {versions.application}")
        return self.identity

    # -- 2. snapshot -----------------------------------------------------------------------------
    async def take_snapshot(self) -> ThreadSnapshot:
        run_id, identity = self._need_run()
        self._event(Stage.SNAPSHOT, "Reading every setting")
        snapshot = await read_snapshot(self.client, self.journal.last_applied(identity.serial))
        self.snapshot = snapshot
        self.journal.set_snapshot(run_id, snapshot)
        self._journal(Stage.SNAPSHOT, EventKind.READ, "snapshot", "Snapshot", snapshot.to_json())
        self._set_stage(Stage.PLAN)
        return snapshot

    # -- 3. plan ---------------------------------------------------------------------------------
    async def plan(self, profile: CommissioningProfile, site: SiteFields) -> list[SettingChange]:
        """Choose the profile and site; returns the whole diff (``changes`` flags real changes)."""
        run_id, _ = self._need_run()
        if self.snapshot is None:
            raise RunError("Take the snapshot before planning, so the install can be undone.")
        self.profile, self.site = profile, site
        self._event(Stage.PLAN, f"Planning with profile {profile.name!r}")
        text = json.dumps(profile_to_dict(profile))
        self.journal.set_plan(run_id, site, profile.name, text)
        current = await read_snapshot(self.client, self._remembered())
        self._replan(current)
        self._journal(
            Stage.PLAN,
            EventKind.NOTE,
            "plan",
            f"Profile {profile.name!r}: {len(self.actions)} writes",
            after=[c.to_json() for c in self.changes if c.changes],
        )
        self._set_stage(Stage.APPLY)
        return self.changes

    def _replan(self, current: ThreadSnapshot) -> None:
        target = self._target()
        self.changes = diff(current, target)
        self.actions = plan_actions(current, target)
        self.next_action = 0
        self.failed_action = None

    def _target(self) -> ThreadTarget:
        assert self.profile is not None
        return target_from_profile(self.profile, self.overrides)

    # -- 4. apply --------------------------------------------------------------------------------
    async def apply(self) -> ApplyOutcome:
        """Send the remaining writes in order; stop at the first failure (retry, skip, roll back)."""
        self._need_run()
        total = len(self.actions)
        while self.next_action < total:
            action = self.actions[self.next_action]
            self._event(Stage.APPLY, action.description, self.next_action, total)
            error = await self._journaled_write(action, Stage.APPLY, EventKind.ACTION)
            if error is not None:
                self.failed_action = action
                self._event(
                    Stage.APPLY, f"Failed: {action.description}", self.next_action, total, "failed"
                )
                return ApplyOutcome(
                    self.next_action, total, action, short_error(error), advice(error)
                )
            self.next_action += 1
        self.failed_action = None
        self._event(Stage.APPLY, f"{total} writes done", total, total, "ok")
        self._set_stage(Stage.VERIFY)
        return ApplyOutcome(total, total)

    async def retry(self) -> ApplyOutcome:
        return await self.apply()

    async def skip(self) -> ApplyOutcome:
        """Leave the failed write out (journaled as SKIPPED) and carry on with the next."""
        run_id, _ = self._need_run()
        if self.failed_action is None:
            raise RunError("Nothing failed: there is no write to skip.")
        action = self.failed_action
        self.journal.record(
            run_id,
            Stage.APPLY,
            EventKind.ACTION,
            action.key,
            action.description,
            before=action.before,
            after=action.value,
            result=ActionResult.SKIPPED.value,
            detail="skipped by the user",
        )
        self.next_action += 1
        self.failed_action = None
        return await self.apply()

    # -- helpers ---------------------------------------------------------------------------------
    def _need_run(self) -> tuple[int, ThreadIdentity]:
        if self.run_id is None or self.identity is None:
            raise RunError("Connect to the THREAD first.")
        return self.run_id, self.identity

    def _remembered(self) -> dict[str, Any]:
        return self.journal.last_applied(self.identity.serial) if self.identity else {}

    def _poll(self, sensor: str | None) -> str:
        model = next((m for m in self.catalogue if m.id == sensor), None)
        return model.poll if model else ""

    async def _journaled_write(
        self, action: Action, stage: Stage, kind: EventKind
    ) -> EdgeError | None:
        """Send one write, journaled PENDING before and OK/FAILED after; the error if it failed."""
        assert self.run_id is not None
        event_id = self.journal.record(
            self.run_id,
            stage,
            kind,
            action.key,
            action.description,
            before=action.before,
            after=action.value,
            result=ActionResult.PENDING.value,
        )
        try:
            answer = await run_action(self.client, action)
        except EdgeError as exc:
            self.journal.set_result(event_id, ActionResult.FAILED.value, str(exc))
            return exc
        self.journal.set_result(
            event_id, ActionResult.OK.value, _answer_text(answer), after=action.value
        )
        return None

    def _save_progress(self) -> None:
        """Keep the evidence so far in the journal, so a resumed run still reports it."""
        if self.run_id is not None and self.identity is not None:
            self.journal.set_record(self.run_id, self.record())

    def record(self) -> RunRecord:
        raise NotImplementedError

    def _set_stage(self, stage: Stage) -> None:
        self.stage = stage
        if self.run_id is not None:
            self.journal.set_stage(self.run_id, stage)

    def _journal(
        self,
        stage: Stage,
        kind: EventKind,
        key: str,
        description: str,
        after: Any = None,
        result: str = "",
        detail: str = "",
    ) -> None:
        if self.run_id is not None:
            self.journal.record(
                self.run_id,
                stage,
                kind,
                key,
                description,
                after=after,
                result=result,
                detail=detail,
            )

    def _journal_check(self, run_id: int, check: CheckResult) -> None:
        self.journal.record(
            run_id,
            check.stage,
            EventKind.CHECK,
            check.key,
            check.label,
            result=check.status.value,
            detail=check.evidence,
        )

    def _event(
        self, stage: Stage, message: str, done: int = 0, total: int = 0, result: str = ""
    ) -> None:
        if self.on_event is not None:
            self.on_event(RunEvent(stage, message, done, total, result))


def _answer_text(answer: Any) -> str:
    return "" if answer is None else f"THREAD answered {json.dumps(answer, default=str)}"
