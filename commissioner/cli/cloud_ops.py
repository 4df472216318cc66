"""``commissioner cloud`` operations around registration: templates, preview, register, verify
and the project's connections (the queue is in :mod:`commissioner.cli.cloud_queue`).

Each returns ``(text, data, exit code)``: ``text`` for people, ``data`` for ``--json`` (never a
secret). All of them go through :class:`CloudWorkspace`, so a registration from the command line
is validated, journaled, reconciled and verified exactly as one from the app.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from commissioner.cli.cloud_format import Result, age_text, problem_text, problems_json, table
from commissioner.cli.cloud_session import ensure_signed_in
from commissioner.cli.exit_codes import ExitCode
from commissioner.core.cloud.errors import CloudConfigError, CloudUnavailable
from commissioner.core.cloud.journal import RegistrationStatus, redact
from commissioner.core.cloud.port_mapping import RegistrationDraft
from commissioner.core.cloud.profiles import CloudProfile
from commissioner.core.cloud.registrar import RegistrationOutcome
from commissioner.core.cloud.registration import RegistrationSpec, SpecFileError, spec_from_json
from commissioner.core.cloud.workspace import CloudWorkspace

KINDS = ("devices", "sensors", "metrics")


# -- templates ------------------------------------------------------------------------------------


async def templates(ws: CloudWorkspace, args: argparse.Namespace) -> Result:
    """The template lists, from the cache unless asked (or needed) to fetch them."""
    source = "cache"
    if args.refresh or (not ws.templates.loaded and not args.offline):
        await ensure_signed_in(ws, args)
        await ws.refresh_templates()
        source = "cloud"
    elif not ws.templates.loaded:
        raise CloudConfigError(
            f"No templates are cached for cloud profile {ws.profile.name!r} yet; run "
            "'commissioner cloud templates' once while online."
        )
    cat = ws.templates
    kinds = [args.kind] if args.kind else list(KINDS)
    fetched = cat.fetched_at.isoformat() if cat.fetched_at else None
    age = cat.age
    data: dict[str, Any] = {
        "profile": ws.profile.name,
        "source": source,
        "fetched_at": fetched,
        "age_s": None if age is None else round(age.total_seconds(), 1),
    }
    where = "fetched from the cloud now" if source == "cloud" else "from the offline cache"
    parts = [f"Templates of cloud profile {ws.profile.name!r}: {where}, {age_text(age)}."]
    if "devices" in kinds:
        data["deviceTypes"] = [t.to_json() for t in cat.device_types]
        rows: list[tuple[object, ...]] = [(t.id, t.name, t.manufacturer) for t in cat.device_types]
        parts.append(f"\nDevice templates ({len(rows)}):\n" + table(["ID", "NAME", "MAKER"], rows))
    if "sensors" in kinds:
        data["sensorTypes"] = [t.to_json() for t in cat.sensor_types]
        rows = [(t.id, t.name, ", ".join(m.id for m in t.metrics)) for t in cat.sensor_types]
        parts.append(
            f"\nSensor templates ({len(rows)}):\n" + table(["ID", "NAME", "METRICS"], rows)
        )
    if "metrics" in kinds:
        data["metrics"] = [m.to_json() for m in cat.metric_types]
        rows = [
            (m.id, m.display_name or m.name, m.default_unit, ", ".join(u.id for u in m.units))
            for m in cat.metric_types
        ]
        parts.append(
            f"\nMetrics ({len(rows)}):\n" + table(["ID", "NAME", "DEFAULT UNIT", "UNITS"], rows)
        )
    return "\n".join(parts), data, ExitCode.OK


# -- registration files ---------------------------------------------------------------------------


def load_registration(path: Path, profile: CloudProfile) -> RegistrationSpec:
    """A registration file (``spec_to_json`` format) or a saved draft, for ``profile``'s asset."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpecFileError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SpecFileError(f"{path}: not valid JSON ({exc})") from exc
    if isinstance(data, dict) and "ports" in data and "format" not in data:
        try:
            draft = RegistrationDraft.from_json(data)
        except (AttributeError, TypeError, ValueError):
            draft = None
        if draft is None:
            raise SpecFileError(f"{path}: not a usable registration draft")
        spec = draft.to_spec(profile.project_id)
    else:
        try:
            spec = spec_from_json(data)
        except SpecFileError as exc:
            raise SpecFileError(f"{path}: {exc}") from exc
    if spec.project_id and profile.project_id and spec.project_id != profile.project_id:
        raise CloudConfigError(
            f"{path} is for asset {spec.project_id}, but cloud profile {profile.name!r} uses "
            f"{profile.project_id}; pass --project {spec.project_id} to register it there."
        )
    return spec if spec.project_id else replace(spec, project_id=profile.project_id)


async def preview(ws: CloudWorkspace, args: argparse.Namespace) -> Result:
    """The exact request that would be sent, and what local validation says of it (no network)."""
    spec = load_registration(Path(args.file), ws.profile)
    request, problems = ws.preview(spec)
    url = f"{ws.api.integrate_url()}?{ws.profile.project_param}={ws.profile.project_id}"
    checked = ws.templates.loaded
    lines = [f"POST {url}", json.dumps(request, indent=2)]
    lines.append(
        f"Template ids checked against the cached templates ({age_text(ws.templates.age)})."
        if checked
        else "No templates cached: template ids were not checked (run 'templates' online)."
    )
    if problems:
        lines.append(f"{len(problems)} problem(s); nothing would be sent:")
        lines += [f"  - {problem_text(p)}" for p in problems]
    else:
        lines.append("No problems found.")
    data = {
        "method": "POST",
        "url": url,
        "request": request,
        "templates_checked": checked,
        "problems": problems_json(problems),
    }
    return "\n".join(lines), data, ExitCode.BAD_INPUT if problems else ExitCode.OK


