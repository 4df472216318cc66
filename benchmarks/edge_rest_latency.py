"""Edge client round trips to the simulated THREAD over loopback.

Prints the median and 99th-percentile latency of sequential reads, and the throughput of
concurrent reads, so that changes to the client or the simulator show their cost. Loopback only.
"""

from __future__ import annotations

import asyncio
import statistics
import time

from commissioner.core.edge.client import EdgeClient
from commissioner.sim.server import ThreadServer

SEQUENTIAL = 500
CONCURRENT = 2000
PARALLEL = 16


async def main() -> None:
    async with ThreadServer() as server, EdgeClient(server.url) as client:
        await client.serial_number()
        samples = []
        for _ in range(SEQUENTIAL):
            t0 = time.perf_counter()
            await client.battery_voltage()
            samples.append((time.perf_counter() - t0) * 1000)
        samples.sort()
        p50 = statistics.median(samples)
        p99 = samples[int(len(samples) * 0.99) - 1]
        print(
            f"sequential batteryVoltage: {SEQUENTIAL} calls, median {p50:.2f} ms, p99 {p99:.2f} ms"
        )

        semaphore = asyncio.Semaphore(PARALLEL)

        async def one() -> None:
            async with semaphore:
                await client.temperature()

        t0 = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(CONCURRENT)))
        elapsed = time.perf_counter() - t0
        print(
            f"concurrent tempRead: {CONCURRENT} calls, {PARALLEL} in flight, {CONCURRENT / elapsed:.0f} calls/s"
        )

        t0 = time.perf_counter()
        for _ in range(20):
            await asyncio.gather(
                *(client.port_measurement(p) for p in (1, 2, 3)), client.versions()
            )
        print(
            f"dashboard-style refresh (3 ports + versions): {(time.perf_counter() - t0) / 20 * 1000:.1f} ms each"
        )


if __name__ == "__main__":
    asyncio.run(main())
