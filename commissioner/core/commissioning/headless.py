"""A whole run without questions: what ``commissioner commission`` does for each THREAD.

The wizard asks the installer at each decision; here the decisions are options: a failed write
is retried once and then rolled back (a half-configured THREAD is the worst way to leave one);
a failed verification is kept for diagnosis unless ``rollback_on_failure``; a scan's finding is
applied only with ``accept_scan``. A THREAD that stops answering leaves the run IN PROGRESS in
the journal, so ``--resume`` carries on where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from commissioner.core.cloud.workspace import CloudWorkspace
from commissioner.core.commissioning.journal import CommissioningJournal
from commissioner.core.commissioning.profile_model import CommissioningProfile
from commissioner.core.commissioning.run_model import RunRecord, RunStatus, SiteFields, Stage
from commissioner.core.commissioning.session import (
    CommissioningSession,
    RunError,
    RunEvent,
    RunOptions,
)
from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.errors import EdgeError
from commissioner.core.ports.apply import short_error
from commissioner.core.sensor_catalogue import SensorModel


@dataclass(frozen=True)
class HeadlessPolicy:
    accept_scan: bool = False
    rollback_on_failure: bool = False  # also roll back when verification fails
    retries: int = 1  # of a failed write, before rolling back


async def commission(
    client: EdgeClient,
    journal: CommissioningJournal,
    profile: CommissioningProfile,
    site: SiteFields,
    *,
    cloud: CloudWorkspace | None = None,
    options: RunOptions | None = None,
    policy: HeadlessPolicy | None = None,
    on_event: Callable[[RunEvent], None] | None = None,
    catalogue: Sequence[SensorModel] | None = None,
    resume_run_id: int | None = None,
) -> tuple[RunRecord, CommissioningSession]:
    """Run every stage; returns the record (status IN_PROGRESS when the THREAD stopped answering)."""
    policy = policy or HeadlessPolicy()
    kwargs = {"cloud": cloud, "options": options, "on_event": on_event, "catalogue": catalogue}
    if resume_run_id is not None:
        session = await CommissioningSession.resume(client, journal, resume_run_id, **kwargs)
    else:
        session = CommissioningSession(client, journal, **kwargs)  # type: ignore[arg-type]
    try:
        await _run(session, profile, site, policy)
    except (EdgeError, RunError) as exc:
        session.failure = f"Stopped at {session.stage.label}: {short_error(exc) if isinstance(exc, EdgeError) else exc}"
        if session.run_id is None:
            raise
        return session.record(), session
    return session.finish(), session


async def _run(
    session: CommissioningSession,
    profile: CommissioningProfile,
    site: SiteFields,
    policy: HeadlessPolicy,
) -> None:
    if session.identity is None:
        await session.connect()
    if session.snapshot is None:
        await session.take_snapshot()
    if session.profile is None:
        await session.plan(profile, site)
    if session.stage is Stage.APPLY:
        outcome = await session.apply()
        tries = 0
        while not outcome.ok and tries < policy.retries:
            tries += 1
            outcome = await session.retry()
        if not outcome.ok:
            what = outcome.failed.description if outcome.failed else "a write"
            await session.rollback(f"{what} failed: {outcome.error}")
            return
    if session.stage is Stage.VERIFY:
        await session.verify()
        if policy.accept_scan:
            for port, scan in list(session.scans.items()):
                if scan.found is not None:
                    await session.accept_scan(port)
        if policy.rollback_on_failure and any(not c.passed for c in session.checks):
            failed = next(c for c in session.checks if not c.passed)
            await session.rollback(f"verification failed: {failed.label}: {failed.evidence}")
            return
    if session.status is not RunStatus.IN_PROGRESS:
        return
    if session.stage is Stage.REGISTER:
        await session.register()
    if session.stage is Stage.CONFIRM:
        await session.confirm()
