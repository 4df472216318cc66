"""When a value counts as stale, and how its age is said in words.

A value read every 5 s that is 6 s old is merely late; one that is 15 s old has stopped updating,
and the installer must not take it as current. So a value is stale once it is older than a few
poll intervals (never less than a floor, so a 1 s interval does not flicker on one slow answer).
While polling is paused there is no interval to compare with, so a fixed limit applies.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StalenessPolicy:
    """``stale_after = max(minimum_s, factor x interval)``; ``paused_s`` while paused."""

    factor: float = 2.5
    minimum_s: float = 5.0
    paused_s: float = 60.0

    def stale_after(self, interval_s: float | None) -> float:
        if interval_s is None:
            return max(self.minimum_s, self.paused_s)
        return max(self.minimum_s, self.factor * interval_s)

    def is_stale(self, age_s: float | None, interval_s: float | None) -> bool:
        """Never-read values are not "stale" (they are missing, shown differently)."""
        return age_s is not None and age_s > self.stale_after(interval_s)


def format_age(age_s: float | None) -> str:
    """Age in words: "just now", "3 s ago", "2 min ago", "1 h 5 min ago", "never read"."""
    if age_s is None:
        return "never read"
    seconds = int(max(0.0, age_s))
    if seconds < 1:
        return "just now"
    if seconds < 60:
        return f"{seconds} s ago"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min ago"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min ago" if minutes else f"{hours} h ago"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h ago" if hours else f"{days} d ago"


def format_interval(interval_s: float | None) -> str:
    """ "every 5 s", "every 2 min", or "paused"."""
    if interval_s is None:
        return "paused"
    if interval_s < 60:
        return f"every {interval_s:g} s"
    return f"every {interval_s / 60:g} min"
