"""Plot data as CSV: one row per distinct time, one column per channel (no Qt here).

Values received together (one line of a sensor, one telemetry round) share a time and so share a
row; a channel with no value at a row's time leaves its cell empty rather than repeating an old
value. Times are written twice: ISO 8601 UTC with milliseconds for people and spreadsheets, and
seconds since the epoch with microseconds for scripts; values with 12 significant digits. Formatting is vectorised and done in
blocks, so a few million rows take seconds and can run in a worker thread (the caller copies the
arrays first, so the rings may keep filling meanwhile).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from commissioner.ui.pages.plots.lod import Array

BLOCK = 100_000


@dataclass(frozen=True)
class ExportColumn:
    label: str
    t: Array
    values: Array


def iso_times(t: Array) -> list[str]:
    ms = np.round(np.asarray(t, dtype=np.float64) * 1000.0).astype("int64")
    text = np.datetime_as_string(ms.astype("datetime64[ms]"), unit="ms")
    return [s + "Z" for s in text.tolist()]


def write_csv(path: Path, columns: Sequence[ExportColumn]) -> int:
    """Write ``columns`` to ``path``; returns the number of data rows."""
    times = np.unique(np.concatenate([c.t for c in columns])) if columns else np.empty(0)
    # For each column, where each of its values goes. Duplicate times within a channel (several
    # lines in one chunk) keep their own rows: the k-th duplicate goes to the k-th row of that time.
    rows_for: list[np.ndarray] = []
    n_rows = len(times)
    if columns:
        # Rows needed per distinct time: the most any channel has at that time.
        need = np.ones(len(times), dtype=np.int64)
        for c in columns:
            idx = np.searchsorted(times, c.t)
            counts = np.bincount(idx, minlength=len(times))
            need = np.maximum(need, counts)
        starts = np.concatenate(([0], np.cumsum(need)[:-1]))
        n_rows = int(need.sum())
        row_times = np.repeat(times, need)
        for c in columns:
            idx = np.searchsorted(times, c.t)
            order = np.argsort(idx, kind="stable")
            sorted_idx = idx[order]
            first = np.searchsorted(sorted_idx, sorted_idx)  # position of the first of each group
            rank = np.arange(len(sorted_idx)) - first
            rows = np.empty(len(idx), dtype=np.int64)
            rows[order] = starts[sorted_idx] + rank
            rows_for.append(rows)
    else:
        row_times = times
    header = io.StringIO()
    csv.writer(header).writerow(["time_utc", "epoch_s", *(c.label for c in columns)])
    row_format = "%s,%.6f" + ",%.12g" * len(columns) + "\n"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        fh.write(header.getvalue().replace("\r\n", "\n"))
        for b0 in range(0, n_rows, BLOCK):
            b1 = min(n_rows, b0 + BLOCK)
            block = np.full((b1 - b0, len(columns)), np.nan)
            for j, (c, rows) in enumerate(zip(columns, rows_for, strict=True)):
                mask = (rows >= b0) & (rows < b1)
                block[rows[mask] - b0, j] = c.values[mask]
            stamps = row_times[b0:b1].tolist()
            text = "".join(
                row_format % (iso, t, *values)
                for iso, t, values in zip(
                    iso_times(row_times[b0:b1]), stamps, block.tolist(), strict=True
                )
            )
            # Missing values are empty cells (a real NaN from a sensor is written as "nan" too:
            # both mean "no number").
            fh.write(text.replace(",nan", ","))
    return n_rows
