"""The activity log: every request sent to the THREAD and how it ended, filterable and exportable.

Bounded (old entries drop off the front, counted) so a long session cannot exhaust memory.
Anything that looks secret is redacted on the way in, so neither the view nor an export can
leak it, whatever a future API carries.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from commissioner.core.edge.transport import Exchange

REDACTED = "«redacted»"
_SECRET_KEY = re.compile(
    r"(?i)(secret|token|password|passwd|api[_-]?key|authorization|bearer|credential)"
)


def redact(value: Any) -> Any:
    """A copy of ``value`` with every secret-looking key's value replaced."""
    if isinstance(value, dict):
        return {k: REDACTED if _SECRET_KEY.search(str(k)) else redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, str) and re.match(r"(?i)^(bearer|apikey)\s+\S+", value):
        return REDACTED
    return value


@dataclass(frozen=True)
class ActivityEntry:
    when: float
    method: str
    path: str
    request: str
    status: int | None
    elapsed_ms: float
    outcome: str
    ok: bool
    heartbeat: bool = False

    @property
    def time_text(self) -> str:
        return (
            time.strftime("%H:%M:%S", time.localtime(self.when))
            + f".{int(self.when * 1000) % 1000:03d}"
        )

    def matches(self, text: str) -> bool:
        needle = text.strip().lower()
        if not needle:
            return True
        haystack = f"{self.method} {self.path} {self.request} {self.status} {self.outcome}".lower()
        return all(word in haystack for word in needle.split())

    def as_json(self) -> dict[str, Any]:
        return {
            "time": self.time_text,
            "timestamp": self.when,
            "method": self.method,
            "path": self.path,
            "request": self.request,
            "status": self.status,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "outcome": self.outcome,
        }


def entry_from_exchange(exchange: Exchange) -> ActivityEntry:
    parts = []
    if exchange.params:
        parts.append("?" + "&".join(f"{k}={v}" for k, v in redact(dict(exchange.params)).items()))
    if exchange.body is not None:
        parts.append(json.dumps(redact(exchange.body), default=str))
    if exchange.attempt > 1:
        parts.append(f"(retry {exchange.attempt - 1})")
    ok = exchange.error is None
    outcome = "OK" if ok else (exchange.error or "failed")
    return ActivityEntry(
        when=exchange.started,
        method=exchange.method,
        path=exchange.path,
        request=" ".join(parts),
        status=exchange.status,
        elapsed_ms=exchange.elapsed_ms,
        outcome=outcome,
        ok=ok,
        heartbeat=exchange.purpose == "heartbeat",
    )


class ActivityLog:
    """Bounded in-memory log with listeners; the UI batches what it is told."""

    def __init__(self, capacity: int = 5000) -> None:
        self.entries: deque[ActivityEntry] = deque(maxlen=capacity)
        self.dropped = 0
        self._listeners: list[Callable[[ActivityEntry], None]] = []

    def add_listener(self, listener: Callable[[ActivityEntry], None]) -> None:
        self._listeners.append(listener)

    def record(self, exchange: Exchange) -> None:
        entry = entry_from_exchange(exchange)
        if len(self.entries) == self.entries.maxlen:
            self.dropped += 1
        self.entries.append(entry)
        for listener in list(self._listeners):
            listener(entry)

    def filtered(
        self, text: str = "", failures_only: bool = False, heartbeats: bool = False
    ) -> list[ActivityEntry]:
        """Entries matching ``text``; connection heartbeats only when asked (failed ones always)."""
        return [
            e
            for e in self.entries
            if e.matches(text)
            and (not e.ok or not failures_only)
            and (heartbeats or not e.heartbeat or not e.ok)
        ]

    def clear(self) -> None:
        self.entries.clear()


def export(entries: Iterable[ActivityEntry], path: Path) -> int:
    """Write entries as CSV (``.csv``) or JSON (anything else); returns how many were written."""
    rows = [e.as_json() for e in entries]
    if path.suffix.lower() == ".csv":
        buffer = io.StringIO()
        fields = [
            "time",
            "method",
            "path",
            "request",
            "status",
            "elapsed_ms",
            "outcome",
            "timestamp",
        ]
        writer = csv.DictWriter(buffer, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
        path.write_text(buffer.getvalue(), encoding="utf-8")
    else:
        path.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return len(rows)
