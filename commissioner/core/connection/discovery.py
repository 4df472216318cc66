"""Find THREADs among addresses the user listed, never by scanning ranges.

Each candidate is asked ``GET /api/serialNumber`` once, all in parallel with a short timeout;
the answer says which answered and with what Connect Code. Nothing else is contacted.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from commissioner.core.connection.targets import base_url
from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.errors import EdgeError

MAX_CANDIDATES = 64


@dataclass(frozen=True)
class Probe:
    address: str
    url: str
    serial_number: str | None
    error: str
    elapsed_ms: float

    @property
    def found(self) -> bool:
        return self.serial_number is not None


def parse_candidates(text: str) -> list[str]:
    """Addresses separated by commas, spaces or new lines; duplicates removed, order kept."""
    seen: list[str] = []
    for item in text.replace(",", " ").split():
        if item not in seen:
            seen.append(item)
    return seen


async def _probe(address: str, timeout_s: float) -> Probe:
    t0 = time.perf_counter()
    try:
        url = base_url(address)
    except EdgeError as exc:
        return Probe(address, "", None, str(exc), 0.0)
    try:
        async with EdgeClient(url, timeout_s=timeout_s, read_retries=0) as client:
            serial = await client.serial_number()
        return Probe(address, url, serial, "", (time.perf_counter() - t0) * 1000)
    except EdgeError as exc:
        reason = getattr(exc, "reason", "") or str(exc)
        return Probe(address, url, None, reason, (time.perf_counter() - t0) * 1000)


async def discover(
    candidates: Iterable[str],
    *,
    timeout_s: float = 1.0,
    on_result: Callable[[Probe], None] | None = None,
) -> list[Probe]:
    """Probe every candidate in parallel; results in candidate order (``on_result`` as they come)."""
    addresses = list(candidates)[:MAX_CANDIDATES]

    async def one(address: str) -> Probe:
        result = await _probe(address, timeout_s)
        if on_result is not None:
            on_result(result)
        return result

    return list(await asyncio.gather(*(one(a) for a in addresses)))
