"""Per-channel acceptance: is the value in its expected range, and is it still arriving?

The verdict is about *now*: the newest value decides PASS or OUT_OF_RANGE, and a channel whose
newest value is older than its expected interval is STALE whatever that value was. How many values
were ever out of range is kept too, so a report can say "3 of 120 readings above 50".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from commissioner.core.streams.parsers import Sample


@dataclass(frozen=True)
class Acceptance:
    """Expected range (either end optional) and the longest acceptable time between values."""

    minimum: float | None = None
    maximum: float | None = None
    max_interval_s: float | None = None

    def __post_init__(self) -> None:
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError(f"the minimum {self.minimum:g} is above the maximum {self.maximum:g}")
        if self.max_interval_s is not None and not self.max_interval_s > 0:
            raise ValueError("the expected interval must be more than 0 s")

    @property
    def has_range(self) -> bool:
        return self.minimum is not None or self.maximum is not None

    def in_range(self, value: float) -> bool:
        if math.isnan(value):
            return not self.has_range
        if self.minimum is not None and value < self.minimum:
            return False
        return not (self.maximum is not None and value > self.maximum)


class Verdict(StrEnum):
    NO_DATA = "no data"
    PASS = "pass"
    OUT_OF_RANGE = "out of range"
    STALE = "stale"


class ChannelJudge:
    """Keeps what a verdict needs about one channel: the newest value, its time, and counts."""

    def __init__(self, acceptance: Acceptance | None = None, unit: str = "") -> None:
        self.acceptance = acceptance or Acceptance()
        self.unit = unit
        self.count = 0
        self.out_of_range_count = 0
        self.last_value = math.nan
        self.last_t: float | None = None

    def update(self, sample: Sample) -> None:
        self.update_values(sample.t, (sample.value,))

    def update_values(self, t: float, values: npt.NDArray[np.float64] | Sequence[float]) -> None:
        """Many values that arrived together at ``t`` (one chunk), oldest first."""
        n = len(values)
        if not n:
            return
        self.count += n
        if self.last_t is None or t > self.last_t:
            self.last_t = t
        self.last_value = float(values[-1])
        acc = self.acceptance
        if acc.minimum is not None or acc.maximum is not None:
            arr = np.asarray(values, dtype=np.float64)
            bad = np.isnan(arr)
            if acc.minimum is not None:
                bad |= arr < acc.minimum
            if acc.maximum is not None:
                bad |= arr > acc.maximum
            self.out_of_range_count += int(np.count_nonzero(bad))

    def reset(self) -> None:
        self.count = self.out_of_range_count = 0
        self.last_value = math.nan
        self.last_t = None

    def verdict(self, now: float) -> tuple[Verdict, str]:
        """The verdict at ``now`` and the reason in words."""
        acc = self.acceptance
        if self.last_t is None:
            return Verdict.NO_DATA, "no value received yet"
        age = now - self.last_t
        if acc.max_interval_s is not None and age > acc.max_interval_s:
            return (
                Verdict.STALE,
                f"last value {_age(age)} ago; expected every {acc.max_interval_s:g} s",
            )
        value = self.last_value
        shown = f"{value:g}{(' ' + self.unit) if self.unit else ''}"
        tally = (
            f" ({self.out_of_range_count} of {self.count} values out of range)"
            if self.out_of_range_count
            else ""
        )
        if not acc.in_range(value):
            if math.isnan(value):
                return Verdict.OUT_OF_RANGE, "the value is not a number" + tally
            if acc.minimum is not None and value < acc.minimum:
                return Verdict.OUT_OF_RANGE, f"{shown} is below the minimum {acc.minimum:g}{tally}"
            return Verdict.OUT_OF_RANGE, f"{shown} is above the maximum {acc.maximum:g}{tally}"
        if acc.has_range:
            return Verdict.PASS, f"{shown} is within {_range(acc)}{tally}"
        return Verdict.PASS, f"{shown}; no range set"


def _range(acc: Acceptance) -> str:
    if acc.minimum is not None and acc.maximum is not None:
        return f"{acc.minimum:g} to {acc.maximum:g}"
    if acc.minimum is not None:
        return f"the minimum {acc.minimum:g}"
    return f"the maximum {acc.maximum:g}"


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
