"""Captured bench readings -> cloud observations, and the batching both upload paths use.

A bench capture is a list of ``(time, {channel: value})``; the cloud wants one observation per
time and sensor, ``{"sensorId", "timestamp", "values": {metric: number}}`` with the timestamp in
ISO 8601 UTC with milliseconds and ``Z``. Channels are renamed to the sensor's metric ids through
a mapping chosen by the user; channels outside the mapping are not uploaded. NaN and infinite
values cannot be sent as JSON numbers, so they are dropped and *counted*, so the UI can say
"12 values skipped" rather than silently uploading less than the capture held.

The CSV format read by :func:`read_readings_csv` is the Plots page's export
(``commissioner/ui/pages/plots/export.py``)::

    time_utc,epoch_s,<channel 1>,<channel 2>,...
    2026-11-22T05:01:02.345Z,1795237262.345000,21.5,,0.98

- A header row names the columns. The time is taken from the first of ``time_utc``,
  ``timestamp``, ``time`` (ISO 8601; ``Z`` or an offset; no zone means UTC) or ``epoch_s``
  (seconds since 1970 UTC) that is present, or from ``time_column`` when given; the other time
  columns are never treated as channels.
- Every other column is a channel; cells are numbers (``.`` decimal point). An empty cell means
  "no value at this time" (the export leaves cells empty when a channel has no value there); a
  cell reading ``nan``/``inf`` is kept as such and dropped, counted, when building observations.
- Rows whose time cannot be read, and cells that are not numbers, are skipped and reported in
  ``problems`` (with their line numbers), not guessed at.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from commissioner.core.cloud.rpc_types import iso_ms

T = TypeVar("T")
Reading = tuple[datetime, Mapping[str, float]]
Observation = dict[str, Any]
TIME_COLUMNS = ("time_utc", "timestamp", "time", "epoch_s")
MAX_PROBLEMS = 20


@dataclass
class ObservationSet:
    """Observations ready to upload, and what was left out and why (counts, for the UI)."""

    observations: list[Observation] = field(default_factory=list)
    skipped_values: int = 0  # NaN / infinite values dropped
    skipped_readings: int = 0  # readings with no uploadable value left
    unmapped_channels: set[str] = field(default_factory=set)

    @property
    def skipped(self) -> int:
        return self.skipped_values

    def batches(self, size: int) -> list[list[Observation]]:
        return list(batched(self.observations, size))


@dataclass
class CsvReadings:
    """What :func:`read_readings_csv` found: readings, channel names, and skipped rows/cells."""

    readings: list[Reading]
    channels: list[str]
    time_column: str
    skipped_rows: int = 0
    skipped_cells: int = 0
    problems: list[str] = field(default_factory=list)


def timestamp_text(moment: datetime) -> str:
    """ISO 8601 UTC with milliseconds and ``Z``; a naive datetime is taken as UTC."""
    return iso_ms(moment)


def build_observations(
    sensor_id: str,
    readings: Iterable[Reading],
    channel_metrics: Mapping[str, str],
) -> ObservationSet:
    """One observation per reading for ``sensor_id``, values renamed channel -> metric.

    Readings keep their order. A reading whose every mapped value is NaN/inf (or absent) yields
    no observation and is counted in ``skipped_readings``.
    """
    result = ObservationSet()
    for moment, values in readings:
        metrics: dict[str, float] = {}
        for channel, value in values.items():
            metric = channel_metrics.get(channel)
            if metric is None:
                result.unmapped_channels.add(channel)
                continue
            number = float(value)
            if not math.isfinite(number):
                result.skipped_values += 1
                continue
            metrics[metric] = number
        if not metrics:
            result.skipped_readings += 1
            continue
        result.observations.append(
            {"sensorId": sensor_id, "timestamp": iso_ms(moment), "values": metrics}
        )
    return result


def batched(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items (the API takes bounded uploads)."""
    if size < 1:
        raise ValueError(f"batch size must be at least 1, not {size}")
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def read_readings_csv(path: Path, *, time_column: str | None = None) -> CsvReadings:
    """Readings from a CSV file in the format described in the module docstring."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = csv.reader(fh)
        header = next(rows, None)
        if header is None:
            raise ValueError(f"{path.name} is empty; expected a header row")
        names = [name.strip() for name in header]
        chosen = time_column or next((n for n in TIME_COLUMNS if n in names), None)
        if chosen is None or chosen not in names:
            raise ValueError(
                f"{path.name} has no time column; expected one of {', '.join(TIME_COLUMNS)}"
            )
        time_index = names.index(chosen)
        channel_index = [
            (i, n) for i, n in enumerate(names) if i != time_index and n not in TIME_COLUMNS and n
        ]
        out = CsvReadings([], [n for _, n in channel_index], chosen)
        for line, row in enumerate(rows, start=2):
            if not any(cell.strip() for cell in row):
                continue
            moment = _parse_time(row[time_index] if time_index < len(row) else "", chosen)
            if moment is None:
                out.skipped_rows += 1
                _note(out, f"line {line}: cannot read the time {row[time_index : time_index + 1]}")
                continue
            values: dict[str, float] = {}
            for index, name in channel_index:
                cell = row[index].strip() if index < len(row) else ""
                if not cell:
                    continue
                try:
                    values[name] = float(cell)
                except ValueError:
                    out.skipped_cells += 1
                    _note(out, f"line {line}: {name} is not a number ({cell[:20]!r})")
            out.readings.append((moment, values))
    return out


def _parse_time(cell: str, column: str) -> datetime | None:
    text = cell.strip()
    if not text:
        return None
    try:
        if column == "epoch_s":
            return datetime.fromtimestamp(float(text), tz=UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _note(out: CsvReadings, problem: str) -> None:
    if len(out.problems) < MAX_PROBLEMS:
        out.problems.append(problem)
