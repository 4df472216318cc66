"""Waiting for a THREAD that was told to go away (update restart, sleep) until it answers again.

Both flows share the same shape: the request is answered, the THREAD stops answering for a while,
then it answers again. This module owns the polling loop, the progress reports and the timeout, so
each flow only says when the THREAD counts as "back" and what to tell the user meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.errors import EdgeError


class Phase(StrEnum):
    """Where a flow is; the page shows it, the CLI prints it."""

    CHECKING = "checking"  # reading what is there before changing anything
    SENDING = "sending"  # the request is on its way
    AWAY = "away"  # the THREAD is expected to be away (asleep, restarting)
    RETURNING = "returning"  # it should be back by now; still asking
    BACK = "back"  # it answered again


@dataclass(frozen=True)
class Progress:
    """One progress report: the phase, a sentence for people, and time since the request."""

    phase: Phase
    text: str
    elapsed_s: float = 0.0
    expected_s: float | None = None

    @property
    def fraction(self) -> float | None:
        """How far through the expected absence, 0-1, when its length is known."""
        if self.expected_s is None or self.expected_s <= 0:
            return None
        return max(0.0, min(1.0, self.elapsed_s / self.expected_s))


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class WaitSettings:
    """How eagerly to ask whether the THREAD is back. Tests shrink these; defaults suit a field."""

    poll_s: float = 1.0
    probe_timeout_s: float = 2.0
    tick_s: float = 1.0


@dataclass(frozen=True)
class Snapshot:
    """What an answering THREAD says about itself: enough to tell a restart and a unit swap."""

    serial_number: str
    application: str


class NotBackInTime(EdgeError):
    """The THREAD did not answer (as expected) before the flow's time limit."""

    def __init__(self, message: str, waited_s: float, last: Snapshot | None, seen_away: bool):
        super().__init__(message)
        self.waited_s = waited_s
        self.last = last
        self.seen_away = seen_away


@dataclass(frozen=True)
class Returned:
    snapshot: Snapshot
    elapsed_s: float
    seen_away: bool


def format_duration(seconds: float) -> str:
    """Durations the way people say them: "45 s", "5 min", "1 h 30 min", "2 d 3 h"."""
    total = max(0, round(seconds))
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min" + (f" {secs} s" if secs else "")
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    days, hours = divmod(hours, 24)
    return f"{days} d" + (f" {hours} h" if hours else "")


async def probe(client: EdgeClient, timeout_s: float) -> Snapshot | None:
    """Ask who is there; None while it does not answer normally (away, booting, half-up)."""
    try:
        async with asyncio.timeout(timeout_s):
            serial = await client.serial_number()
            application = await client.application_version()
    except (EdgeError, TimeoutError):
        return None
    return Snapshot(serial, application)


Describe = Callable[[Phase, float, bool], str]  # phase, seconds since sent, seen away
IsBack = Callable[[Snapshot, bool], bool]
ExplainTimeout = Callable[[float, Snapshot | None, bool], str]


async def wait_for_return(
    client: EdgeClient,
    *,
    started: float,
    quiet_s: float,
    timeout_s: float,
    is_back: IsBack,
    describe: Describe,
    explain_timeout: ExplainTimeout,
    settings: WaitSettings,
    on_progress: ProgressCallback | None,
    expected_s: float | None = None,
) -> Returned:
    """Report progress until ``is_back(snapshot, seen_away)`` holds, or raise :class:`NotBackInTime`.

    ``started`` is the loop time the request was answered. Nothing is sent during the first
    ``quiet_s`` (a sleeping THREAD cannot answer, so asking only costs timeouts); after that the
    THREAD is probed every ``settings.poll_s``. Cancelling stops the waiting, never the THREAD.
    """
    loop = asyncio.get_running_loop()
    seen_away = False
    last: Snapshot | None = None

    def report(phase: Phase, elapsed: float) -> None:
        if on_progress is not None:
            on_progress(Progress(phase, describe(phase, elapsed, seen_away), elapsed, expected_s))

    while True:
        elapsed = loop.time() - started
        if elapsed >= timeout_s:
            raise NotBackInTime(explain_timeout(elapsed, last, seen_away), elapsed, last, seen_away)
        if elapsed < quiet_s:
            report(Phase.AWAY, elapsed)
            await asyncio.sleep(min(settings.tick_s, quiet_s - elapsed))
            continue
        snapshot = await probe(client, min(settings.probe_timeout_s, timeout_s - elapsed))
        elapsed = loop.time() - started
        if snapshot is None:
            seen_away = True
        else:
            last = snapshot
            if is_back(snapshot, seen_away):
                return Returned(snapshot, elapsed, seen_away)
        overdue = expected_s is not None and elapsed >= expected_s
        report(Phase.RETURNING if overdue else Phase.AWAY, elapsed)
        await asyncio.sleep(settings.poll_s)
