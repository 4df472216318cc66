"""The queue flusher: delivers pending registrations once the cloud can be reached.

Installers queue registrations offline and should not have to remember to send them. This
service sends the oldest pending registration first, one at a time (the registrar's reconcile
step relies on that), and stops a pass as soon as the cloud or the sign-in is the problem, then
tries again after a growing pause (the next attempt is the probe). Listeners (plain callbacks; the
UI adapts them to Qt signals) hear every change; :meth:`QueueFlusher.flush_now` is the UI's retry
button and :meth:`QueueFlusher.wake` the nudge after a new registration is queued.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from commissioner.core.cloud.journal import JournalError, RegistrationJournal, RegistrationStatus
from commissioner.core.cloud.registrar import Registrar, RegistrationOutcome
from commissioner.core.lifecycle import AsyncService

log = logging.getLogger(__name__)
DEFAULT_BACKOFF_S = (2.0, 5.0, 15.0, 30.0, 60.0, 120.0)
_DUE = (RegistrationStatus.PENDING, RegistrationStatus.SENDING)  # "sending": left by a crash


class FlusherState(StrEnum):
    IDLE = "idle"  # nothing pending
    SENDING = "sending"
    WAITING = "waiting"  # the cloud or the sign-in failed; retrying after ``retry_in_s``
    STOPPED = "stopped"


@dataclass(frozen=True)
class FlushEvent:
    state: FlusherState
    pending: int  # registrations still waiting to be sent
    outcome: RegistrationOutcome | None = None  # set after each registration attempt
    retry_in_s: float | None = None
    reason: str = ""


FlushListener = Callable[[FlushEvent], None]


@dataclass
class FlushReport:
    """What one pass did: every attempt's outcome, and why it stopped early if it did."""

    outcomes: list[RegistrationOutcome] = field(default_factory=list)
    stopped_by: RegistrationOutcome | None = None

    @property
    def sent(self) -> int:
        return sum(1 for o in self.outcomes if o.status is RegistrationStatus.SENT)


class QueueFlusher(AsyncService):
    def __init__(
        self,
        journal: RegistrationJournal,
        registrar: Registrar,
        *,
        probe_interval_s: float = 60.0,
        backoff_s: Sequence[float] = DEFAULT_BACKOFF_S,
    ) -> None:
        if not backoff_s:
            raise ValueError("backoff_s needs at least one pause")
        self.journal = journal
        self.registrar = registrar
        self.probe_interval_s = probe_interval_s
        self.backoff_s = tuple(backoff_s)
        self.state = FlusherState.STOPPED
        self._failures = 0
        self._next_delay_s = probe_interval_s
        self._wake = asyncio.Event()
        self._pass_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._listeners: list[FlushListener] = []

    def add_listener(self, listener: FlushListener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: FlushListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def pending_count(self) -> int:
        return self.journal.count(_DUE)

    async def start(self) -> None:
        if self._task is None:
            self._wake.set()  # a first pass right away: the queue may hold work from last time
            self._task = asyncio.create_task(self._run(), name="registration-queue-flusher")

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._notify(FlusherState.STOPPED)

    def wake(self) -> None:
        """Try now (a registration was queued, or the network came back)."""
        self._failures = 0
        self._wake.set()

    async def flush_now(self) -> FlushReport:
        """One pass right away, whatever the backoff says; returns what it did."""
        self._failures = 0
        return await self._pass()

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._next_delay_s):
                    await self._wake.wait()
            self._wake.clear()
            try:
                await self._pass()
            except Exception:  # a bug in one pass must not end the service
                log.exception("registration queue pass failed")
                self._next_delay_s = self._backoff()

    def _backoff(self) -> float:
        self._failures += 1
        return self.backoff_s[min(self._failures, len(self.backoff_s)) - 1]

    async def _pass(self) -> FlushReport:
        report = FlushReport()
        async with self._pass_lock:
            tried: set[int] = set()
            while True:
                due = [r for r in self.journal.list(_DUE) if r.id not in tried]
                if not due:
                    break
                tried.add(due[0].id)
                self._notify(FlusherState.SENDING)
                try:
                    outcome = await self.registrar.register(due[0].id)
                except JournalError as exc:  # discarded or sent meanwhile (another window)
                    log.info("registration #%d skipped: %s", due[0].id, exc)
                    continue
                report.outcomes.append(outcome)
                if outcome.blocks_queue:
                    report.stopped_by = outcome
                    break
                self._notify(FlusherState.SENDING, outcome)
            if report.stopped_by is not None:
                wait = max(self._backoff(), report.stopped_by.retry_after_s or 0.0)
                self._next_delay_s = wait
                self._notify(FlusherState.WAITING, report.stopped_by, wait)
            else:
                self._failures = 0
                self._next_delay_s = self.probe_interval_s
                self._notify(FlusherState.IDLE)
        return report

    def _notify(
        self,
        state: FlusherState,
        outcome: RegistrationOutcome | None = None,
        retry_in_s: float | None = None,
    ) -> None:
        self.state = state
        reason = outcome.reason if outcome is not None else ""
        event = FlushEvent(state, self.pending_count(), outcome, retry_in_s, reason)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a broken view must not stop deliveries
                log.exception("registration queue listener failed")
