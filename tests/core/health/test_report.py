"""Health as rows, JSON and text, for the CLI and support bundles."""

from __future__ import annotations

import json

import httpx

from commissioner.core.edge.client import EdgeClient
from commissioner.core.health import SPECS, Verdict, read_snapshot
from commissioner.core.health import readings as R
from commissioner.core.health.report import format_table, health_rows


async def test_rows_json_and_table_from_a_simulated_thread(
    client: EdgeClient, control: httpx.AsyncClient
) -> None:
    """Every value becomes a row with its verdict; JSON round-trips; the table flags problems."""
    await control.post("/_sim/power", json={"soc": 8})
    snapshot = await read_snapshot(client)
    rows = health_rows(snapshot.readings, snapshot.finished_at + 3)
    assert [row.key for row in rows] == list(SPECS)
    soc = next(row for row in rows if row.key == R.BATTERY_SOC)
    assert soc.verdict is Verdict.ALARM and soc.value == "8 %" and soc.age_s == 3
    data = json.loads(json.dumps([row.as_json() for row in rows]))
    assert data[0]["verdict"] in {"ok", "warning", "alarm"}
    table = format_table(rows)
    assert "X State of charge" in table and "Battery nearly empty (8 %)" in table
    assert "Port 2 / Current" in table and "3 s ago" in table
