"""The wizard's first steps as coroutines: each awaits one engine call and shows what it returned.

Kept apart from the page's layout so each flow reads as the procedure it is. Every flow runs
through :meth:`RunFlows._run` (the page's task runner: one at a time, a reference kept, errors
shown as a sentence with the next step); flows that chain (apply, then verify) await each other
inside one task so nothing can run in between.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commissioner.core.cloud.errors import CloudError
from commissioner.core.commissioning.profile import load_profile
from commissioner.core.commissioning.profile_model import ProfileError
from commissioner.core.commissioning.run_model import Stage
from commissioner.core.commissioning.session import ApplyOutcome, RunError, RunEvent
from commissioner.core.edge.errors import EdgeError
from commissioner.ui.pages.commission.errors import describe
from commissioner.ui.pages.commission.marks import Mark
from commissioner.ui.pages.commission.step_list import ORDER, index_of

if TYPE_CHECKING:
    from commissioner.ui.pages.commission.page import CommissionPage

log = logging.getLogger(__name__)
EXPECTED = (EdgeError, RunError, CloudError, ProfileError, OSError, TimeoutError)


class RunFlows:
    """Steps 1 to 5 of one page's runs (the closing steps are added by ``closing_flows.Flows``)."""

    def __init__(self, page: CommissionPage) -> None:
        self.page = page

    # -- running -----------------------------------------------------------------------------------

    def _run(self, coro: Coroutine[Any, Any, None]) -> None:
        if self.page.controller.runner.run(self._guarded(coro)) is None:
            self.page.status.warning("Wait for the current step to finish.")
        self.page._refresh()

    async def _guarded(self, coro: Awaitable[None]) -> None:
        try:
            await coro
        except asyncio.CancelledError:
            self.page.status.warning("Cancelled. Press the step's button to do it again.")
            raise
        except Exception as exc:
            what, advice = describe(exc)
            self.page.status.error(f"{what} {advice}".strip())
            self.page.model.report_error(exc)
            if not isinstance(exc, EXPECTED):
                log.error("unexpected error in the commissioning wizard", exc_info=exc)
        finally:
            self.page.controller.flush()
            self.page._cancellable = self.page._rolling_back = False
            self.page.audit.refresh()
            self.page._refresh()

    def _cancellable_now(self) -> None:
        self.page._cancellable = True
        self.page._refresh()

    def _on_events(self, events: list[RunEvent]) -> None:
        for event in events:
            if self.page._rolling_back:
                self.page.status.working(event.message)
            elif event.stage is Stage.APPLY and self.page.current is Stage.APPLY:
                self.page.apply_step.on_event(event)
                self.page.status.working(event.message)
            elif event.stage is Stage.VERIFY or self.page.current is Stage.VERIFY:
                self.page.verify_step.on_event(event)
            elif event.stage is Stage.CONFIRM:
                self.page.confirm_step.set_running(True, event.message)
            else:
                self.page.status.working(event.message)

    def reset_run(self) -> None:
        self.page.steps.reset()
        self.page.apply_step.set_actions([])
        self.page.verify_step.show_checks([])
        self.page.verify_step.show_scans({}, None)
        self.page.verify_step.show_traces([])
        self.page.verify_step.again_button.hide()
        self.page.verify_step.summary.clear()
        self.page.register_step.clear()
        self.page.confirm_step.show_checks([])
        self.page.report_step.reset()
        self.page.planned_for = self.page.report_files = self.page.rollback_outcome = None
        self.page.verified = self.page.confirmed = False
        self.page.cloud_state = "unknown"
        self.page.plan_step.show_changes([])
        self.page.status.clear_status()
        self.page._set_current(Stage.CONNECT)

    # -- 1, 2: connect, snapshot -------------------------------------------------------------------

    def start_new(self) -> None:
        identity = self.page.model.identity
        old = self.page.controller.unfinished(identity.serial_number) if identity else []
        self.reset_run()
        self._run(self._start([r.run_id for r in old]))

    async def _start(self, abandon: list[int]) -> None:
        session = self.page.controller.new_session()
        self.page.status.working("Identifying the THREAD…")
        identity = await self.page.controller.call(session.connect())
        self.page.controller.abandon(abandon)
        self.page.connect_step.show_identity(identity)
        self.page.connect_step.show_unfinished([])
        self.page.steps.set_mark(Stage.CONNECT, Mark.DONE)
        self.page._set_current(Stage.SNAPSHOT)
        await self._snapshot()

    def take_snapshot(self) -> None:
        self._run(self._snapshot())

    async def _snapshot(self) -> None:
        session = self.page.controller.bound()
        self.page.status.working("Reading every setting of the THREAD…")
        snapshot = await self.page.controller.call(session.take_snapshot())
        self.page.snapshot_step.show_snapshot(snapshot, session.run_id)
        self.page.steps.set_mark(Stage.SNAPSHOT, Mark.DONE)
        self.page.status.ok(f"Snapshot saved (run {session.run_id}). Next: choose the profile.")

    def resume(self, run_id: int) -> None:
        self.reset_run()
        self._run(self._resume(run_id))

    async def _resume(self, run_id: int) -> None:
        self.page.status.working(f"Resuming run {run_id}…")
        session = await self.page.controller.call(self.page.controller.resume(run_id))
        assert session.identity is not None
        self.page.connect_step.show_identity(session.identity)
        self.page.connect_step.show_unfinished([])
        stage = session.stage if session.stage in ORDER else Stage.REPORT
        for done in ORDER[: index_of(stage)]:
            self.page.steps.set_mark(done, Mark.DONE)
        if session.snapshot is not None:
            self.page.snapshot_step.show_snapshot(session.snapshot, run_id)
        self.page.plan_step.set_site_fields(session.site)
        if session.profile is not None:
            self.page.profile = session.profile
            self.page.planned_for = (session.profile, session.site)
            self.page.plan_step.show_profile(session.profile)
            self.page.plan_step.description.setText(
                f"Resumed with profile {session.profile.name!r} from the journal."
            )
            self.page.plan_step.show_changes(session.changes)
        if stage is Stage.APPLY:
            self.page.apply_step.set_actions(session.actions, session.next_action)
        self.page._set_current(stage)
        self.page.status.ok(f"Resumed run {run_id} at {stage.label}.")
        if stage is Stage.PLAN and self.page.profile is not None:
            await self._plan()

    # -- 3: plan -------------------------------------------------------------------------------------

    def go_plan(self) -> None:
        self.page._set_current(Stage.PLAN)
        self._plan_if_ready()

    def choose_profile(self) -> None:
        path = self.page.plan_step.current_path()
        if path is None:
            return
        try:
            profile = load_profile(path, self.page.controller.catalogue)
        except ProfileError as exc:
            self.page.profile = None
            self.page.plan_step.show_problems(exc)
            self.page.status.error(f"{path.name} cannot be used: see its problems above.")
            self.page._refresh()
            return
        self.page.profile = profile
        self.page.planned_for = None
        self.page.plan_step.show_profile(profile)
        self._plan_if_ready()

    def open_profile(self) -> None:
        name = self.page.choose_profile_file()
        if name:
            path = Path(name)
            self.page.plan_step.add_profile(path, path.name, select=True)
            self.choose_profile()

    def _plan_if_ready(self) -> None:
        session = self.page.controller.session
        ready = (
            session is not None and session.snapshot is not None and self.page.profile is not None
        )
        if ready and self.page.current is Stage.PLAN and not self.page.controller.runner.busy:
            self._run(self._plan())
        self.page._refresh()

    async def _plan(self) -> None:
        session, profile = self.page.controller.bound(), self.page.profile
        assert profile is not None
        site = self.page.plan_step.site_fields()
        self.page.status.working(f"Comparing the THREAD with {profile.name!r}…")
        changes = await self.page.controller.call(session.plan(profile, site))
        self.page.planned_for = (profile, site)
        self.page.plan_step.show_changes(changes)
        count = len(session.actions)
        self.page.status.ok(
            f"{count} write(s) planned." if count else "The THREAD already matches the profile."
        )

    def apply_plan(self) -> None:
        self._run(self._apply_plan())

    async def _apply_plan(self) -> None:
        session = self.page.controller.bound()
        if self.page.planned_for != (self.page.profile, self.page.plan_step.site_fields()):
            await self._plan()  # the profile or the site changed since the diff was shown
        self.page.steps.set_mark(Stage.PLAN, Mark.DONE)
        self.page._set_current(Stage.APPLY)
        self.page.apply_step.set_actions(session.actions)
        await self._apply(session.apply)

    # -- 4: apply ------------------------------------------------------------------------------------

    def apply_remaining(self) -> None:
        self._run(self._apply_with(lambda s: s.apply))

    def retry(self) -> None:
        self._run(self._apply_with(lambda s: s.retry))

    def skip(self) -> None:
        session = self.page.controller.session
        if session is not None:
            self.page.apply_step.mark_skipped(session.next_action)
        self._run(self._apply_with(lambda s: s.skip))

    async def _apply_with(self, pick: Callable[[Any], Any]) -> None:
        session = self.page.controller.bound()
        self.page.apply_step.hide_failure()
        self.page.steps.set_mark(Stage.APPLY, Mark.PENDING)
        await self._apply(pick(session))

    async def _apply(self, call: Callable[[], Awaitable[ApplyOutcome]]) -> None:
        self.page.status.working("Writing…")
        outcome = await self.page.controller.call(call())
        if not outcome.ok:
            self.page.apply_step.show_failure(outcome)
            self.page.steps.set_mark(Stage.APPLY, Mark.FAILED)
            self.page.status.error(f"Stopped at a failed write: {outcome.error}")
            return
        self.page.apply_step.finished()
        self.page.steps.set_mark(Stage.APPLY, Mark.DONE)
        self.page.status.ok(f"{outcome.total} write(s) done.")
        self.page._set_current(Stage.VERIFY)
        await self._verify()

    # -- 5: verify -----------------------------------------------------------------------------------

    def verify(self) -> None:
        self._run(self._verify())

    async def _verify(self) -> None:
        session = self.page.controller.bound()
        self._cancellable_now()
        seconds = self.page.options.data.timeout_s
        self.page.verify_step.set_running(True, f"Listening to the sensors (up to {seconds:g} s)…")
        self.page.status.working("Verifying…")
        try:
            await self.page.controller.call(session.verify())
        finally:
            self.page.verify_step.set_running(False)
        self.page.verified = True
        self._show_verification()

    def accept_scan(self, port: int) -> None:
        self._run(self._accept_scan(port))

    async def _accept_scan(self, port: int) -> None:
        session = self.page.controller.bound()
        self._cancellable_now()
        self.page.verify_step.set_running(True, f"Writing the framing found on port {port}…")
        try:
            await self.page.controller.call(session.accept_scan(port))
        finally:
            self.page.verify_step.set_running(False)
        self._show_verification()

    def _show_verification(self) -> None:
        session = self.page.controller.session
        assert session is not None
        checks = [c for c in session.checks if c.stage is Stage.VERIFY]
        self.page.verify_step.show_checks(checks)
        self.page.verify_step.show_scans(session.scans, session.profile)
        self.page.verify_step.show_traces(session.traces)
        failed = [c for c in checks if not c.passed]
        offers = sorted(p for p, scan in session.scans.items() if scan.found is not None)
        self.page.steps.set_mark(Stage.VERIFY, Mark.FAILED if failed else Mark.DONE)
        if offers:
            self.page.status.warning(
                f"Port {offers[0]} speaks at another framing: see the offer above."
            )
        elif failed:
            self.page.status.error(
                f"{len(failed)} check(s) failed. Fix the cause and press Verify again, roll back, "
                "or carry on: the report records the failure."
            )
        else:
            self.page.status.ok(f"All {len(checks)} checks passed.")
        self.page._refresh()
