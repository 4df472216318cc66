"""The live-console throughput benchmarks run end to end and print their figures (no timing checks)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
FIGURES = (
    "machine:",
    "source (own process): sent",
    "received:",
    "parsed:",
    "loss: sent - received = 0 bytes",
    "display:",
    "loop lag",
    "p99",
    "memory (RSS): start",
    "CPU (measuring process)",
    "targets:",
    "throughput:",
    "loop lag p99 under 50 ms",
    "memory flat",
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals and fork-free POSIX only"),
]


def _run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        timeout=150,
        cwd=ROOT,
        env=env,
        check=False,
    )


@pytest.mark.timeout(180)
@pytest.mark.parametrize(
    ("script", "mode"),
    [
        ("stream_throughput.py", ()),
        ("stream_throughput.py", ("--no-ui",)),
        ("stream_throughput.py", ("--console", "standin", "--text-frames")),
        ("serial_throughput.py", ()),
        ("serial_throughput.py", ("--no-ui", "--sample-listener")),
    ],
)
def test_benchmark_prints_its_figures(script: str, mode: tuple[str, ...]) -> None:
    """A one-second gentle run exits 0, prints every figure and verdict, and loses nothing."""
    result = _run(script, "--duration", "1", "--rate-mb", "2", *mode)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    for figure in FIGURES:
        assert figure in out, f"{figure!r} missing from:\n{out}\n{result.stderr}"
    assert "PASS  zero bytes lost" in out, out
    assert "capture equals the sent stream byte for byte: yes" in out, out
    assert "Traceback" not in result.stderr, result.stderr


@pytest.mark.timeout(60)
def test_shared_helpers_module_runs_as_a_script() -> None:
    """`./dev bench` runs every benchmarks/*.py, so the helpers module must exit 0 quietly."""
    result = _run("_common.py")
    assert result.returncode == 0, result.stderr
    assert "shared helpers" in result.stdout


OBS = ("--observations", "600")


@pytest.mark.timeout(60)
def test_cloud_registration_benchmark_prints_its_figures() -> None:
    """A small run exits 0 and prints each step; the lost answer ends with one node per THREAD."""
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "cloud_registration.py"), *("--runs", "2"), *OBS],
        capture_output=True,
        text=True,
        timeout=50,
        cwd=ROOT,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    for figure in ("PKCE sign-in", "template refresh", "register 3 devices", "verify", "upload"):
        assert figure in out, out
    assert "status sent after reconcile; nodes in project 3 for 3 THREADs" in out, out


@pytest.mark.timeout(90)
def test_commissioning_benchmark_prints_its_figures() -> None:
    """--quick commissions one THREAD and a 3-THREAD fleet both ways; every unit passes."""
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "commissioning.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=80,
        cwd=ROOT,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    for figure in (
        "run 1: PASSED, 37/37 checks, cloud registered",
        "full run excluding data-wait windows and report: median",
        "--parallel 3: 3 THREADs in",
        "--parallel 1: 2 THREADs in",
        "ratio: --parallel 1 / --parallel 3 =",
    ):
        assert figure in out, out
    assert "not passed" not in out and "Traceback" not in result.stderr, out + result.stderr