# -- register and the queue -----------------------------------------------------------------------


def outcome_json(outcome: RegistrationOutcome) -> dict[str, Any]:
    ports = {
        str(port): {"device": device, "sensors": outcome.sensor_ids(port)}
        for port, device in sorted(outcome.device_ids().items())
    }
    return {
        "registration_id": outcome.registration_id,
        "status": outcome.status.value,
        "node_id": outcome.node_id,
        "created": outcome.created,
        "updated": outcome.updated,
        "skipped": outcome.skipped,
        "removed": outcome.removed,
        "ports": ports,
        "entities": [
            {
                "ref_id": e.ref_id,
                "kind": e.kind,
                "action": e.action.value,
                "cloud_id": e.cloud_id,
                "port": e.port,
            }
            for e in outcome.entities
        ],
        "reason": outcome.reason,
        "problems": problems_json(outcome.problems),
    }


def outcome_result(outcome: RegistrationOutcome) -> Result:
    """Readable lines and the exit code of one registration attempt."""
    rid = outcome.registration_id
    data = outcome_json(outcome)
    if outcome.status is RegistrationStatus.SENT:
        lines = [
            f"Registration #{rid} sent: {outcome.created} created, {outcome.updated} updated, "
            f"{outcome.skipped} already there, {outcome.removed} removed.",
            f"Connection (node): {outcome.node_id}",
        ]
        for port, item in data["ports"].items():
            sensors = ", ".join(item["sensors"]) or "(none)"
            lines.append(f"Port {port}: device {item['device']}\n        sensors {sensors}")
        return "\n".join(lines), data, ExitCode.OK
    if outcome.status is RegistrationStatus.FAILED:
        lines = [f"Registration #{rid} failed: {outcome.reason}"]
        lines += [f"  - {problem_text(p)}" for p in outcome.problems]
        code = ExitCode.BAD_INPUT if outcome.problems else ExitCode.REJECTED
        return "\n".join(lines), data, code
    return queued_text(rid, outcome.reason), data, ExitCode.QUEUED


def queued_text(registration_id: int, reason: str) -> str:
    why = f" ({reason})" if reason else ""
    return (
        f"Registration #{registration_id} queued{why}. It waits in the offline queue; send it "
        "with 'commissioner cloud queue flush' (or the app sends it) once the cloud is reachable."
    )


async def register(ws: CloudWorkspace, args: argparse.Namespace) -> Result:
    """Validate, journal and send; queued (exit 6) when the cloud cannot be reached."""
    spec = load_registration(Path(args.file), ws.profile)
    _, problems = ws.preview(spec)
    if problems:
        lines = [f"Not registered: {len(problems)} problem(s) in {args.file}:"]
        lines += [f"  - {problem_text(p)}" for p in problems]
        invalid = {"status": "invalid", "problems": problems_json(problems)}
        return "\n".join(lines), invalid, ExitCode.BAD_INPUT
    if args.queue:
        rid = ws.queue_only(spec)
        return queued_text(rid, ""), {"registration_id": rid, "status": "pending"}, ExitCode.QUEUED
    try:
        await ensure_signed_in(ws, args)
    except CloudUnavailable as exc:
        rid = ws.queue_only(spec)
        data = {"registration_id": rid, "status": "pending", "reason": str(exc)}
        return queued_text(rid, str(exc)), data, ExitCode.QUEUED
    return outcome_result(await ws.register(spec))


# -- verification and connections -----------------------------------------------------------------


async def verify(ws: CloudWorkspace, args: argparse.Namespace) -> Result:
    await ensure_signed_in(ws, args)
    fetched, checks = await ws.verify(args.id)
    ok = all(c.ok for c in checks)
    rows = [(c.item, c.expected, c.actual, "ok" if c.ok else "DIFFERS") for c in checks]
    verdict = "everything is in the cloud as sent" if ok else "some items differ"
    text = f"Registration #{args.id} in connection {fetched.node.id}: {verdict}.\n" + table(
        ["ITEM", "EXPECTED", "IN THE CLOUD", "RESULT"], rows
    )
    data = {
        "registration_id": args.id,
        "node_id": fetched.node.id,
        "ok": ok,
        "checks": [
            {"item": c.item, "expected": c.expected, "actual": c.actual, "ok": c.ok,
             "ref_id": c.ref_id}
            for c in checks
        ],
    }  # fmt: skip
    return text, data, ExitCode.OK if ok else ExitCode.FAILURE


async def nodes(ws: CloudWorkspace, args: argparse.Namespace) -> Result:
    await ensure_signed_in(ws, args)
    found = await ws.api.list_nodes()
    rows = [
        (n.id, n.name, n.serial, n.props.get("ACCESSIBLE", "-"), n.props.get("LAST_COMM", "-"))
        for n in found
    ]
    text = f"Connections in asset {ws.profile.project_id} ({len(rows)}):\n" + table(
        ["ID", "NAME", "SERIAL", "ACCESSIBLE", "LAST COMM"], rows
    )
    data = {
        "project_id": ws.profile.project_id,
        "nodes": [{"id": n.id, "type": n.type, "props": redact(n.props)} for n in found],
    }
    return text, data, ExitCode.OK
