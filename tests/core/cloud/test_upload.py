"""Bench readings -> cloud observations: renaming, timestamps, skipped values, CSV, batches."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from commissioner.core.cloud.upload import (
    batched,
    build_observations,
    read_readings_csv,
    timestamp_text,
)
from tests.core.cloud.test_rpc_support import fast_client, register_sensor

T0 = datetime(2026, 11, 22, 5, 1, 2, 345678, tzinfo=UTC)


def test_observations_rename_channels_and_format_timestamps() -> None:
    """Each reading becomes {sensorId, timestamp (ms, Z), values keyed by metric}."""
    readings = [
        (T0, {"ch1": 21.5, "ch2": 0.98, "extra": 7.0}),
        (T0 + timedelta(seconds=1), {"ch1": 22, "ch2": 1.0}),
    ]
    result = build_observations("/s/1/sensor", readings, {"ch1": "T", "ch2": "P"})
    assert result.observations == [
        {
            "sensorId": "/s/1/sensor",
            "timestamp": "2026-11-22T05:01:02.345Z",
            "values": {"T": 21.5, "P": 0.98},
        },
        {
            "sensorId": "/s/1/sensor",
            "timestamp": "2026-11-22T05:01:03.345Z",
            "values": {"T": 22.0, "P": 1.0},
        },
    ]
    assert result.unmapped_channels == {"extra"}
    assert result.skipped == 0


def test_non_finite_values_are_dropped_and_counted() -> None:
    readings = [
        (T0, {"a": math.nan, "b": 1.0}),
        (T0, {"a": math.inf, "b": -math.inf}),  # nothing left: the reading is skipped too
        (T0, {"a": 2.0}),
    ]
    result = build_observations("s", readings, {"a": "x", "b": "y"})
    assert [o["values"] for o in result.observations] == [{"y": 1.0}, {"x": 2.0}]
    assert result.skipped_values == 3
    assert result.skipped_readings == 1


def test_timestamps_are_converted_to_utc() -> None:
    """An aware time in another zone is converted; a naive one is taken as UTC."""
    local = datetime(2026, 1, 1, 10, 0, 0, 5000, tzinfo=timezone(timedelta(hours=2)))
    assert timestamp_text(local) == "2026-01-01T08:00:00.005Z"
    assert timestamp_text(datetime(2026, 1, 1, 0, 0)) == "2026-01-01T00:00:00.000Z"


def test_batches_hold_at_most_n() -> None:
    assert [len(b) for b in batched(list(range(1201)), 500)] == [500, 500, 201]
    assert list(batched([], 10)) == []
    with pytest.raises(ValueError):
        list(batched([1], 0))


def _write_plot_export(path: Path) -> None:
    """A file in the Plots page's export format (header, empty cells for missing values)."""
    path.write_text(
        "time_utc,epoch_s,Port 1 T,Port 1 P\n"
        "2026-11-22T05:01:02.345Z,1795237262.345000,21.5,0.98\n"
        "2026-11-22T05:01:03.345Z,1795237263.345000,,1.01\n"
        "2026-11-22T05:01:04.345Z,1795237264.345000,nan,1.02\n",
        encoding="utf-8",
    )


def test_reads_the_plot_csv_export(tmp_path: Path) -> None:
    """time_utc is the time; epoch_s is not a channel; empty cells are absent values."""
    path = tmp_path / "plots.csv"
    _write_plot_export(path)
    found = read_readings_csv(path)
    assert found.time_column == "time_utc"
    assert found.channels == ["Port 1 T", "Port 1 P"]
    assert [r[0] for r in found.readings] == [
        datetime(2026, 11, 22, 5, 1, s, 345000, tzinfo=UTC) for s in (2, 3, 4)
    ]
    assert found.readings[0][1] == {"Port 1 T": 21.5, "Port 1 P": 0.98}
    assert found.readings[1][1] == {"Port 1 P": 1.01}
    result = build_observations("s", found.readings, {"Port 1 T": "T", "Port 1 P": "P"})
    assert len(result.observations) == 3 and result.skipped_values == 1


def test_csv_with_epoch_time_and_bad_rows(tmp_path: Path) -> None:
    """epoch_s alone works; unreadable times and cells are skipped and reported by line."""
    path = tmp_path / "bench.csv"
    path.write_text("epoch_s,volts\n0,1.5\nyesterday,2\n1.5,abc\n", encoding="utf-8")
    found = read_readings_csv(path)
    assert found.time_column == "epoch_s"
    assert found.readings[0] == (datetime(1970, 1, 1, tzinfo=UTC), {"volts": 1.5})
    assert found.readings[1] == (datetime(1970, 1, 1, 0, 0, 1, 500000, tzinfo=UTC), {})
    assert found.skipped_rows == 1 and found.skipped_cells == 1
    assert any("line 3" in p for p in found.problems)
    assert any("line 4" in p for p in found.problems)


def test_csv_without_time_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "no-time.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="time column"):
        read_readings_csv(path)


async def test_csv_readings_upload_in_batches(cloud_sim: Any, tmp_path: Path) -> None:
    """Readings from a CSV, uploaded over the socket in batches, are all stored."""
    reg = await register_sensor(cloud_sim)
    path = tmp_path / "many.csv"
    lines = ["time_utc,epoch_s,temp"]
    for i in range(120):
        moment = T0 + timedelta(seconds=i)
        lines.append(f"{timestamp_text(moment)},{moment.timestamp():.6f},{20 + i / 10}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = build_observations(reg.sensor_id, read_readings_csv(path).readings, {"temp": "T"})
    async with fast_client(cloud_sim) as client:
        stored = [await client.upload_data(batch) for batch in result.batches(50)]
        assert stored == [50, 50, 20]
        series = await client.get_data(reg.sensor_id, "T", "C")
    assert len(series) == 120
    assert series[timestamp_text(T0)] == 20.0
