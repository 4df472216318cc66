"""Cloud registration against the cloud simulator over loopback: sign-in, register, reconcile, upload.

Prints how long the steps an installer waits for take: PKCE sign-in, the template refresh, a
three-port THREAD registration (new connection, 3 devices, 3 sensors) and its verification, a
repeat registration (reconcile, nothing created), the recovery from a lost answer (the request is
processed but the client times out, then looks the connection up and sends nothing twice), and
the upload rate of bench readings in batches of 500. Loopback only; no timing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from commissioner.core.cloud.port_mapping import default_draft
from commissioner.core.cloud.profiles import simulator_profile
from commissioner.core.cloud.workspace import CloudWorkspace
from commissioner.core.sensor_catalogue import load_catalogue
from commissioner.sim.cloud.server import CloudSim

MODES = {1: "RS232", 2: "RS485", 3: "ANALOG"}


async def timed(step: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    result = await step()
    return (time.perf_counter() - t0) * 1000, result


def summary(name: str, samples: list[float]) -> None:
    samples = sorted(samples)
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    print(f"{name}: n={len(samples)}, median {statistics.median(samples):.1f} ms, p95 {p95:.1f} ms")


async def main(runs: int, observations: int) -> None:
    catalogue = load_catalogue()
    with tempfile.TemporaryDirectory() as folder:
        async with CloudSim(seed=7) as sim:
            profile = simulator_profile(sim.url)
            async with CloudWorkspace(profile, Path(folder), timeout_s=2.0) as ws:
                ms, _ = await timed(ws.sign_in)
                print(f"PKCE sign-in (authorize, loopback callback, token, userinfo): {ms:.1f} ms")
                ms, _ = await timed(ws.refresh_templates)
                print(f"template refresh (device, sensor and metric catalogues): {ms:.1f} ms")
                register, verify, repeat = [], [], []
                outcome = None
                for run in range(runs):
                    spec = default_draft(f"B{run:05X}", catalogue, MODES).to_spec()
                    ms, outcome = await timed(lambda s=spec: ws.register(s))  # type: ignore[misc]
                    register.append(ms)
                    rid = outcome.registration_id
                    ms, _ = await timed(lambda r=rid: ws.verify(r))  # type: ignore[misc]
                    verify.append(ms)
                    ms, again = await timed(lambda s=spec: ws.register(s))  # type: ignore[misc]
                    assert again.created == 0
                    repeat.append(ms)
                summary("register 3 devices + 3 sensors (new connection)", register)
                summary("verify (get integration + compare)", verify)
                summary("repeat registration (reconcile, nothing created)", repeat)

                sim.faults.delay_after_accept_s = 3.0
                spec = default_draft("AMB001", catalogue, MODES).to_spec()
                ms, outcome = await timed(lambda: ws.register(spec))
                rid = outcome.registration_id
                await ws.flusher.flush_now()
                nodes = len(await ws.api.list_nodes())
                print(
                    f"lost answer (2 s client timeout): first attempt {ms:.0f} ms, status "
                    f"{ws.journal.get(rid).status.value} after reconcile; nodes in project {nodes}"
                    f" for {runs + 1} THREADs"
                )

                assert outcome is not None
                registered = await ws.verify(rid)
                sensor_id = registered[0].devices[0].sensors[0].id
                base = time.time() - observations
                batch = [
                    {
                        "sensorId": sensor_id,
                        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(base + k)),
                        "values": {
                            "Air_Temperature": 20 + k % 10,
                            "Relative_Humidity": 50.0,
                            "Barometric_Pressure": 1013.0,
                        },
                    }
                    for k in range(observations)
                ]
                ms, report = await timed(lambda: ws.upload(batch))
                assert report.ok, report
                rate = observations / (ms / 1000)
                print(
                    f"upload {observations} observations in batches of 500: {ms:.0f} ms, "
                    f"{rate:,.0f} observations/s"
                )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--observations", type=int, default=10_000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # the expected lost-answer warning is not a figure
    asyncio.run(main(args.runs, args.observations))
