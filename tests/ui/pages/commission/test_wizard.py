"""The Commission page driven like an installer would, against a simulated THREAD and cloud."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from commissioner.core.commissioning.journal import CommissioningJournal
from commissioner.core.commissioning.run_model import CheckStatus, EventKind, RunStatus, Stage
from commissioner.core.commissioning.session import RunOptions
from commissioner.core.commissioning.verify_data import DataWaitOptions
from commissioner.core.settings import Settings
from commissioner.sim.scenario import Scenario
from commissioner.sim.server import ThreadServer
from commissioner.ui.pages.cloud.model import CloudModel
from commissioner.ui.pages.commission.marks import Mark
from commissioner.ui.pages.commission.page import CommissionPage
from commissioner.ui.session_model import SessionModel
from tests.core.edge.conftest import fast_scenario
from tests.ui.conftest import connected_model

RunAsync = Callable[..., Any]
OPTIONS = RunOptions(
    data=DataWaitOptions(
        timeout_s=5.0, analog_spacing_s=0.05, poll_interval_s=0.2, connect_timeout_s=3.0
    ),
    settle_s=0.05,
    scan_listen_s=0.4,
    confirm_timeout_s=5.0,
)


@dataclass
class Wizard:
    page: CommissionPage
    server: ThreadServer
    model: SessionModel
    journal: CommissioningJournal
    cloud: CloudModel | None
    run_async: RunAsync

    def press(self) -> str:
        """Press the footer's main button and wait until the step (and what it chains) is done."""
        text = self.page.primary_button.text()
        assert self.page.primary_button.isEnabled(), f"{text!r} is disabled"
        self.page.primary_button.click()
        self.settle()
        return text

    def settle(self) -> None:
        self.run_async(self.page.wait_idle())

    @property
    def session(self) -> Any:
        session = self.page.controller.session
        assert session is not None
        return session


@pytest.fixture
def start_wizard(
    qtbot: QtBot, run_async: RunAsync, tmp_path: Path
) -> Iterator[Callable[..., Wizard]]:
    """Build a wizard on a fresh simulated THREAD (``scenario``), with the cloud simulator."""
    made: list[Wizard] = []

    def start(scenario: Scenario | None = None, *, cloud: bool = True) -> Wizard:
        server = ThreadServer(scenario or fast_scenario())
        run_async(server.start())
        model = connected_model(run_async, server.url)
        journal = CommissioningJournal(tmp_path / "journal.sqlite")
        cloud_model = (
            CloudModel(
                Settings(),
                lambda: None,
                data_folder=tmp_path / "cloud",
                probe_interval_s=5.0,
                backoff_s=(0.05,),
            )
            if cloud
            else None
        )
        page = CommissionPage(
            model, journal, cloud=cloud_model, options=OPTIONS, report_folder=tmp_path / "reports"
        )
        qtbot.addWidget(page)
        page.confirm = lambda _title, _text: True
        wizard = Wizard(page, server, model, journal, cloud_model, run_async)
        made.append(wizard)
        return wizard

    yield start
    for wizard in made:
        run_async(wizard.page.aclose())
        if wizard.cloud is not None:
            run_async(wizard.cloud.aclose())
        run_async(wizard.model.aclose())
        run_async(wizard.server.aclose())
        wizard.journal.close()


def plan_mixed(wizard: Wizard) -> None:
    """Start a run and get to a planned mixed three-port profile, site fields filled."""
    page = wizard.page
    assert page.plan_step.profile_combo.currentText() == "Mixed three-port install"
    assert wizard.press() == "Start new run"
    assert page.current is Stage.SNAPSHOT
    assert "can be undone" in page.snapshot_step.saved.text()
    assert page.snapshot_step.table.rowCount() > 10
    assert page.rollback_button.isVisible() or not page.isVisible()
    page.plan_step.site_edit.setText("Bench 7")
    page.plan_step.technician_edit.setText("Ana Tech")
    assert wizard.press() == "Next: plan"
    assert page.current is Stage.PLAN


