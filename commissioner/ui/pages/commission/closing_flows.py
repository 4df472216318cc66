"""The wizard's closing steps as coroutines: cloud registration and confirmation, the report,
and the rollback that can end a run at any point after the snapshot.

Same rules as :mod:`flows`: each runs through the page's task runner, errors become a sentence
with the next step, and chained steps (register, then confirm) await each other in one task.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl

from commissioner.core.cloud.auth import AuthStatus
from commissioner.core.cloud.errors import CloudError
from commissioner.core.cloud.profiles import AuthMethod
from commissioner.core.commissioning.profile import render_names
from commissioner.core.commissioning.run_model import CheckStatus, RunStatus, Stage
from commissioner.reporting.pdf import write_report
from commissioner.ui.pages.commission.errors import describe
from commissioner.ui.pages.commission.flows import RunFlows
from commissioner.ui.pages.commission.marks import Mark
from commissioner.ui.pages.commission.step_list import ORDER

if TYPE_CHECKING:
    pass

REGISTER_MARK = {
    "registered": Mark.DONE,
    "queued": Mark.WARNING,
    "skipped": Mark.SKIPPED,
    "failed": Mark.FAILED,
}
REPORT_MARK = {RunStatus.PASSED: Mark.DONE, RunStatus.FAILED: Mark.FAILED}


class Flows(RunFlows):
    """Every step of the page's runs: steps 1 to 5 from :class:`RunFlows`, 6 to 8 and rollback."""

    # -- 6, 7: cloud ---------------------------------------------------------------------------------

    def go_register(self) -> None:
        self.page._set_current(Stage.REGISTER)
        session = self.page.controller.session
        if session is not None and session.profile is not None and session.identity is not None:
            names = render_names(
                session.profile,
                session.identity.serial,
                session.site.site,
                self.page.controller.catalogue,
            )
            self.page.register_step.show_names(names, session.profile.cloud is not None)
        self.page.controller.runner.run(self._describe_cloud(), exclusive=False)

    async def _describe_cloud(self) -> None:
        """Say which cloud the registration goes to and whether it can go now (sets
        ``cloud_state``, which names the main button: Register now, Queue for later, Skip)."""
        try:
            await self._look_at_cloud()
        finally:
            self.page._refresh()

    async def _look_at_cloud(self) -> None:
        try:
            workspace = await self.page.controller.cloud_workspace()
        except (CloudError, OSError, ValueError) as exc:
            self.page.cloud_state = "none"
            self.page.register_step.show_cloud(f"Cloud: {describe(exc)[0]}", can_sign_in=False)
            return
        if workspace is None:
            self.page.cloud_state = "none"
            self.page.register_step.show_cloud(
                "No cloud is set up in this app: skip the registration (or set up the cloud on "
                "the Cloud page and queue it).",
                can_sign_in=False,
            )
            return
        profile = workspace.profile
        project = profile.project_id or "(no asset chosen)"
        cloud = self.page.controller.cloud
        if cloud is not None and cloud.outage:
            self.page.cloud_state = "offline"
            self.page.register_step.show_cloud(
                f"Cloud {profile.name!r} cannot be reached (simulated outage): queue the "
                "registration; it is sent once the cloud is back.",
                can_sign_in=False,
            )
            return
        if workspace.auth.status is AuthStatus.SIGNED_IN:
            self.page.cloud_state = "ready"
            text = (
                f"Cloud {profile.name!r}, asset {project}: signed in as {workspace.auth.account}."
            )
            self.page.register_step.show_cloud(text, can_sign_in=False)
            return
        self.page.cloud_state = "signed out"
        simple = workspace.is_simulator and profile.auth_method is AuthMethod.USER
        where = "here" if simple else "on the Cloud page"
        self.page.register_step.sign_in_button.setText(
            "Sign in to the cloud simulator" if simple else "Open the Cloud page to sign in"
        )
        self.page.register_step.show_cloud(
            f"Cloud {profile.name!r}, asset {project}: not signed in. Sign in {where}, or "
            "queue the registration (sent once signed in and online), or skip it.",
            can_sign_in=True,
        )

    def sign_in(self) -> None:
        self._run(self._sign_in())

    async def _sign_in(self) -> None:
        workspace = await self.page.controller.cloud_workspace()
        if workspace is None:
            return
        if not (workspace.is_simulator and workspace.profile.auth_method is AuthMethod.USER):
            self.page.sig_open_page.emit("cloud")
            return
        self.page.status.working("Signing in to the cloud simulator…")
        account = await workspace.sign_in()
        self.page.status.ok(f"Signed in as {account}.")
        await self._describe_cloud()

    def register_now(self) -> None:
        self._run(self._register("now"))

    def queue_registration(self) -> None:
        self._run(self._register("queue"))

    def skip_registration(self) -> None:
        self._run(self._register("skip"))

    async def _register(self, how: str) -> None:
        session = self.page.controller.session
        assert session is not None
        reason = "queued by the installer" if how == "queue" else ""
        session.options = replace(session.options, queue_only=how == "queue", queue_reason=reason)
        if how != "skip":
            session.cloud = await self.page.controller.cloud_workspace()
        skip = "skipped by the installer" if how == "skip" else ""
        self.page.status.working("Registering in the cloud…" if how == "now" else "Recording…")
        record = await self.page.controller.call(session.register(skip))
        self.page.register_step.show_record(record)
        self.page.steps.set_mark(Stage.REGISTER, REGISTER_MARK.get(record.status, Mark.WARNING))
        self.page._set_current(Stage.CONFIRM)
        await self._confirm()

    def confirm_cloud(self) -> None:
        self._run(self._confirm())

    async def _confirm(self) -> None:
        session = self.page.controller.session
        assert session is not None
        self._cancellable_now()
        self.page.confirm_step.set_running(True, "Checking in the cloud…")
        try:
            checks = await self.page.controller.call(session.confirm())
        finally:
            self.page.confirm_step.set_running(False)
        self.page.confirmed = True
        self.page.confirm_step.show_checks(checks)
        failed = [c for c in checks if not c.passed]
        skipped = all(c.status is CheckStatus.SKIPPED for c in checks)
        mark = Mark.FAILED if failed else Mark.SKIPPED if skipped else Mark.DONE
        self.page.steps.set_mark(Stage.CONFIRM, mark)
        if failed:
            self.page.status.error(f"{len(failed)} cloud check(s) failed: see the evidence.")
        else:
            self.page.status.ok("Cloud confirmation done. Finish the run to write the report.")

    # -- 8: report -----------------------------------------------------------------------------------

    def go_report(self) -> None:
        self.page._set_current(Stage.REPORT)
        self.write_report()

    def write_report(self) -> None:
        self._run(self._report())

    async def _report(self) -> None:
        session = self.page.controller.session
        assert session is not None
        record = session.finish()
        self.page.report_step.show_record(record)
        self.page.status.working("Writing the report…")
        await asyncio.sleep(0)  # let the status show before the (synchronous) PDF painting
        files = write_report(record, self.page.report_folder)
        session.note_report([str(files.pdf), str(files.html)])
        self.page.report_files = files
        self.page.report_step.show_files(files.html, files.pdf)
        self.page.steps.set_mark(Stage.REPORT, REPORT_MARK.get(record.status, Mark.WARNING))
        self.page.status.ok(f"Run {record.status.value}; report written to {files.pdf.parent}.")

    def open_report(self, what: str) -> None:
        files = self.page.report_files
        if files is None:
            return
        path = {"pdf": files.pdf, "html": files.html}.get(what, files.pdf.parent)
        self.page.open_url(QUrl.fromLocalFile(str(path)))

    def start_another(self) -> None:
        self.page.controller.drop()
        self.reset_run()
        self.page._on_link_changed()

    # -- rollback ------------------------------------------------------------------------------------

    def roll_back(self) -> None:
        session = self.page.controller.session
        if session is None or session.snapshot is None:
            return
        if not self.page.confirm(
            "Roll back to the snapshot?",
            "Every setting this run changed is put back as it was in the snapshot, then the "
            "THREAD is read back to prove it. The run ends as rolled back. Continue?",
        ):
            return
        self._run(self._rollback())

    async def _rollback(self) -> None:
        session = self.page.controller.bound()
        self.page._rolling_back = True
        self.page.status.working("Rolling back to the snapshot…")
        outcome = await self.page.controller.call(session.rollback())
        self.page.rollback_outcome = outcome
        self.page.apply_step.hide_failure()
        for stage in ORDER:
            if self.page.steps.marks[stage] is Mark.PENDING and stage is not Stage.REPORT:
                self.page.steps.set_mark(stage, Mark.SKIPPED)
        self.page.report_files = None
        self.page.report_step.reset()
        self.page.report_step.show_rollback(outcome)
        self.page._set_current(Stage.REPORT)
        if outcome.ok:
            self.page.status.ok("Rolled back: the THREAD reads back as in the snapshot.")
        else:
            self.page.status.error("Rollback incomplete: see the read-back below.")
