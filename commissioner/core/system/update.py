"""Application update as one flow: validate the target, send it, wait out the restart, compare.

``POST update`` only starts the work: the THREAD answers, installs, restarts and is unreachable
meanwhile. Callers want the whole story (which version was there, which one came back, whether the
same unit answered), so this module waits for the THREAD to go and return, and reports progress.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from commissioner.core.edge import rules
from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.errors import EdgeValidationError
from commissioner.core.system.waiting import (
    Phase,
    Progress,
    ProgressCallback,
    Snapshot,
    WaitSettings,
    format_duration,
    wait_for_return,
)


class UpdateSource(StrEnum):
    LATEST = "latest"  # the newest version the cloud offers
    VERSION = "version"  # a given cloud version, e.g. 7.18.0
    FILE = "file"  # a .jar already on the THREAD's file system


@dataclass(frozen=True)
class UpdateTarget:
    """What to update to. Build with :meth:`parse` (validates) or the class methods."""

    source: UpdateSource
    value: str | None = None

    @classmethod
    def latest(cls) -> UpdateTarget:
        return cls(UpdateSource.LATEST)

    @classmethod
    def version(cls, version: str) -> UpdateTarget:
        return cls(UpdateSource.VERSION, rules.update_version(version.strip()))

    @classmethod
    def file(cls, path: str) -> UpdateTarget:
        return cls(UpdateSource.FILE, rules.update_file(path.strip()))

    @classmethod
    def parse(cls, source: UpdateSource | str, text: str = "") -> UpdateTarget:
        """From a form or the command line; raises EdgeValidationError with the reason."""
        try:
            chosen = UpdateSource(source)
        except ValueError:
            raise EdgeValidationError(
                "update", f"choose latest, version or file, not {source!r}"
            ) from None
        if chosen is UpdateSource.LATEST:
            return cls.latest()
        if not text.strip():
            what = "a version such as 7.19.0" if chosen is UpdateSource.VERSION else "a .jar path"
            raise EdgeValidationError(chosen.value, f"is empty: type {what}")
        return cls.version(text) if chosen is UpdateSource.VERSION else cls.file(text)

    def validated(self) -> UpdateTarget:
        """Re-check a target built directly (``UpdateTarget(UpdateSource.VERSION, "x")``)."""
        return UpdateTarget.parse(self.source, self.value or "")

    def describe(self) -> str:
        if self.source is UpdateSource.VERSION:
            return f"version {self.value}"
        if self.source is UpdateSource.FILE:
            return f"the file {self.value} on the THREAD"
        return "the latest version"

    def request(self) -> dict[str, str]:
        """Keyword arguments for :meth:`EdgeClient.update`."""
        if self.source is UpdateSource.LATEST or self.value is None:
            return {}
        return {self.source.value: self.value}


@dataclass(frozen=True)
class UpdateOptions:
    """Limits of the wait. A cloud update downloads first, so the default limit is generous."""

    timeout_s: float = 600.0
    expected_restart_s: float = 5.0  # a hint for whoever shows "away" (the session's quiet time)
    wait: WaitSettings = field(default_factory=WaitSettings)


@dataclass(frozen=True)
class UpdateResult:
    target: UpdateTarget
    serial_number: str
    old_version: str
    new_version: str
    announced: str | None  # the version the THREAD said it would install, if it said
    serial_after: str
    took_s: float

    @property
    def changed(self) -> bool:
        return self.new_version != self.old_version

    @property
    def same_unit(self) -> bool:
        return self.serial_after == self.serial_number

    def summary(self) -> str:
        """One sentence for people, with any surprise spelled out."""
        took = format_duration(self.took_s)
        if self.changed:
            text = f"Updated from {self.old_version} to {self.new_version} in {took}."
        else:
            text = f"The THREAD restarted in {took} and still runs {self.new_version}."
        if self.announced and self.announced != self.new_version:
            text += f" It announced {self.announced}: check the version or file you chose."
        if not self.same_unit:
            text += (
                f" A different THREAD answers now ({self.serial_after}, was "
                f"{self.serial_number}): check which unit you are configuring."
            )
        return text


SentCallback = Callable[[str | None], None]


async def run_update(
    client: EdgeClient,
    target: UpdateTarget,
    *,
    options: UpdateOptions | None = None,
    on_progress: ProgressCallback | None = None,
    on_sent: SentCallback | None = None,
) -> UpdateResult:
    """Update the application and wait until the THREAD answers again; see the module docstring.

    ``on_sent(announced_version)`` is called as soon as the THREAD accepted the request, so a
    session can be told to expect the absence. Raises EdgeValidationError before anything is sent,
    the client's errors if the request fails, and NotBackInTime if it does not return in time.
    """
    opts = options or UpdateOptions()
    target = target.validated()
    report = on_progress or (lambda _p: None)
    loop = asyncio.get_running_loop()

    report(Progress(Phase.CHECKING, "Reading the installed version…"))
    serial = await client.serial_number()
    old = await client.application_version()
    report(Progress(Phase.SENDING, f"Asking the THREAD to update to {target.describe()}…"))
    announced = await client.update(**target.request())
    started = loop.time()
    if on_sent is not None:
        on_sent(announced)

    def is_back(snapshot: Snapshot, seen_away: bool) -> bool:
        # Back once it has been away, or if it restarted between two polls into a new version.
        return seen_away or snapshot.application != old

    def describe(phase: Phase, elapsed: float, seen_away: bool) -> str:
        waited = format_duration(elapsed)
        if seen_away:
            return f"Restarting ({waited})… the THREAD installs {announced or target.describe()}."
        return f"Installing ({waited})… waiting for the THREAD to restart."

    def explain_timeout(waited: float, last: Snapshot | None, seen_away: bool) -> str:
        limit = format_duration(waited)
        if not seen_away and last is not None:
            return (
                f"The THREAD still runs {last.application} {limit} after the update was sent and "
                "never restarted. Check that the version or file exists, then try again."
            )
        return (
            f"The THREAD has not answered for {limit} since the update was sent. Check its power "
            "and LED; it may still be installing. The app reconnects by itself when it answers."
        )

    returned = await wait_for_return(
        client,
        started=started,
        quiet_s=0.0,
        timeout_s=opts.timeout_s,
        is_back=is_back,
        describe=describe,
        explain_timeout=explain_timeout,
        settings=opts.wait,
        on_progress=on_progress,
    )
    new = returned.snapshot.application
    report(Progress(Phase.BACK, f"Back, version {new}.", returned.elapsed_s))
    return UpdateResult(
        target=target,
        serial_number=serial,
        old_version=old,
        new_version=new,
        announced=announced,
        serial_after=returned.snapshot.serial_number,
        took_s=returned.elapsed_s,
    )