def test_full_run_passes_and_writes_the_report(start_wizard: Callable[..., Wizard]) -> None:
    """Mixed three-port profile end to end: applied, verified, registered, confirmed, reported."""
    wizard = start_wizard()
    page = wizard.page
    plan_mixed(wizard)
    changed = page.plan_step.changed_rows()
    assert "port1.MODE" in changed and "port2.BAUD_RATE" in changed
    assert page.plan_step.table.rowCount() > len(changed)  # unchanged rows are shown too
    assert page.primary_button.text().startswith("Apply: 12 write")

    wizard.press()  # apply, then verify (chained)
    assert page.current is Stage.VERIFY
    assert all(m is Mark.DONE for m in page.apply_step.marks)
    checks = page.verify_step.table.checks
    assert checks and all(c.passed for c in checks), [c for c in checks if not c.passed]
    assert page.verify_step.table.status_of("data.port1") is CheckStatus.PASS
    assert page.verify_step.plots.traces  # the captured values are plotted

    assert wizard.press() == "Next: register"
    wizard.settle()
    assert page.register_step.sign_in_button.isVisibleTo(page.register_step)
    assert page.primary_button.text() == "Queue for later"  # not signed in yet
    page.register_step.sign_in_button.click()
    wizard.settle()
    assert "signed in as" in page.register_step.cloud_label.text()
    assert page.register_step.ids.rowCount() == 3
    assert wizard.press() == "Register now"  # then confirm (chained)
    record = wizard.session.cloud_record
    assert record is not None and record.status == "registered", record
    assert record.node_id and record.node_id in page.register_step.node_id_label.text()
    assert page.register_step.ids.item(0, 3).text() == record.device_ids[1]
    assert page.current is Stage.CONFIRM
    confirm = page.confirm_step.table.checks
    assert confirm and all(c.status is CheckStatus.PASS for c in confirm), confirm

    assert wizard.press() == "Finish and write report"
    files = page.report_files
    assert files is not None and files.pdf.is_file() and files.html.is_file()
    assert files.pdf.read_bytes().startswith(b"%PDF")
    assert "Commissioning passed" in page.report_step.headline.text()
    summary = wizard.journal.run(wizard.session.run_id)
    assert summary.status is RunStatus.PASSED and summary.technician == "Ana Tech"
    notes = wizard.journal.events(summary.run_id, kinds=[EventKind.NOTE])
    assert any(e.key == "report" and str(files.pdf) in e.after for e in notes)
    opened: list[str] = []
    page.open_url = lambda url: opened.append(url.toLocalFile())
    page.report_step.open_pdf_button.click()
    page.report_step.show_folder_button.click()
    assert opened == [str(files.pdf), str(files.pdf.parent)]
    assert page.audit.rows and page.audit.rows[0]["run_id"] == summary.run_id

    assert wizard.press() == "Start another run"
    assert page.current is Stage.CONNECT and page.controller.session is None
    assert page.plan_step.technician_edit.text() == "Ana Tech"


def test_broken_profile_lists_its_problems(
    start_wizard: Callable[..., Wizard], tmp_path: Path
) -> None:
    """A profile with mistakes is refused before anything is written, every problem listed."""
    wizard = start_wizard(cloud=False)
    page = wizard.page
    plan_mixed(wizard)
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[profile]\nname = "Bad"\n[[ports]]\nnumber = 2\nmode = "USB"\nvoltag = 12\n',
        encoding="utf-8",
    )
    page.choose_profile_file = lambda: str(bad)
    page.plan_step.open_button.click()
    problems = [
        page.plan_step.problems.item(i).text() for i in range(page.plan_step.problems.count())
    ]
    assert any("ports[0]" in p and "voltag" in p for p in problems), problems
    assert any("USB" in p for p in problems), problems
    assert not page.primary_button.isEnabled()
    assert page.profile is None


def test_unfinished_run_is_offered_and_resumed(start_wizard: Callable[..., Wizard]) -> None:
    """A run stopped after planning is offered as "Resume run N"; resuming applies what is left."""
    wizard = start_wizard(cloud=False)
    page = wizard.page
    plan_mixed(wizard)
    wizard.settle()
    run_id = wizard.session.run_id
    page.controller.drop()  # as if the laptop closed here
    page.flows.reset_run()
    page._on_link_changed()
    button = page.connect_step.resume_buttons[run_id]
    assert button.text() == f"Resume run {run_id} (stopped at Apply)"
    button.click()
    wizard.settle()
    assert page.current is Stage.APPLY
    assert page.primary_button.text().startswith("Apply remaining 12")
    wizard.press()
    assert page.current is Stage.VERIFY
    assert all(c.passed for c in page.verify_step.table.checks)
    assert wizard.journal.unfinished(wizard.server.serial_number)[0].run_id == run_id


def test_signed_out_registration_is_queued_and_the_run_still_reports(
    start_wizard: Callable[..., Wizard],
) -> None:
    """Not signed in: the main button queues the registration; confirmation is skipped, said so."""
    wizard = start_wizard()
    page = wizard.page
    plan_mixed(wizard)
    wizard.press()  # apply and verify
    assert wizard.press() == "Next: register"
    wizard.settle()
    assert "not signed in" in page.register_step.cloud_label.text()
    assert wizard.press() == "Queue for later"
    record = wizard.session.cloud_record
    assert record is not None and record.status == "queued" and record.registration_id
    assert page.register_step.record_status.text().startswith("Queued")
    assert page.steps.marks[Stage.REGISTER] is Mark.WARNING
    confirm = page.confirm_step.table.checks
    assert [c.status for c in confirm] == [CheckStatus.SKIPPED]
    assert "queued" in confirm[0].evidence
    assert wizard.cloud is not None and wizard.cloud.workspace is not None
    queued = wizard.cloud.workspace.journal.get(record.registration_id)
    assert queued.status.value == "pending"  # the Cloud page's queue delivers it later
    assert wizard.press() == "Finish and write report"
    assert page.report_files is not None and page.report_files.pdf.is_file()
