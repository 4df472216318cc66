"""Acceptance verdicts per channel: no data, pass, out of range, stale; reasons in words."""

from __future__ import annotations

import math

import pytest

from commissioner.core.streams.acceptance import Acceptance, ChannelJudge, Verdict
from commissioner.core.streams.parsers import Sample


def test_no_data_until_a_value_arrives() -> None:
    """Before any value the verdict is NO_DATA."""
    judge = ChannelJudge(Acceptance(0, 10, 2.0))
    assert judge.verdict(100.0) == (Verdict.NO_DATA, "no value received yet")


def test_pass_within_range_and_interval() -> None:
    """A fresh value inside the range passes, and the reason shows value, unit and range."""
    judge = ChannelJudge(Acceptance(minimum=-20, maximum=60, max_interval_s=2.0), unit="°C")
    judge.update(Sample("t", 100.0, 23.4))
    verdict, reason = judge.verdict(101.0)
    assert verdict is Verdict.PASS
    assert reason == "23.4 °C is within -20 to 60"


@pytest.mark.parametrize(
    ("value", "words"), [(-30.0, "below the minimum -20"), (70.0, "above the maximum 60")]
)
def test_out_of_range_names_the_limit(value: float, words: str) -> None:
    """The newest value outside the range is OUT_OF_RANGE, saying which limit it broke."""
    judge = ChannelJudge(Acceptance(minimum=-20, maximum=60))
    judge.update_values(1.0, [10.0, value])
    verdict, reason = judge.verdict(1.0)
    assert verdict is Verdict.OUT_OF_RANGE and words in reason
    assert "1 of 2 values out of range" in reason


def test_back_in_range_passes_but_remembers_excursions() -> None:
    """A later value in range passes again; the count of values out of range is kept."""
    judge = ChannelJudge(Acceptance(maximum=5))
    judge.update_values(1.0, [9.0, 9.0])
    judge.update_values(2.0, [1.0])
    verdict, reason = judge.verdict(2.0)
    assert verdict is Verdict.PASS and "2 of 3 values out of range" in reason
    assert judge.out_of_range_count == 2 and judge.count == 3


def test_stale_when_interval_exceeded_even_if_in_range() -> None:
    """No value within the expected interval makes the channel STALE, with the age."""
    judge = ChannelJudge(Acceptance(0, 10, max_interval_s=1.5))
    judge.update(Sample("x", 10.0, 5.0))
    assert judge.verdict(11.5)[0] is Verdict.PASS
    verdict, reason = judge.verdict(12.0)
    assert verdict is Verdict.STALE
    assert reason == "last value 2.0 s ago; expected every 1.5 s"


def test_nan_is_out_of_range_only_when_a_range_is_set() -> None:
    """NaN fails a range; with no range set any value passes."""
    ranged = ChannelJudge(Acceptance(minimum=0))
    ranged.update_values(1.0, [math.nan])
    assert ranged.verdict(1.0)[0] is Verdict.OUT_OF_RANGE
    open_judge = ChannelJudge()
    open_judge.update_values(1.0, [math.nan])
    assert open_judge.verdict(1.0)[0] is Verdict.PASS


def test_invalid_acceptance_is_refused() -> None:
    """A minimum above the maximum, or a non-positive interval, raises ValueError."""
    with pytest.raises(ValueError):
        Acceptance(minimum=5, maximum=1)
    with pytest.raises(ValueError):
        Acceptance(max_interval_s=0)
