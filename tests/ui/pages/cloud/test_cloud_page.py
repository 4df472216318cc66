"""Cloud page against the embedded cloud simulator and a simulated THREAD, all over loopback."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from commissioner.core.cloud.journal import RegistrationStatus
from commissioner.core.cloud.profiles import SIM_API_KEY, AuthMethod
from commissioner.core.settings import Settings
from commissioner.sim.server import ThreadServer
from commissioner.ui.pages.cloud import CloudModel, CloudPage
from commissioner.ui.pages.cloud.mapping_table import C_DEVT, C_IDS, C_METRICS, C_SENN, C_SENT
from commissioner.ui.pages.cloud.verify_tab import BAD_MARK, OK_MARK
from commissioner.ui.session_model import SessionModel
from commissioner.ui.widgets.inline_status import Level
from tests.waiting import until

RunAsync = Callable[..., Any]
MODES = {1: "RS232", 2: "RS485", 3: "ANALOG"}


@pytest.fixture
def page(
    qtbot: QtBot,
    sim_model: tuple[SessionModel, ThreadServer],
    run_async: RunAsync,
    tmp_path: Path,
) -> Iterator[CloudPage]:
    """A Cloud page on the Simulator profile with a quick queue, its workspace already open."""
    settings = Settings()
    cloud = CloudModel(
        settings, lambda: None, data_folder=tmp_path, probe_interval_s=5.0, backoff_s=(0.05,)
    )
    page = CloudPage(sim_model[0], cloud, settings, lambda: None, port_modes=lambda _s: MODES)
    qtbot.addWidget(page)
    page.queue_tab.confirm = lambda _title, _text: True
    page.start()
    run_async(page.wait_idle())
    yield page
    run_async(page.aclose())
    run_async(cloud.aclose())


def sign_in(page: CloudPage, run_async: RunAsync) -> None:
    page.account.sign_in()
    run_async(page.wait_idle())


def register(page: CloudPage, run_async: RunAsync) -> None:
    page.register_tab.register()
    run_async(page.wait_idle())


def test_sign_in_on_the_simulator_shows_the_account(page: CloudPage, run_async: RunAsync) -> None:
    """Signing in (the simulator's browser flow, followed in-app) names the demo installer."""
    assert page.account.profile_combo.currentText() == "Simulator"
    assert page.account.account_label.text() == "(nobody)"
    sign_in(page, run_async)
    assert "installer@example.com" in page.account.account_label.text()
    assert page.account.state_label.text() == "Signed in"
    assert page.account.sign_out_button.isEnabled()
    page.account.sign_out()
    assert page.account.state_label.text() == "Signed out"


def test_refreshing_templates_fills_the_template_pickers(
    page: CloudPage, run_async: RunAsync
) -> None:
    """The sensor template combos offer the cloud's sensor types after a refresh."""
    sign_in(page, run_async)
    page.register_tab.refresh_templates()
    run_async(page.wait_idle())
    combo = page.register_tab.table.combo(0, C_SENT)
    items = [combo.itemText(i) for i in range(combo.count())]
    assert "TEMPERATURE_SDE" in items and "GENERIC_SENSOR_SDE" in items
    assert combo.currentText() == "GENERIC_SENSOR_SDE"
    assert "fetched from the cloud" in page.register_tab.templates_label.text()


def test_preview_shows_the_request_and_flags_bad_rows(page: CloudPage, run_async: RunAsync) -> None:
    """The preview holds the exact JSON; a missing sensor name and a bad metrics cell are marked."""
    tab = page.register_tab
    tab.table.item(0, C_SENN).setText("")
    tab.table.item(1, C_METRICS).setText("Displacement")
    tab.preview()
    dialog = tab.preview_dialog
    assert dialog is not None
    request = json.loads(dialog.json_view.toPlainText())
    assert request["integration"]["changeState"] == "new"
    assert len(request["integration"]["devices"]) == 3
    texts = [dialog.problem_list.item(i).text() for i in range(dialog.problem_list.count())]
    assert "Port 1, Sensor name: the sensor needs a name" in texts
    assert any(t.startswith("Port 2, Metrics") and "metric:unit" in t for t in texts)
    assert "needs a name" in tab.table.problem_at(0, C_SENN)
    assert "metric:unit" in tab.table.problem_at(1, C_METRICS)
    dialog.close()
    register(page, run_async)  # refused locally: nothing is journaled
    assert tab.status.level is Level.ERROR
    assert page.cloud.workspace is not None and page.cloud.workspace.journal.list() == []


def test_register_shows_the_returned_ids(page: CloudPage, run_async: RunAsync) -> None:
    """Registering creates the connection and shows each port's device and sensor ids."""
    sign_in(page, run_async)
    register(page, run_async)
    tab = page.register_tab
    assert tab.status.level is Level.OK, tab.status.text()
    outcome = tab.last_outcome
    assert outcome is not None and outcome.status is RegistrationStatus.SENT
    assert outcome.node_id and outcome.node_id in tab.status.text()
    for row in range(3):
        ids = tab.table.item(row, C_IDS).text()
        assert "/device" in ids and "/sensor" in ids
    assert page.cloud.sim.counts()["devices"] == 3


def test_registration_during_an_outage_is_delivered_once(
    page: CloudPage, run_async: RunAsync
) -> None:
    """Cloud down -> register is queued; cloud back -> the queue row becomes sent, sent once."""
    sign_in(page, run_async)
    page.account.outage_check.setChecked(True)
    run_async(page.wait_idle())
    assert page.cloud.outage
    register(page, run_async)
    tab = page.register_tab
    assert tab.last_outcome is not None
    assert tab.last_outcome.status is RegistrationStatus.PENDING
    assert tab.status.text().startswith("⚠ Queued")
    rid = tab.last_outcome.registration_id
    queue = page.queue_tab
    assert queue.rows[0].id == rid and queue.table.item(0, 3).text() == "pending"

    page.account.outage_check.setChecked(False)
    ws = page.cloud.workspace
    assert ws is not None
    run_async(until(lambda: ws.journal.get(rid).status is RegistrationStatus.SENT))
    queue.send_now()  # a second pass must not send it again
    run_async(page.wait_idle())
    assert queue.table.item(0, 3).text() == "sent"
    counts = page.cloud.sim.counts()
    assert (counts["nodes"], counts["devices"], counts["sensors"]) == (1, 3, 3)
    integrates = [r for r in page.cloud.sim.requests if r.path.endswith("/integrate")]
    assert len(integrates) == 1


def test_queued_registration_can_be_discarded(page: CloudPage, run_async: RunAsync) -> None:
    """Queue for later (signed out, so it cannot go) then Discard: the row is discarded."""
    page.register_tab.queue_for_later()
    queue = page.queue_tab
    assert queue.table.rowCount() == 1
    queue.table.selectRow(0)
    assert queue.discard_button.isEnabled()
    queue.discard_selected()
    assert queue.table.item(0, 3).text() == "discarded"
    assert not queue.discard_button.isEnabled()


def test_verify_tab_checks_pass_and_node_goes_online(page: CloudPage, run_async: RunAsync) -> None:
    """After registering: every check passes; a test upload brings the connection online."""
    sign_in(page, run_async)
    register(page, run_async)
    verify = page.verify_tab
    assert verify.registration_combo.count() == 1
    assert verify.sensor_combo.count() == 3
    verify.check()
    run_async(page.wait_idle())
    marks = {verify.checks_table.item(r, 3).text() for r in range(verify.checks_table.rowCount())}
    assert marks == {OK_MARK} and BAD_MARK not in marks
    assert "offline" in verify.presence_label.text()
    verify.watch()
    run_async(page.wait_idle())
    verify.upload_test_reading()
    run_async(page.wait_idle())
    assert verify.status.level is Level.OK, verify.status.text()
    run_async(until(lambda: "● online" in verify.presence_label.text()))
    run_async(until(lambda: verify.observations.count() >= 3))
    assert page.cloud.sim.counts()["observations"] == 3


def test_bench_csv_upload_reports_counts_and_problems(
    page: CloudPage, run_async: RunAsync, tmp_path: Path
) -> None:
    """A Plots-style CSV goes to the chosen sensor; bad rows are reported, not guessed."""
    sign_in(page, run_async)
    register(page, run_async)
    verify = page.verify_tab
    index = next(i for i, s in enumerate(verify.sensors) if s.port == 1)
    verify.sensor_combo.setCurrentIndex(index)
    csv = tmp_path / "bench.csv"
    csv.write_text(
        "time_utc,temperature,humidity,pressure\n"
        "2026-11-22T05:00:00.000Z,21.5,40,1013\n"
        "not a time,1,2,3\n"
        "2026-11-22T05:00:01.000Z,21.6,41,1012\n",
        encoding="utf-8",
    )
    verify.upload_csv(csv)
    run_async(page.wait_idle())
    assert verify.status.text().startswith("⚠ 2 of 2 observations")
    assert verify.upload_problems.count() == 1
    assert "line 3" in verify.upload_problems.item(0).text()
    assert page.cloud.sim.counts()["observations"] == 2


def test_queue_table_lists_newest_first_with_selection(page: CloudPage) -> None:
    """Two queued registrations: the newest is on top and Edit is allowed for pending ones."""
    page.register_tab.queue_for_later()
    page.register_tab.queue_for_later()
    queue = page.queue_tab
    assert [r.id for r in queue.rows] == [2, 1]
    queue.table.selectRow(1)
    assert queue.selected_id() == 1 and queue.edit_button.isEnabled()
    assert queue.table.item(1, 0).data(Qt.ItemDataRole.UserRole) == 1


def test_rate_limit_shows_a_countdown_then_registers(page: CloudPage, run_async: RunAsync) -> None:
    """A 429 is waited out with a live countdown (Retry-After), then the registration goes."""
    sign_in(page, run_async)
    waits: list[tuple[float, str]] = []
    page.cloud.sig_wait.connect(lambda s, r: waits.append((s, r)))
    page.cloud.sim.faults.retry_after_s = 1
    page.cloud.sim.faults.rate_limit = 1
    register(page, run_async)
    assert waits and waits[0][0] >= 1
    outcome = page.register_tab.last_outcome
    assert outcome is not None and outcome.status is RegistrationStatus.SENT


def test_forbidden_and_cloud_422_are_explained(page: CloudPage, run_async: RunAsync) -> None:
    """403 says which role is missing; a 422 target is painted on the cell it names."""
    sign_in(page, run_async)
    page.cloud.sim.faults.missing_role = True
    register(page, run_async)
    tab = page.register_tab
    assert tab.status.level is Level.ERROR and "IoT Creator" in tab.status.text()
    page.cloud.sim.faults.missing_role = False
    tab.table.combo(0, C_DEVT).setCurrentText("NOT_A_DEVICE_SDE")  # templates not fetched
    register(page, run_async)
    assert tab.status.level is Level.ERROR
    assert tab.table.problem_at(0, C_DEVT), tab.problem_list.item(0).text()


def test_api_key_sign_in_asks_for_the_key_masked(page: CloudPage, run_async: RunAsync) -> None:
    """Switching to API key rebuilds the workspace; the key is asked for, never shown."""
    account = page.account
    account.method_combo.setCurrentIndex(account.method_combo.findData(AuthMethod.API_KEY))
    account._on_method_chosen()
    run_async(page.wait_idle())
    assert page.cloud.workspace is not None
    assert page.cloud.workspace.profile.auth_method is AuthMethod.API_KEY
    asked: list[tuple[str, bool]] = []

    def ask(_parent: object, what: str, persistent: bool, _hint: str) -> str:
        asked.append((what, persistent))
        return SIM_API_KEY

    account.ask_secret = ask
    sign_in(page, run_async)
    assert asked == [("API key", page.cloud.secrets.persistent)]
    assert account.account_label.text() == "API key"
    assert SIM_API_KEY not in account.status.text()
    assert page.cloud.settings.cloud_profiles["Simulator"]["auth_method"] == "api_key"


def test_edit_dialog_validates_before_saving(page: CloudPage, run_async: RunAsync) -> None:
    """Bad JSON and invalid requests are refused; a valid edit is saved and pending again."""
    page.register_tab.queue_for_later()
    queue = page.queue_tab
    queue.table.selectRow(0)
    queue.edit_selected()
    dialog = queue.edit_dialog
    dialog.editor.setPlainText("{not json")
    assert not dialog.try_accept() and "Not valid JSON" in dialog.problems.text()
    request = json.loads(json.dumps(queue.rows[0].request))
    request["integration"]["devices"][0]["props"].pop("INTEGRATION_ID")
    dialog.editor.setPlainText(json.dumps(request))
    assert not dialog.try_accept() and "INTEGRATION_ID" in dialog.problems.text()
    request["integration"]["devices"][0]["props"]["INTEGRATION_ID"] = "IMPORT_DEVICE_SDE"
    request["integration"]["devices"][0]["props"]["NAME"] = "Renamed in the queue"
    dialog.editor.setPlainText(json.dumps(request))
    assert dialog.try_accept()
    ws = page.cloud.workspace
    assert ws is not None
    saved = ws.journal.get(queue.rows[0].id)
    assert saved.request["integration"]["devices"][0]["props"]["NAME"] == "Renamed in the queue"
    assert saved.status is RegistrationStatus.PENDING


def test_production_profile_needs_client_ids_before_sign_in(
    page: CloudPage, run_async: RunAsync
) -> None:
    """Picking iTwin IoT shows the client id fields; signing in without one says what to enter.

    Nothing is sent anywhere: the profile is checked before any browser or request.
    """
    account = page.account
    account.profile_combo.setCurrentText("iTwin IoT")
    account._on_profile_chosen()
    run_async(page.wait_idle())
    assert page.cloud.workspace is not None
    assert page.cloud.workspace.profile.name == "iTwin IoT"
    assert not account.ids_row.isHidden() and account.outage_check.isHidden()
    sign_in(page, run_async)
    assert account.status.level is Level.ERROR
    assert "client id" in account.status.text()
    assert page.cloud.settings.cloud_profile == "iTwin IoT"
