"""Sleep as one flow: validate the duration, send it, wait out the sleep, notice the wake.

A sleeping THREAD cannot answer, so the flow does not ask while it sleeps; it counts down, then
asks until it answers or a margin past the wake time has passed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from commissioner.core.edge import rules
from commissioner.core.edge.client import EdgeClient
from commissioner.core.system.waiting import (
    Phase,
    Progress,
    ProgressCallback,
    Snapshot,
    WaitSettings,
    format_duration,
    wait_for_return,
)


@dataclass(frozen=True)
class SleepOptions:
    """How long past the wake time to keep asking before saying it did not wake."""

    margin_s: float = 120.0
    wait: WaitSettings = field(default_factory=WaitSettings)


@dataclass(frozen=True)
class SleepResult:
    duration_ms: int
    serial_number: str
    serial_after: str
    away_s: float  # from the answered request to the first answer after waking

    @property
    def same_unit(self) -> bool:
        return self.serial_after == self.serial_number

    def summary(self) -> str:
        text = f"The THREAD is awake again after {format_duration(self.away_s)}."
        if not self.same_unit:
            text += (
                f" A different THREAD answers now ({self.serial_after}, was "
                f"{self.serial_number}): check which unit you are configuring."
            )
        return text


async def run_sleep(
    client: EdgeClient,
    duration_ms: int,
    *,
    options: SleepOptions | None = None,
    on_progress: ProgressCallback | None = None,
    on_sent: Callable[[], None] | None = None,
) -> SleepResult:
    """Put the THREAD to sleep for ``duration_ms`` and wait until it answers again.

    Raises EdgeValidationError before anything is sent, the client's errors if the request fails,
    and NotBackInTime if it has not answered ``margin_s`` after the wake time.
    """
    opts = options or SleepOptions()
    duration_ms = rules.sleep_duration(duration_ms)
    duration_s = duration_ms / 1000.0
    report = on_progress or (lambda _p: None)
    loop = asyncio.get_running_loop()

    report(Progress(Phase.CHECKING, "Checking which THREAD is connected…"))
    serial = await client.serial_number()
    report(
        Progress(Phase.SENDING, f"Asking the THREAD to sleep for {format_duration(duration_s)}…")
    )
    await client.sleep(duration_ms)
    started = loop.time()
    if on_sent is not None:
        on_sent()

    def describe(phase: Phase, elapsed: float, _seen_away: bool) -> str:
        if phase is Phase.AWAY:
            return f"Asleep, back in about {format_duration(duration_s - elapsed)}…"
        late = format_duration(elapsed - duration_s)
        return f"Should be awake: waiting for it to answer ({late} past the wake time)…"

    def explain_timeout(waited: float, _last: Snapshot | None, _seen_away: bool) -> str:
        return (
            f"The THREAD has not answered {format_duration(waited - duration_s)} after it should "
            "have woken. Check its power and LED; the app keeps trying to reconnect by itself."
        )

    returned = await wait_for_return(
        client,
        started=started,
        quiet_s=duration_s,
        timeout_s=duration_s + opts.margin_s,
        is_back=lambda _snapshot, _away: True,
        describe=describe,
        explain_timeout=explain_timeout,
        settings=opts.wait,
        on_progress=on_progress,
        expected_s=duration_s,
    )
    report(Progress(Phase.BACK, "Awake again.", returned.elapsed_s, duration_s))
    return SleepResult(duration_ms, serial, returned.snapshot.serial_number, returned.elapsed_s)
