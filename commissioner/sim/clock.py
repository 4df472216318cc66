"""The THREAD's real-time clock: wrong by an offset, drifting by some ppm, settable by ``POST time``.

Commissioning checks and sets the gateway clock, so the simulator's clock has to be wrong in a
controllable way. The clock is the battery-backed RTC: it keeps running across a simulated reboot.
Time sources are injectable so tests can drive the clock without sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime


class SimClock:
    """Device time = reference time + elapsed host time x (1 + drift)."""

    def __init__(
        self,
        offset_s: float = 0.0,
        drift_ppm: float = 0.0,
        *,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._monotonic = monotonic
        self.drift_ppm = drift_ppm
        self._ref_device = wall() + offset_s
        self._ref_mono = monotonic()

    def now(self) -> float:
        """Device time as POSIX seconds."""
        elapsed = self._monotonic() - self._ref_mono
        return self._ref_device + elapsed * (1.0 + self.drift_ppm * 1e-6)

    def set(self, posix_s: float) -> None:
        """Set the clock (``POST time``); drift continues from here."""
        self._ref_device = posix_s
        self._ref_mono = self._monotonic()

    def iso(self) -> str:
        """Device time in the seed's format, ``2019-11-19T15:41:30.000Z``."""
        return format_iso(self.now())


def format_iso(posix_s: float) -> str:
    moment = datetime.fromtimestamp(posix_s, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> float:
    """POSIX seconds of an ISO 8601 date-time with a zone (validate with ``rules.iso_time``)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
