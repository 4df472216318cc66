"""``commissioner cloud queue``: the offline registration queue (list, retry, discard, flush).

The CLI never flushes the queue behind the user's back (the workspace's background flusher is not
started in a CLI process); ``queue flush`` sends every due registration once, oldest first, through
the same registrar as the app, so a registration queued offline reaches the cloud exactly once.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from commissioner.cli.cloud_format import Result, table
from commissioner.cli.cloud_ops import outcome_json, outcome_result, queued_text
from commissioner.cli.cloud_session import ensure_signed_in
from commissioner.cli.exit_codes import ExitCode
from commissioner.core.cloud.errors import CloudUnavailable
from commissioner.core.cloud.journal import QueuedRegistration, RegistrationStatus
from commissioner.core.cloud.workspace import CloudWorkspace

OPEN = (RegistrationStatus.PENDING, RegistrationStatus.SENDING, RegistrationStatus.FAILED)


def _stamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def queued_json(item: QueuedRegistration) -> dict[str, Any]:
    return {
        "id": item.id,
        "status": item.status.value,
        "thread_serial": item.thread_serial,
        "project_id": item.project_id,
        "attempts": item.attempts,
        "created_at": _stamp(item.created_at),
        "updated_at": _stamp(item.updated_at),
        "node_id": item.node_id,
        "ambiguous": item.ambiguous,
        "last_error": item.last_error,
    }


async def queue(ws: CloudWorkspace, args: argparse.Namespace) -> Result:
    action = args.queue_action or "list"
    if action == "discard":
        ws.journal.discard(args.id)
        return f"Registration #{args.id} discarded.", {"id": args.id, "status": "discarded"}, 0
    if action == "retry":
        try:
            await ensure_signed_in(ws, args)
        except CloudUnavailable as exc:
            data = {"registration_id": args.id, "status": "pending", "reason": str(exc)}
            return queued_text(args.id, str(exc)), data, ExitCode.QUEUED
        return outcome_result(await ws.registrar.register(args.id))
    if action == "flush":
        return await _flush(ws, args)
    wanted = None if getattr(args, "all", False) else OPEN  # "queue" alone has no --all
    items = ws.journal.list(wanted)
    rows: list[tuple[object, ...]] = [
        (i.id, i.status.value, i.thread_serial, i.attempts, _stamp(i.updated_at),
         i.node_id or "-", i.last_error[:70])
        for i in items
    ]  # fmt: skip
    heading = f"Registration queue of cloud profile {ws.profile.name!r}"
    text = (
        f"{heading}: empty."
        if not rows
        else f"{heading}:\n"
        + table(["ID", "STATUS", "THREAD", "TRIES", "UPDATED", "NODE", "LAST ERROR"], rows)
    )
    data = {"profile": ws.profile.name, "registrations": [queued_json(i) for i in items]}
    return text, data, ExitCode.OK


async def _flush(ws: CloudWorkspace, args: argparse.Namespace) -> Result:
    if ws.flusher.pending_count() == 0:
        return "Nothing is queued.", {"sent": 0, "pending": 0, "outcomes": []}, ExitCode.OK
    try:
        await ensure_signed_in(ws, args)
    except CloudUnavailable as exc:
        pending = ws.flusher.pending_count()
        data = {"sent": 0, "pending": pending, "outcomes": [], "reason": str(exc)}
        return f"{pending} registration(s) still queued: {exc}", data, ExitCode.QUEUED
    report = await ws.flusher.flush_now()
    pending = ws.flusher.pending_count()
    lines = [outcome_result(o)[0] for o in report.outcomes]
    lines.append(f"Sent {report.sent}; {pending} still queued.")
    failed = any(o.status is RegistrationStatus.FAILED for o in report.outcomes)
    code = ExitCode.QUEUED if pending else (ExitCode.FAILURE if failed else ExitCode.OK)
    data = {
        "sent": report.sent,
        "pending": pending,
        "outcomes": [outcome_json(o) for o in report.outcomes],
    }
    return "\n".join(lines), data, code
