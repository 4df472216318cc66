"""Verify tab: is what was sent now in the cloud, is the connection online, do readings arrive?

The checks come from the core comparison of the sent request with the connection fetched now;
presence and observations come over the JSON-RPC socket, so they show the cloud's own view.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from commissioner.core.cloud.journal import RegistrationStatus
from commissioner.core.cloud.presence import WatchedObservation
from commissioner.core.cloud.upload import build_observations, read_readings_csv
from commissioner.core.cloud.verify import VerificationCheck, entries
from commissioner.core.sensor_catalogue import SensorModel
from commissioner.ui.pages.cloud.dialogs import describe_cloud_error, problem_text
from commissioner.ui.pages.cloud.model import CloudModel
from commissioner.ui.pages.cloud.sensors import (
    SentSensor,
    channel_metrics,
    sample_value,
    sent_sensors,
)
from commissioner.ui.tasks import TaskRunner
from commissioner.ui.widgets.inline_status import InlineStatus

OK_MARK, BAD_MARK = "✓", "✗"


class VerifyTab(QWidget):
    def __init__(
        self, model: CloudModel, models: list[SensorModel], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.model, self.models = model, models
        self.runner = TaskRunner(self._on_error, self)
        self.sensors: list[SentSensor] = []
        self.checks: list[VerificationCheck] = []
        self.registration_combo = QComboBox()
        self.registration_combo.setMinimumContentsLength(40)
        self.check_button = QPushButton("Check in the cloud")
        self.presence_label = QLabel("Connection: not checked yet")
        self.sensor_combo = QComboBox()
        self.sensor_combo.setMinimumContentsLength(40)
        self.test_button = QPushButton("Upload a test reading")
        self.test_button.setToolTip(
            "Posts one observation per sensor with mid-range TEST values from the sensor "
            "catalogue, so the connection shows online"
        )
        self.watch_button = QPushButton("Watch observations")
        self.csv_button = QPushButton("Upload bench readings…")
        self.checks_table = QTableWidget(0, 4)
        self.checks_table.setHorizontalHeaderLabels(("Item", "Expected", "Actual", "OK"))
        self.checks_table.verticalHeader().setVisible(False)
        header = self.checks_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.summary = QLabel("")
        self.observations = QListWidget()
        self.upload_problems = QListWidget()
        self.upload_problems.setVisible(False)
        self.status = InlineStatus()
        self._build_layout()
        self.check_button.clicked.connect(self.check)
        self.test_button.clicked.connect(self.upload_test_reading)
        self.watch_button.clicked.connect(self.watch)
        self.csv_button.clicked.connect(self._choose_csv)
        self.registration_combo.currentIndexChanged.connect(self._on_registration_chosen)
        model.sig_queue_changed.connect(lambda _e: self.reload())
        model.sig_workspace_changed.connect(self.reload)
        model.sig_presence.connect(self._on_presence)
        model.sig_observation.connect(self._on_observation)
        self.reload()

    def _build_layout(self) -> None:
        grid = QGridLayout()
        grid.addWidget(QLabel("Registration"), 0, 0)
        grid.addWidget(self.registration_combo, 0, 1)
        grid.addWidget(self.check_button, 0, 2)
        grid.addWidget(self.presence_label, 1, 1, 1, 2)
        grid.addWidget(QLabel("Sensor"), 2, 0)
        grid.addWidget(self.sensor_combo, 2, 1)
        row = QHBoxLayout()
        for button in (self.test_button, self.watch_button, self.csv_button):
            row.addWidget(button)
        row.addStretch(1)
        grid.addLayout(row, 3, 1, 1, 2)
        grid.setColumnStretch(1, 1)
        lower = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.summary)
        left.addWidget(self.checks_table, 1)
        right = QVBoxLayout()
        right.addWidget(QLabel("Observations arriving in the cloud"))
        right.addWidget(self.observations, 1)
        right.addWidget(self.upload_problems)
        lower.addLayout(left, 3)
        lower.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addLayout(lower, 1)
        layout.addWidget(self.status)

    # -- registrations -------------------------------------------------------------------------

    def reload(self) -> None:
        ws = self.model.workspace
        sent = ws.journal.list([RegistrationStatus.SENT]) if ws is not None else []
        current = self.registration_combo.currentData()
        self.registration_combo.blockSignals(True)
        self.registration_combo.clear()
        for item in reversed(sent):
            self.registration_combo.addItem(
                f"#{item.id} THREAD {item.thread_serial} → {item.node_id}", item.id
            )
        index = self.registration_combo.findData(current)
        self.registration_combo.setCurrentIndex(index if index >= 0 else 0)
        self.registration_combo.blockSignals(False)
        self._on_registration_chosen()

    def _on_registration_chosen(self, _index: int = 0) -> None:
        ws = self.model.workspace
        rid = self.registration_combo.currentData()
        self.sensors = []
        if ws is not None and rid is not None:
            item = ws.journal.get(int(rid))
            refs = {}
            for _kind, entry, _parent in entries(item.request):
                ref = str(entry.get("refId", ""))
                cloud = ws.journal.cloud_id(ref, project_id=item.project_id)
                if cloud:
                    refs[ref] = cloud
            self.sensors = sent_sensors(item, refs)
        chosen = self.sensor_combo.currentData()
        self.sensor_combo.clear()
        for sensor in self.sensors:
            self.sensor_combo.addItem(sensor.label, sensor.cloud_id)
        self.sensor_combo.setCurrentIndex(max(0, self.sensor_combo.findData(chosen)))
        has = bool(self.sensors)
        for button in (self.test_button, self.watch_button, self.csv_button):
            button.setEnabled(has)
        self.check_button.setEnabled(rid is not None)

    def selected_node(self) -> str | None:
        ws = self.model.workspace
        rid = self.registration_combo.currentData()
        if ws is None or rid is None:
            return None
        return ws.journal.get(int(rid)).node_id

    def selected_sensor(self) -> SentSensor | None:
        index = self.sensor_combo.currentIndex()
        return self.sensors[index] if 0 <= index < len(self.sensors) else None

    # -- checks and presence -------------------------------------------------------------------

    def check(self) -> None:
        rid = self.registration_combo.currentData()
        if rid is not None:
            self.runner.run(self._check(int(rid)))

    async def _check(self, rid: int) -> None:
        ws = await self.model.ensure_workspace()
        self.status.working("Fetching the connection from the cloud…")
        fetched, checks = await ws.verify(rid)
        self.show_checks(checks)
        failed = sum(1 for c in checks if not c.ok)
        if failed:
            self.status.error(f"{failed} of {len(checks)} checks failed: see the rows marked ✗.")
        else:
            self.status.ok(f"All {len(checks)} checks passed: the cloud holds what was sent.")
        await self.model.watch_node(fetched.node.id)
        presence = self.model.presence
        if presence is not None:
            last = presence.last_comm.isoformat(timespec="seconds") if presence.last_comm else ""
            self._on_presence(presence.online, last)

    def show_checks(self, checks: list[VerificationCheck]) -> None:
        self.checks = checks
        self.checks_table.setRowCount(len(checks))
        for row, check in enumerate(checks):
            values = (check.item, check.expected, check.actual, OK_MARK if check.ok else BAD_MARK)
            for column, text in enumerate(values):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                self.checks_table.setItem(row, column, cell)
        passed = sum(1 for c in checks if c.ok)
        self.summary.setText(f"{passed} of {len(checks)} checks pass.")

    def _on_presence(self, online: bool, last_comm: str) -> None:
        when = f", last data {last_comm}" if last_comm else ", no data received yet"
        state = "● online" if online else "○ offline"
        colour = "#2e9d4f" if online else "#c77d00"
        self.presence_label.setStyleSheet(f"color: {colour};")
        self.presence_label.setText(f"Connection {self.selected_node() or ''}: {state}{when}")

    # -- observations --------------------------------------------------------------------------

    def upload_test_reading(self) -> None:
        self.runner.run(self._upload_test())

    async def _upload_test(self) -> None:
        ws = await self.model.ensure_workspace()
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + "000Z"
        observations = [
            {
                "sensorId": s.cloud_id,
                "timestamp": now,
                "values": {m: sample_value(m, self.models) for m, _u in s.metrics},
            }
            for s in self.sensors
            if s.metrics
        ]
        self.status.working("Uploading one TEST reading per sensor (catalogue mid-range values)…")
        report = await ws.upload(observations)
        self._show_report(report, "test reading(s) (mid-range TEST values)")

    def watch(self) -> None:
        sensor = self.selected_sensor()
        if sensor is not None:
            self.runner.run(self._watch(sensor))

    async def _watch(self, sensor: SentSensor) -> None:
        await self.model.watch_sensor(sensor.cloud_id, sensor.metrics)
        self.status.ok(f"Watching {sensor.label}: new observations appear on the right.")

    def _on_observation(self, item: WatchedObservation) -> None:
        self.observations.insertItem(
            0, f"{item.timestamp_text}  {item.metric} = {item.value:g} {item.unit}"
        )
        while self.observations.count() > 500:
            self.observations.takeItem(self.observations.count() - 1)

    def _choose_csv(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Upload bench readings", "", "CSV files (*.csv);;All files (*)"
        )
        if path:
            self.upload_csv(Path(path))

    def upload_csv(self, path: Path) -> None:
        sensor = self.selected_sensor()
        if sensor is not None:
            self.runner.run(self._upload_csv(path, sensor))

    async def _upload_csv(self, path: Path, sensor: SentSensor) -> None:
        try:
            readings = read_readings_csv(path)
        except (OSError, ValueError) as exc:
            self.status.error(f"Cannot read {path.name}: {exc}")
            return
        mapping = channel_metrics(readings.channels, sensor, self.models)
        if not mapping:
            self.status.error(
                f"None of the columns of {path.name} ({', '.join(readings.channels)}) match a "
                f"metric of the sensor ({', '.join(m for m, _ in sensor.metrics)})."
            )
            return
        built = build_observations(sensor.cloud_id, readings.readings, mapping)
        ws = await self.model.ensure_workspace()
        self.status.working(f"Uploading {len(built.observations)} observations…")
        report = await ws.upload(built.observations)
        skipped = readings.skipped_rows + built.skipped_readings
        self._show_report(report, f"observations from {path.name}", readings.problems, skipped)

    def _show_report(
        self, report: object, what: str, extra: list[str] | None = None, skipped: int = 0
    ) -> None:
        problems = [problem_text(p) for p in report.problems]  # type: ignore[attr-defined]
        problems += list(extra or [])
        stopped = report.stopped_by  # type: ignore[attr-defined]
        if stopped is not None:
            problems.append(describe_cloud_error(stopped))
        self.upload_problems.clear()
        self.upload_problems.addItems(problems)
        self.upload_problems.setVisible(bool(problems))
        accepted, total = report.accepted_count, report.total  # type: ignore[attr-defined]
        text = f"{accepted} of {total} {what} accepted, {total - accepted} rejected or unsent"
        if skipped:
            text += f", {skipped} rows skipped"
        if accepted == total and not problems:
            self.status.ok(text + ".")
        else:
            self.status.warning(text + ": see the problems listed.")

    def _on_error(self, exc: BaseException) -> None:
        self.status.error(describe_cloud_error(exc))
