"""The run's cloud steps: register the THREAD (or queue it offline), then confirm it in the cloud.

Registration goes through :class:`CloudWorkspace`, so it shares the Cloud page's journal and
offline queue: a queued registration is delivered once by the flusher when the cloud is back,
and registering the same THREAD again reconciles by refId instead of duplicating it.

Confirmation is closed-loop: the registration is fetched back and compared with the request;
the readings captured while verifying are uploaded as observations of the new sensors and must
come back on the JSON-RPC socket; and the connection must be reported ACCESSIBLE.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from commissioner.core.cloud.errors import CloudError
from commissioner.core.cloud.journal import RegistrationStatus
from commissioner.core.cloud.presence import NodePresence, SensorWatch
from commissioner.core.cloud.rpc import IotSocketClient
from commissioner.core.cloud.upload import Reading, build_observations
from commissioner.core.cloud.verify import all_ok
from commissioner.core.cloud.workspace import CloudWorkspace
from commissioner.core.commissioning.profile import to_registration_draft
from commissioner.core.commissioning.profile_model import CommissioningProfile
from commissioner.core.commissioning.run_model import (
    ChannelTrace,
    CheckResult,
    CheckStatus,
    CloudRecord,
    SiteFields,
    Stage,
)

EVIDENCE_READINGS = 20  # newest readings per sensor uploaded as proof; enough, and quick


async def register_run(
    workspace: CloudWorkspace,
    profile: CommissioningProfile,
    serial: str,
    site: SiteFields,
    *,
    queue_only: bool = False,
    queue_reason: str = "queued by choice",
) -> CloudRecord:
    """Register now, or journal it for the offline queue; never raises for cloud trouble."""
    draft = to_registration_draft(profile, serial, site.site)
    spec = draft.to_spec(workspace.profile.project_id)
    base = CloudRecord("", profile=workspace.profile.name, project=workspace.profile.project_id)
    if not spec.devices:
        return replace(base, status="skipped", reason="the profile registers no port")
    if queue_only:
        rid = workspace.queue_only(spec)
        return replace(base, status="queued", registration_id=rid, reason=queue_reason)
    try:
        outcome = await workspace.register(spec)
    except CloudError as exc:
        return replace(base, status="failed", reason=str(exc))
    if outcome.status is RegistrationStatus.SENT:
        return replace(
            base,
            status="registered",
            registration_id=outcome.registration_id,
            node_id=outcome.node_id,
            device_ids=outcome.device_ids(),
            sensor_ids={p: outcome.sensor_ids(p) for p in outcome.device_ids()},
        )
    if outcome.status is RegistrationStatus.PENDING:
        reason = outcome.reason or "the cloud cannot be reached"
        return replace(
            base, status="queued", registration_id=outcome.registration_id, reason=reason
        )
    problems = "; ".join(str(p) for p in outcome.problems)
    return replace(
        base,
        status="failed",
        registration_id=outcome.registration_id,
        reason=outcome.reason + (f" ({problems})" if problems else ""),
    )


async def confirm_run(
    workspace: CloudWorkspace,
    profile: CommissioningProfile,
    cloud: CloudRecord,
    traces: Sequence[ChannelTrace],
    started_at: float,
    *,
    timeout_s: float = 10.0,
    upload_evidence: bool = True,
) -> list[CheckResult]:
    """Fetch-and-compare, observations round trip, and presence; one check each."""
    if cloud.status != "registered" or cloud.registration_id is None or not cloud.node_id:
        why = {
            "queued": "registration queued: confirm once the cloud is reachable",
            "skipped": "nothing registered",
        }.get(cloud.status, f"registration {cloud.status}: {cloud.reason}")
        return [_check("cloud.confirm", "Cloud confirmation", CheckStatus.SKIPPED, why)]
    checks = [await _compare(workspace, cloud.registration_id)]
    try:
        async with workspace.socket() as sock:
            if upload_evidence:
                checks.extend(
                    await _observations(
                        workspace, sock, profile, cloud, traces, started_at, timeout_s
                    )
                )
            checks.append(await _presence(workspace, sock, cloud.node_id, timeout_s))
    except CloudError as exc:
        checks.append(
            _check(
                "cloud.socket",
                "Cloud live connection",
                CheckStatus.FAIL,
                f"{exc}. Confirm later from the Cloud page (Verify tab).",
            )
        )
    return checks


async def _compare(workspace: CloudWorkspace, registration_id: int) -> CheckResult:
    label = "Cloud entities match the registration"
    try:
        _, results = await workspace.verify(registration_id)
    except CloudError as exc:
        return _check("cloud.registered", label, CheckStatus.FAIL, str(exc))
    bad = [r for r in results if not r.ok]
    if all_ok(results):
        return _check(
            "cloud.registered",
            label,
            CheckStatus.PASS,
            f"{len(results)} items fetched back match what was sent",
        )
    text = "; ".join(f"{r.item} reads {r.actual}, sent {r.expected}" for r in bad[:3])
    return _check("cloud.registered", label, CheckStatus.FAIL, f"{len(bad)} differ: {text}")


async def _observations(
    workspace: CloudWorkspace,
    sock: IotSocketClient,
    profile: CommissioningProfile,
    cloud: CloudRecord,
    traces: Sequence[ChannelTrace],
    started_at: float,
    timeout_s: float,
) -> list[CheckResult]:
    checks = []
    for port, sensor_ids in sorted(cloud.sensor_ids.items()):
        port_profile = profile.port(port)
        port_traces = [t for t in traces if t.port == port and t.values]
        key, label = f"cloud.observations.port{port}", f"Port {port} observations reach the cloud"
        if not sensor_ids or port_profile is None or not port_traces:
            checks.append(_check(key, label, CheckStatus.SKIPPED, "no captured readings", port))
            continue
        metrics = {c.name: c.metric for c in port_profile.channels}
        pairs = [(c.metric, c.unit) for c in port_profile.channels]
        readings = _readings(port_traces, started_at)[-EVIDENCE_READINGS:]
        built = build_observations(sensor_ids[0], readings, metrics)
        expected = len(built.observations)
        watch = SensorWatch(sock, sensor_ids[0], pairs)
        try:
            await watch.start()
            report = await workspace.upload(built.observations)
            # the socket reports each metric of an observation separately
            arrived = await watch.wait_for(expected * len(pairs), timeout_s)
        except CloudError as exc:
            checks.append(_check(key, label, CheckStatus.FAIL, str(exc), port))
            continue
        finally:
            with contextlib.suppress(CloudError, asyncio.CancelledError):
                await watch.aclose()
        sent = report.accepted_count
        seen = watch.received // len(pairs)
        status = CheckStatus.PASS if arrived and sent == expected else CheckStatus.FAIL
        checks.append(
            _check(
                key,
                label,
                status,
                f"{sent} of {expected} captured readings uploaded to sensor {sensor_ids[0]}; "
                f"{seen} came back on the live socket",
                port,
            )
        )
    return checks


async def _presence(
    workspace: CloudWorkspace, sock: IotSocketClient, node_id: str, timeout_s: float
) -> CheckResult:
    label = "Connection reachable in the cloud"
    project = [workspace.profile.project_id] if workspace.profile.project_id else None
    presence = NodePresence(sock, node_id, project_ids=project)
    try:
        await presence.start()
        online = await presence.wait_online(timeout_s)
    finally:
        with contextlib.suppress(CloudError):
            await presence.aclose()
    last = presence.last_comm.isoformat(timespec="seconds") if presence.last_comm else "never"
    if online:
        return _check("cloud.online", label, CheckStatus.PASS, f"ACCESSIBLE, last data {last}")
    return _check(
        "cloud.online",
        label,
        CheckStatus.FAIL,
        f"not ACCESSIBLE after {timeout_s:g} s (last data {last}): check the THREAD's cloud "
        "connection and its network",
    )


def _readings(traces: Sequence[ChannelTrace], started_at: float) -> list[Reading]:
    """Channel traces of one port back to readings: values at the same time form one reading."""
    by_time: dict[float, dict[str, float]] = {}
    for trace in traces:
        for t, value in zip(trace.times, trace.values, strict=False):
            by_time.setdefault(round(t, 3), {})[trace.channel] = value
    return [
        (datetime.fromtimestamp(started_at + t, UTC), values)
        for t, values in sorted(by_time.items())
    ]


def _check(
    key: str, label: str, status: CheckStatus, evidence: str, port: int | None = None
) -> CheckResult:
    return CheckResult(key, label, status, evidence, port, Stage.CONFIRM)
