"""``commissioner sim``: simulated THREADs in the foreground, driven by another process."""

from __future__ import annotations

import asyncio
import re
import signal
import sys

import httpx


async def _start_sim(*args: str) -> tuple[asyncio.subprocess.Process, list[str]]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "commissioner",
        "sim",
        "--port",
        "0",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    urls: list[str] = []
    while True:
        line = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
        assert line, "simulator exited before printing its URLs"
        match = re.search(r"THREAD ([0-9A-F]{6}) at (http://127\.0\.0\.1:\d+)", line)
        if match:
            urls.append(match.group(2))
        if line.startswith("Control:"):
            return proc, urls


async def _stop(proc: asyncio.subprocess.Process) -> int:
    proc.send_signal(signal.SIGINT)
    return await asyncio.wait_for(proc.wait(), 15)


async def test_sim_prints_urls_of_each_thread() -> None:
    """--count 2 serves two THREADs on loopback with distinct serial numbers; Ctrl-C stops cleanly."""
    proc, urls = await _start_sim("--count", "2")
    try:
        assert len(urls) == 2
        async with httpx.AsyncClient(trust_env=False) as http:
            serials = {(await http.get(f"{u}/api/serialNumber")).json()["value"] for u in urls}
        assert len(serials) == 2
    finally:
        assert await _stop(proc) == 0


async def test_sim_fault_flags_apply() -> None:
    """--error-rate 1 makes every REST answer an HTTP 500, as the flag promises."""
    proc, urls = await _start_sim("--error-rate", "1", "--seed", "3")
    try:
        async with httpx.AsyncClient(trust_env=False) as http:
            response = await http.get(f"{urls[0]}/api/serialNumber")
            faults = (await http.get(f"{urls[0]}/_sim/faults")).json()
        assert response.status_code == 500
        assert faults["error_rate"] == 1.0
    finally:
        await _stop(proc)
