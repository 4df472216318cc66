"""Health readings as rows, JSON and a plain-text table, for the CLI, reports and support bundles.

The dashboard is one front end; support staff script the same readings (DESIGN: every
user-visible operation is reachable from the CLI), so the verdicts and wording live here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from commissioner.core.health.readings import SPECS, Reading
from commissioner.core.health.staleness import format_age
from commissioner.core.health.thresholds import Verdict, assess


@dataclass(frozen=True)
class HealthRow:
    key: str
    group: str
    label: str
    value: str
    verdict: Verdict
    reason: str
    age_s: float | None
    error: str | None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["verdict"] = self.verdict.value
        return data


def health_rows(readings: Mapping[str, Reading], now: float) -> list[HealthRow]:
    """One row per reading, in catalogue order, with its verdict and age at ``now``."""
    rows: list[HealthRow] = []
    for key, spec in SPECS.items():
        reading = readings.get(key)
        if reading is None:
            continue
        verdict = assess(reading)
        age = reading.age(now)
        rows.append(
            HealthRow(
                key,
                spec.group.value,
                spec.label,
                reading.display(),
                verdict.verdict,
                verdict.reason,
                None if age is None else round(age, 3),
                reading.error,
            )
        )
    return rows


def format_table(rows: list[HealthRow]) -> str:
    """Aligned text: group, value, label, age, then the verdict's reason or the read failure."""
    lines: list[str] = []
    for row in rows:
        name = f"{row.group} / {row.label}" if row.group.startswith("Port") else row.label
        note = row.reason if row.verdict is not Verdict.OK else ""
        if row.error:
            note = (note + " " if note else "") + f"[read failed: {row.error}]"
        mark = {Verdict.OK: " ", Verdict.WARNING: "!", Verdict.ALARM: "X"}[row.verdict]
        age = format_age(row.age_s)
        lines.append(f"{mark} {name:<22} {row.value:>16}  {age:<14} {note}".rstrip())
    return "\n".join(lines)
