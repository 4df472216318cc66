"""Guided commissioning, headless, against simulated THREADs and the cloud simulator on loopback.

Prints two figures of ``commissioner commission`` (run in this process, exactly as a user runs it):

1. one simulated THREAD commissioned start to finish (connect, snapshot, plan, 3 ports applied,
   read back and voltages checked, 3 sensors listened to, registered, confirmed in the cloud
   with the evidence uploaded and the node online), each run on a fresh THREAD; the figure is
   the run's wall time minus the configured data-wait windows (``session.data_wait_s``: time
   spent listening to sensors) and minus the report, with median and p95, plus the raw totals;
2. a fleet of 50 THREADs with ``--parallel 50`` against the same work with ``--parallel 1``,
   as a ratio. Fifty THREADs one after another take minutes, so by default the sequential run
   is measured on fewer fresh THREADs and scaled to 50 (said so in the output); ``--full``
   measures all 50.

The simulators run in a child process (the THREADs are other machines in the field, and they must
not share this process's GIL), with fast sensors (a line every 0.05 s) and a copy of the mixed
three-port profile with short expected intervals, so the data windows are short. No figure is
asserted. ``--quick`` is the few-second smoke mode the test suite runs.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# A journal, settings and cloud queue of our own: never the user's.
_SCRATCH = Path(tempfile.mkdtemp(prefix="commissioner-bench-commissioning-"))
os.environ["COMMISSIONER_DATA_DIR"] = str(_SCRATCH / "data")
os.environ["COMMISSIONER_CONFIG_DIR"] = str(_SCRATCH / "config")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SENSOR_INTERVAL_S = 0.05


# -- the child: simulated THREADs and the cloud ---------------------------------------------------


def serve(count: int, seed: int) -> None:
    """Child mode: run ``count`` THREADs and a cloud simulator until stdin closes."""
    import asyncio

    from commissioner.sim.cloud.server import CloudSim
    from commissioner.sim.host import SimHost
    from commissioner.sim.scenario import load_scenario

    scenario = load_scenario("default")
    sensors = tuple(
        dataclasses.replace(s, min_ma=6.0, max_ma=18.0) if s.kind == "analog" else s
        for s in scenario.sensors
    )  # the 4-20 mA sweep stays inside the profile's range whatever the moment
    device = dataclasses.replace(scenario.device, time_sync_s=0.0, update_restart_s=0.4)
    scenario = dataclasses.replace(scenario, sensors=sensors, device=device)

    async def run() -> None:
        host = SimHost(count, scenario, seed=seed, sensor_interval_s=SENSOR_INTERVAL_S)
        cloud = CloudSim(seed=seed)
        await host.start()
        await cloud.start()
        print(json.dumps({"urls": host.urls, "cloud": cloud.url}), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        await cloud.aclose()
        await host.aclose()

    asyncio.run(run())


@contextlib.contextmanager
def simulators(count: int, seed: int) -> Iterator[dict[str, Any]]:
    """A child process serving ``count`` fresh THREADs and a fresh cloud; its URLs."""
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(count), "--seed", str(seed)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        if not line:
            raise RuntimeError("the simulator process exited before it was ready")
        yield json.loads(line)
    finally:
        assert child.stdin is not None
        child.stdin.close()
        try:
            child.wait(20)
        except subprocess.TimeoutExpired:
            child.kill()


# -- the measuring side ---------------------------------------------------------------------------


def bench_profile() -> Path:
    """The mixed three-port profile with intervals short enough for fast sensors (polls 0.3 s)."""
    text = (ROOT / "resources" / "profiles" / "mixed-three-port.toml").read_text(encoding="utf-8")
    text = text.replace("interval_s = 5.0", "interval_s = 0.3").replace(
        "interval_s = 2.0", "interval_s = 0.5"
    )
    path = _SCRATCH / "bench-profile.toml"
    path.write_text(text, encoding="utf-8")
    return path


def commission(
    urls: list[str], cloud: str, parallel: int, reports: Path | None, tag: str
) -> tuple[float, dict[str, Any]]:
    """``commissioner commission ... --json`` in this process; (wall seconds, its JSON)."""
    from commissioner.cli import main

    manifest = _SCRATCH / f"{tag}.toml"
    lines = ['[site]\nsite = "Bench"\ntechnician = "Benchmark"\n']
    lines += [f'[[units]]\nname = "{tag}-{i}"\naddress = "{url}"\n' for i, url in enumerate(urls)]
    manifest.write_text("\n".join(lines), encoding="utf-8")
    args = ["commission", "--profile", str(bench_profile()), "--targets", str(manifest)]
    args += ["--parallel", str(parallel), "--sim-cloud-url", cloud, "--json"]
    args += ["--data-timeout", "5", "--confirm-timeout", "10"]
    args += ["--report-dir", str(reports)] if reports is not None else ["--no-report"]
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    wall = time.perf_counter() - started
    try:
        summary = json.loads(out.getvalue())
    except ValueError:
        raise RuntimeError(
            f"no JSON summary (exit {code}):\n{out.getvalue()}\n{err.getvalue()}"
        ) from None
    if code != 0:
        failed = [(u["name"], u["reason"]) for u in summary["units"] if not u["passed"]]
        print(f"  note: exit {code}; not passed: {failed}")
    return wall, summary


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, -(-95 * len(ordered) // 100) - 1))]


def single_runs(runs: int, with_report: bool) -> None:
    print(f"\n-- 1. one THREAD, full run (3 ports, verify, register + confirm), {runs} run(s) --")
    active, totals = [], []
    with simulators(runs, seed=101) as sims:
        for index, url in enumerate(sims["urls"]):
            reports = _SCRATCH / "reports" if with_report else None
            wall, summary = commission([url], sims["cloud"], 1, reports, f"single{index}")
            unit = summary["units"][0]
            rest = unit["wall_s"] - unit["data_wait_s"] - unit["report_s"]
            active.append(rest)
            totals.append(unit["wall_s"])
            print(
                f"run {index + 1}: {unit['status']}, {unit['checks_passed']}/{unit['checks_total']}"
                f" checks, cloud {unit['cloud']['status'] if unit['cloud'] else '-'}; total "
                f"{unit['wall_s']:.2f} s = data wait {unit['data_wait_s']:.2f} s + report "
                f"{unit['report_s']:.2f} s + the rest {rest:.2f} s (command incl. sign-in "
                f"{wall:.2f} s)"
            )
    print(
        f"full run excluding data-wait windows and report: median {statistics.median(active):.2f} s,"
        f" p95 {p95(active):.2f} s (n={len(active)}); raw total per run: median "
        f"{statistics.median(totals):.2f} s, p95 {p95(totals):.2f} s"
    )
    print("(the rest includes the engine's fixed 0.5 s settle after voltage changes)")


def fleet_runs(count: int, sequential: int) -> None:
    print(f"\n-- 2. a fleet of {count} THREADs: --parallel {count} against --parallel 1 --")
    with simulators(count, seed=202) as sims:
        wall_par, summary = commission(sims["urls"], sims["cloud"], count, None, "par")
    ok = summary["passed"]
    waits = [u["data_wait_s"] for u in summary["units"]]
    print(
        f"--parallel {count}: {count} THREADs in {wall_par:.2f} s ({ok} passed; data wait per "
        f"THREAD median {statistics.median(waits):.2f} s)"
    )
    with simulators(sequential, seed=303) as sims:
        wall_seq, summary = commission(sims["urls"], sims["cloud"], 1, None, "seq")
    per = wall_seq / sequential
    print(
        f"--parallel 1: {sequential} THREADs in {wall_seq:.2f} s ({summary['passed']} passed) = "
        f"{per:.2f} s per THREAD"
    )
    if sequential == count:
        estimate, how = wall_seq, "measured"
    else:
        estimate = per * count
        how = f"measured on {sequential} THREADs and scaled to {count}"
    print(
        f"ratio: --parallel 1 / --parallel {count} = {estimate:.1f} s / {wall_par:.2f} s = "
        f"{estimate / wall_par:.1f}x faster in parallel (sequential time {how})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few-second smoke run")
    parser.add_argument("--runs", type=int, default=5, help="single-THREAD runs (default 5)")
    parser.add_argument("--fleet", type=int, default=50, help="THREADs in the fleet (default 50)")
    parser.add_argument(
        "--sequential", type=int, default=10, help="THREADs for the --parallel 1 run (default 10)"
    )
    parser.add_argument("--full", action="store_true", help="run all --fleet THREADs sequentially")
    parser.add_argument("--no-report", action="store_true", help="no PDF in the single runs")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        serve(args.serve, args.seed)
        return
    if args.quick:
        args.runs, args.fleet, args.sequential, args.no_report = 1, 3, 2, True
    sequential = args.fleet if args.full else min(args.sequential, args.fleet)

    from _common import print_header

    print_header("commissioner commission: one THREAD, and a fleet in parallel")
    print(
        f"settings: simulated THREADs in a child process, sensors every {SENSOR_INTERVAL_S} s, "
        "profile mixed-three-port with 0.3-0.5 s expected intervals, cloud simulator, "
        f"journal in {_SCRATCH}"
    )
    started = time.perf_counter()
    single_runs(args.runs, with_report=not args.no_report)
    fleet_runs(args.fleet, sequential)
    print(f"\nbenchmark took {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
