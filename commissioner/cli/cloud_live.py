"""``commissioner cloud`` operations on the account and on live data: signin, signout, status,
watch and upload.

``status`` and ``watch`` use the JSON-RPC socket, because that is where the cloud reports a
connection's ``ACCESSIBLE``/``LAST_COMM`` and pushes new observations as they are stored.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from commissioner.cli.cloud_format import Result, problem_text, problems_json
from commissioner.cli.cloud_session import ensure_signed_in, persistence_note, sign_in
from commissioner.cli.exit_codes import ExitCode, exit_code_for
from commissioner.core.cloud.errors import CloudConfigError
from commissioner.core.cloud.presence import SensorWatch, WatchedObservation
from commissioner.core.cloud.rpc_types import parse_iso
from commissioner.core.cloud.upload import build_observations, read_readings_csv
from commissioner.core.cloud.workspace import CloudWorkspace


async def signin(ws: CloudWorkspace, args: argparse.Namespace) -> Result:
    account = await sign_in(ws, args)
    method = ws.profile.auth_method.value
    note = persistence_note(ws)
    text = f"Signed in to cloud profile {ws.profile.name!r} as {account} ({method}).\n{note}"
    data = {
        "profile": ws.profile.name,
        "method": method,
        "account": account,
        "persistent": ws.secrets.persistent,
    }
    return text, data, ExitCode.OK


async def signout(ws: CloudWorkspace, _args: argparse.Namespace) -> Result:
    ws.auth.sign_out(forget_secret=True)
    text = (
        f"Signed out of cloud profile {ws.profile.name!r}; its stored refresh token, client "
        "secret and API key were forgotten."
    )
    return text, {"profile": ws.profile.name, "signed_out": True}, ExitCode.OK


async def status(ws: CloudWorkspace, args: argparse.Namespace) -> Result:
    """ACCESSIBLE / LAST_COMM of one connection; exit 0 online, 1 offline."""
    await ensure_signed_in(ws, args)
    projects = [ws.profile.project_id] if ws.profile.project_id else None
    async with ws.socket() as client:
        found = await client.get_nodes([args.node_id], project_ids=projects)
    node = next((n for n in found if n.get("id") == args.node_id), None)
    if node is None:
        raise CloudConfigError(
            f"No connection {args.node_id} in asset {ws.profile.project_id or '(default)'}."
        )
    raw = node.get("props")
    props: dict[str, Any] = raw if isinstance(raw, dict) else {}
    online = props.get("ACCESSIBLE") is True
    last = props.get("LAST_COMM")
    seen = parse_iso(last)
    ago = f" ({(datetime.now(UTC) - seen).total_seconds():.0f} s ago)" if seen else ""
    text = (
        f"Connection {args.node_id} ({props.get('NAME', '')}): "
        f"{'ONLINE' if online else 'OFFLINE'}\n"
        f"ACCESSIBLE: {str(online).lower()}\n"
        f"LAST_COMM: {last or 'never'}{ago}\n"
        f"Observations: {props.get('OBSERVATION_COUNT', 0)}"
    )
    data = {
        "node_id": args.node_id,
        "name": props.get("NAME", ""),
        "accessible": online,
        "last_comm": last,
        "observation_count": props.get("OBSERVATION_COUNT"),
    }
    return text, data, ExitCode.OK if online else ExitCode.FAILURE


async def watch(ws: CloudWorkspace, args: argparse.Namespace) -> Result:
    """Print a sensor's new observations as the cloud pushes them (JSON lines with --json)."""
    await ensure_signed_in(ws, args)
    async with ws.socket() as client:
        unit = args.unit
        if not unit:
            metrics = (await client.get_metrics([args.sensor_id])).get(args.sensor_id, [])
            match = next((m for m in metrics if args.metric in (m.get("id"), m.get("name"))), None)
            if match is None:
                known = ", ".join(str(m.get("id")) for m in metrics) or "none"
                raise CloudConfigError(
                    f"Sensor {args.sensor_id} has no metric {args.metric!r} (it has: {known})."
                )
            unit = str(match.get("defaultUnit") or "")

        def show(item: WatchedObservation) -> None:
            if args.json:
                line = json.dumps(
                    {
                        "sensorId": item.sensor_id,
                        "metric": item.metric,
                        "unit": item.unit,
                        "timestamp": item.timestamp_text,
                        "value": item.value,
                        "receivedAt": item.received_at.isoformat(),
                    }
                )
            else:
                line = f"{item.timestamp_text}  {item.metric} = {item.value:g} {item.unit}"
            print(line, flush=True)

        async with SensorWatch(
            client, args.sensor_id, [(args.metric, unit)], on_observation=show
        ) as watcher:
            print(
                f"Watching {args.sensor_id} {args.metric} ({unit}); Ctrl-C stops.",
                file=sys.stderr,
                flush=True,
            )
            limit = args.watch_timeout if args.watch_timeout > 0 else None
            complete = True
            if args.count > 0:
                complete = await watcher.wait_for(args.count, limit or float("inf"))
            elif limit is not None:
                await asyncio.sleep(limit)
            else:
                await asyncio.Event().wait()
            received = watcher.received
    if args.json:  # the observations were the output; no summary object after JSON lines
        return "", None, ExitCode.OK if complete else ExitCode.FAILURE
    text = f"{received} observation(s) received" + ("" if complete else " before the timeout")
    print(text, file=sys.stderr)
    return "", None, ExitCode.OK if complete else ExitCode.FAILURE


