"""Staleness maths and how ages and intervals are said in words."""

from __future__ import annotations

import pytest

from commissioner.core.health import StalenessPolicy, format_age, format_interval


@pytest.mark.parametrize(
    ("interval", "after"), [(1.0, 5.0), (2.0, 5.0), (5.0, 12.5), (30.0, 75.0), (None, 60.0)]
)
def test_stale_after_is_a_few_intervals_with_a_floor(interval: float | None, after: float) -> None:
    """2.5 intervals, never under 5 s; a fixed minute while paused."""
    assert StalenessPolicy().stale_after(interval) == after


def test_is_stale() -> None:
    """Older than the limit is stale; exactly at it is not; never read is not stale."""
    policy = StalenessPolicy(factor=2.0, minimum_s=1.0, paused_s=10.0)
    assert not policy.is_stale(4.0, 2.0)
    assert policy.is_stale(4.01, 2.0)
    assert not policy.is_stale(None, 2.0)
    assert policy.is_stale(11.0, None) and not policy.is_stale(9.0, None)


@pytest.mark.parametrize(
    ("age", "text"),
    [
        (None, "never read"),
        (0.2, "just now"),
        (3.9, "3 s ago"),
        (59.9, "59 s ago"),
        (61, "1 min ago"),
        (3600, "1 h ago"),
        (3900, "1 h 5 min ago"),
        (90000, "1 d 1 h ago"),
        (-2.0, "just now"),
    ],
)
def test_format_age(age: float | None, text: str) -> None:
    """Ages read naturally and never go negative (a clock step cannot make "-1 s ago")."""
    assert format_age(age) == text


def test_format_interval() -> None:
    """The refresh rate in words, for the page status."""
    assert format_interval(None) == "paused"
    assert format_interval(5.0) == "every 5 s"
    assert format_interval(0.5) == "every 0.5 s"
    assert format_interval(120.0) == "every 2 min"
