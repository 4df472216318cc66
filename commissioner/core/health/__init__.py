"""THREAD health: concurrent reads of every power, environment, clock, network and port value,
threshold verdicts with reasons, staleness, and a poller that the dashboard and CLI share."""

from __future__ import annotations

from commissioner.core.health.poller import HealthPoller
from commissioner.core.health.reader import describe_offset, read_snapshot, short_error
from commissioner.core.health.readings import (
    CATALOGUE,
    PORTS,
    SPECS,
    Group,
    HealthSnapshot,
    Reading,
    ReadingSpec,
    merge,
)
from commissioner.core.health.staleness import StalenessPolicy, format_age, format_interval
from commissioner.core.health.thresholds import (
    THRESHOLDS,
    Assessment,
    Threshold,
    Verdict,
    assess,
    worst,
)

__all__ = [
    "CATALOGUE",
    "PORTS",
    "SPECS",
    "THRESHOLDS",
    "Assessment",
    "Group",
    "HealthPoller",
    "HealthSnapshot",
    "Reading",
    "ReadingSpec",
    "StalenessPolicy",
    "Threshold",
    "Verdict",
    "assess",
    "describe_offset",
    "format_age",
    "format_interval",
    "merge",
    "read_snapshot",
    "short_error",
    "worst",
]