def parse_map(items: list[str], channels: list[str]) -> dict[str, str]:
    """``channel=metric`` pairs; without any, every channel uploads under its own name."""
    if not items:
        return {c: c for c in channels}
    mapping: dict[str, str] = {}
    for item in items:
        channel, sep, metric = item.partition("=")
        if not sep or not channel.strip() or not metric.strip():
            raise CloudConfigError(f"--map {item!r}: expected CHANNEL=METRIC")
        if channel.strip() not in channels:
            raise CloudConfigError(
                f"--map {item!r}: the file has no channel {channel.strip()!r} "
                f"(it has: {', '.join(channels) or 'none'})"
            )
        mapping[channel.strip()] = metric.strip()
    return mapping


async def upload(ws: CloudWorkspace, args: argparse.Namespace) -> Result:
    """Upload a readings CSV as observations of one sensor, in batches."""
    path = Path(args.file)
    try:
        readings = read_readings_csv(path)
    except OSError as exc:
        raise CloudConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise CloudConfigError(f"{path}: not a UTF-8 CSV file") from exc
    except ValueError as exc:  # no header or no time column
        raise CloudConfigError(str(exc)) from exc
    built = build_observations(
        args.sensor_id, readings.readings, parse_map(args.map, readings.channels)
    )
    if not built.observations:
        raise CloudConfigError(f"{path}: no values to upload (after mapping channels to metrics).")
    await ensure_signed_in(ws, args)
    report = await ws.api.upload(built.observations, batch_size=args.batch)
    rejected = sum(b.count for b in report.batches if not b.accepted and b.error is None)
    lines = [
        f"Uploaded to {args.sensor_id}: {report.accepted_count} of {report.total} observation(s) "
        f"accepted, {rejected} rejected, {report.unsent_count} not sent "
        f"({len(report.batches)} batch(es) of up to {args.batch})."
    ]
    lines += [f"  - {problem_text(p)}" for p in report.problems]
    skipped = readings.problems + (
        [f"{built.skipped_values} NaN/infinite value(s) left out"] if built.skipped_values else []
    )
    lines += [f"  skipped: {s}" for s in skipped]
    stopped = report.stopped_by
    if stopped is not None:
        lines.append(f"Stopped: {stopped}")
    data = {
        "sensor_id": args.sensor_id,
        "total": report.total,
        "accepted": report.accepted_count,
        "rejected": rejected,
        "unsent": report.unsent_count,
        "batches": len(report.batches),
        "problems": problems_json(report.problems),
        "skipped": skipped,
        "error": None if stopped is None else str(stopped),
    }
    if stopped is not None:
        code = exit_code_for(stopped)
    else:
        code = ExitCode.OK if report.ok else ExitCode.BAD_INPUT
    return "\n".join(lines), data, code
