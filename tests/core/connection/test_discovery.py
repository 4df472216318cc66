"""Discovery probes only the listed addresses, in parallel, and reports what answered."""

from __future__ import annotations

import socket
import time

from commissioner.core.connection.discovery import discover, parse_candidates
from commissioner.core.edge.client import EdgeClient
from commissioner.sim.host import SimHost


def _closed() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{sock.getsockname()[1]}"


def test_parse_candidates() -> None:
    """Commas, spaces and new lines separate; duplicates go."""
    assert parse_candidates("127.0.0.1:1, 127.0.0.1:2\n127.0.0.1:1  ::1") == [
        "127.0.0.1:1",
        "127.0.0.1:2",
        "::1",
    ]


async def test_discovers_listed_threads_only() -> None:
    """Two simulated THREADs answer with their Connect Codes; a silent and a bad address are reported."""
    async with SimHost(count=2) as host:
        addresses = [u.removeprefix("http://") for u in host.urls] + [_closed(), "not a host!"]
        seen: list[str] = []
        t0 = time.perf_counter()
        probes = await discover(
            addresses, timeout_s=1.0, on_result=lambda p: seen.append(p.address)
        )
        elapsed = time.perf_counter() - t0
        serials = {s.serial_number for s in host.servers}
        async with EdgeClient(host.urls[0]) as client:
            assert await client.serial_number() in serials
    assert [p.address for p in probes] == addresses
    assert {p.serial_number for p in probes[:2]} == serials
    assert not probes[2].found and "refused" in probes[2].error
    assert not probes[3].found and "host" in probes[3].error
    assert sorted(seen) == sorted(addresses)
    assert elapsed < 5  # parallel: bounded by one timeout, not the sum
