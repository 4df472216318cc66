"""The wizard when things go wrong: a write fails mid-apply, a sensor talks at the wrong baud."""

from __future__ import annotations

from collections.abc import Callable

from commissioner.core.commissioning.run_model import CheckStatus, RunStatus, Stage
from commissioner.core.commissioning.session import RunEvent
from commissioner.core.commissioning.snapshot import read_snapshot
from commissioner.core.edge.rules import PortVoltage
from commissioner.sim.faults import Faults
from commissioner.ui.pages.commission.marks import Mark
from tests.core.edge.conftest import fast_scenario, with_sensor_baud
from tests.ui.pages.commission.test_wizard import Wizard, plan_mixed, start_wizard
from tests.waiting import until

__all__ = ["start_wizard"]  # the fixture, shared with test_wizard.py
FAIL_AT = 4  # the write that fails: after port 1 is done and port 2's properties are sent


def fail_from_write(wizard: Wizard, index: int) -> None:
    """Make the simulated THREAD answer HTTP 500 from the ``index``-th write of the apply on."""
    session = wizard.session
    report = session.on_event
    armed = [True]

    def on_event(event: RunEvent) -> None:
        if armed[0] and event.stage is Stage.APPLY and event.total and event.done == index:
            armed[0] = False  # once: a retry must find the THREAD healed
            wizard.server.device.faults.set(Faults(error_rate=1.0))
        report(event)

    session.on_event = on_event


def heal(wizard: Wizard) -> None:
    """Stop the faults and wait until the app sees the THREAD as connected again."""
    wizard.server.device.faults.set(Faults())
    wizard.run_async(until(lambda: wizard.model.client is not None))
    wizard.page._refresh()


def test_failed_write_offers_retry_skip_rollback_and_rollback_restores(
    start_wizard: Callable[..., Wizard],
) -> None:
    """A write refused mid-apply stops the run; Roll back puts the THREAD back as snapshotted."""
    wizard = start_wizard(cloud=False)
    page = wizard.page
    plan_mixed(wizard)
    wizard.settle()
    fail_from_write(wizard, FAIL_AT)
    wizard.press()
    assert page.current is Stage.APPLY
    step = page.apply_step
    assert not step.failure.isHidden()
    assert "failed" in step.reason.text() and "HTTP 500" in step.reason.text()
    assert step.marks[:FAIL_AT] == [Mark.DONE] * FAIL_AT and step.marks[FAIL_AT] is Mark.FAILED
    assert [b.text() for b in (step.retry_button, step.skip_button, step.rollback_button)] == [
        "Retry",
        "Skip this write",
        "Roll back to snapshot",
    ]
    assert page.primary_button.isHidden()
    assert page.steps.marks[Stage.APPLY] is Mark.FAILED

    heal(wizard)
    assert step.rollback_button.isEnabled()
    step.rollback_button.click()
    wizard.settle()
    outcome = page.rollback_outcome
    assert outcome is not None and outcome.ok, outcome
    assert page.current is Stage.REPORT
    assert not page.report_step.rollback_box.isHidden()
    assert page.report_step.rollback_table.rowCount() == len(outcome.checks)

    snapshot = wizard.session.snapshot
    readback = wizard.run_async(read_snapshot(wizard.model.require_client()))
    for before in snapshot.ports:
        after = readback.port(before.port)
        assert after.properties == before.properties, before.port
        assert after.device_connection == before.device_connection, before.port
    for number in (1, 2, 3):  # the snapshot measured 0 V everywhere: the outputs are off again
        assert wizard.server.state.port(number).voltage is PortVoltage.OFF
    assert readback.interface_priority == snapshot.interface_priority
    assert readback.battery_saver == snapshot.battery_saver

    assert wizard.press() == "Write report"
    assert "Rolled back" in page.report_step.headline.text()
    assert wizard.journal.run(wizard.session.run_id).status is RunStatus.ROLLED_BACK


def test_retry_after_a_failed_write_carries_on(start_wizard: Callable[..., Wizard]) -> None:
    """Once the THREAD accepts writes again, Retry sends the failed one and the run goes on."""
    wizard = start_wizard(cloud=False)
    page = wizard.page
    plan_mixed(wizard)
    wizard.settle()
    fail_from_write(wizard, FAIL_AT)
    wizard.press()
    assert not page.apply_step.failure.isHidden()
    heal(wizard)
    page.apply_step.retry_button.click()
    wizard.settle()
    assert page.current is Stage.VERIFY
    assert page.apply_step.failure.isHidden()
    assert all(m is Mark.DONE for m in page.apply_step.marks)
    assert all(c.passed for c in page.verify_step.table.checks)


def test_scan_offer_for_a_sensor_at_the_wrong_baud(start_wizard: Callable[..., Wizard]) -> None:
    """Port 1's probe talks at 4800: the scan finds it, the banner offers it, Apply fixes port 1."""
    wizard = start_wizard(with_sensor_baud(fast_scenario(), 1, 4800), cloud=False)
    page = wizard.page
    plan_mixed(wizard)
    wizard.settle()
    wizard.press()  # apply, then verify: port 1 is silent at 9600 and gets scanned
    verify = page.verify_step
    assert verify.table.status_of("data.port1") is CheckStatus.FAIL
    banner = verify.banners[1]
    assert "Port 1 speaks at 4800 8N1 (profile says 9600 8N1)" in banner.label.text()
    assert banner.apply_button.isVisibleTo(banner)

    banner.apply_button.click()
    wizard.settle()
    assert 1 not in verify.banners
    port1 = [c for c in verify.table.checks if c.port == 1]
    assert port1 and all(c.passed for c in port1), [c for c in port1 if not c.passed]
    assert verify.table.status_of("data.port1") is CheckStatus.PASS
    assert verify.table.status_of("setting.port1.BAUD_RATE") is CheckStatus.PASS
    assert wizard.server.state.port(1).properties["BAUD_RATE"] == 4800
    failed = [c for c in verify.table.checks if not c.passed]
    assert not failed and page.steps.marks[Stage.VERIFY] is Mark.DONE, failed
    assert page.primary_button.text() == "Next: register"


def test_verification_can_be_cancelled_and_run_again(start_wizard: Callable[..., Wizard]) -> None:
    """Cancel while the wizard listens to a silent sensor: the run stays at Verify, nothing lost."""
    wizard = start_wizard(with_sensor_baud(fast_scenario(), 1, 4800), cloud=False)
    page = wizard.page
    plan_mixed(wizard)
    wizard.settle()
    page.primary_button.click()  # apply, then verify (port 1 stays silent for the whole window)
    wizard.run_async(until(lambda: not page.cancel_button.isHidden()))
    assert page.current is Stage.VERIFY and not page.primary_button.isEnabled()
    page.cancel_button.click()
    wizard.settle()
    assert page.status.text().startswith("⚠ Cancelled")
    assert page.cancel_button.isHidden()
    assert wizard.session.stage is Stage.VERIFY
    assert page.primary_button.text() == "Verify" and page.primary_button.isEnabled()
    assert wizard.server.state.port(1).properties["BAUD_RATE"] == 9600  # a scan restores it
