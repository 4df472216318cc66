"""The activity log records every exchange, redacts secrets, filters and exports."""

from __future__ import annotations

import contextlib
import csv
import json
from pathlib import Path

from commissioner.core.activity import REDACTED, ActivityLog, export, redact
from commissioner.core.edge.client import EdgeClient
from commissioner.sim.server import ThreadServer
from tests.core.edge.conftest import fast_scenario


async def test_records_real_requests_and_filters() -> None:
    """Requests to the simulator appear with status and outcome; filters narrow them."""
    log = ActivityLog()
    async with (
        ThreadServer(fast_scenario()) as server,
        EdgeClient(server.url, on_exchange=log.record) as client,
    ):
        await client.serial_number()
        await client.set_port_voltage(1, 1)
        with contextlib.suppress(Exception):
            await client.transport.request(
                "POST", "deviceVoltage", body={"portNumber": 1, "value": 9}
            )
    assert [e.path for e in log.entries] == ["serialNumber", "deviceVoltage", "deviceVoltage"]
    assert log.entries[1].request == '{"portNumber": 1, "value": 1}' and log.entries[1].ok
    assert log.entries[2].status == 400 and not log.entries[2].ok
    assert len(log.filtered("devicevoltage")) == 2
    assert len(log.filtered("", failures_only=True)) == 1


def test_redaction() -> None:
    """Secret-looking keys and auth header values never reach the log."""
    body = {
        "client_secret": "s3",
        "nested": {"access_token": "t"},
        "Authorization": "Bearer x",
        "ok": 1,
    }
    assert redact(body) == {
        "client_secret": REDACTED,
        "nested": {"access_token": REDACTED},
        "Authorization": REDACTED,
        "ok": 1,
    }
    assert redact("ApiKey abc") == REDACTED


async def test_export_csv_and_json(tmp_path: Path) -> None:
    """Exports write every entry, in CSV or JSON by the file's extension."""
    log = ActivityLog()
    async with (
        ThreadServer(fast_scenario()) as server,
        EdgeClient(server.url, on_exchange=log.record) as client,
    ):
        await client.temperature()
        await client.battery_voltage()
    assert export(log.entries, tmp_path / "a.csv") == 2
    rows = list(csv.DictReader((tmp_path / "a.csv").open()))
    assert [r["path"] for r in rows] == ["tempRead", "batteryVoltage"]
    export(log.entries, tmp_path / "a.json")
    assert json.loads((tmp_path / "a.json").read_text())[0]["status"] == 200


def test_capacity_counts_dropped() -> None:
    """The log is bounded and says how much it let go."""
    from commissioner.core.edge.transport import Exchange

    log = ActivityLog(capacity=3)
    for i in range(5):
        log.record(Exchange(float(i), "GET", "x", None, None, 200, 1.0, None, 1))
    assert len(log.entries) == 3 and log.dropped == 2
