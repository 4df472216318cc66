"""``commissioner edge``: every operation from the command line against a simulated THREAD."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import sys
from collections.abc import AsyncIterator

import pytest

from commissioner.sim.server import ThreadServer
from tests.core.edge.conftest import fast_scenario


async def run_cli(
    *args: str, stdin: bytes | None = None, timeout: float = 20
) -> tuple[int, str, str]:
    """Run ``python -m commissioner`` as a real subprocess while the simulator keeps serving."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "commissioner",
        *args,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(stdin), timeout)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


@pytest.fixture
async def url() -> AsyncIterator[str]:
    async with ThreadServer(fast_scenario()) as server:
        yield server.url


# (arguments, a regex the readable output must match)
OPERATIONS: list[tuple[list[str], str]] = [
    (["serial-number"], r"Serial number \(THREAD Connect Code\): [0-9A-F]{6}"),
    (["time"], r"THREAD time: \d{4}-\d\d-\d\dT.*offset"),
    (["time", "--sync"], r"THREAD clock set to"),
    (["time", "--set", "2030-01-01T00:00:00Z"], r"THREAD clock set to 2030-01-01"),
    (["time-accurate"], r"Clock synchronised: (yes|not yet)"),
    (["input-voltage"], r"Input voltage: [\d.]+ V"),
    (["input-current"], r"Input current: [-\d.e]+ A"),
    (["battery-voltage"], r"Battery voltage: [\d.]+ V"),
    (["state-of-charge"], r"State of charge: [\d.]+ %"),
    (["battery-saver"], r"Battery saver: off"),
    (
        ["battery-saver", "on", "--low", "20", "--high", "80"],
        r"Battery saver: on \(shut off at 20 %, stop charging at 80 %\)",
    ),
    (["port-adc", "1"], r"Port 1: [-\d.e]+ V, [-\d.e]+ A"),
    (["port-adc", "2", "voltage"], r"Port 2 voltage: [-\d.e]+ V"),
    (["port-voltage", "1", "12"], r"Port 1 output set to 12 V"),
    (["sleep", "200"], r"sleeping for 200 ms"),
    (["temperature"], r"Temperature: [\d.]+ °C"),
    (
        ["pressure"],
        r"Pressure: [\d.]+ hPa \([\d.]+ Pa; device reported [\d.]+ daPa on hardware V12\)",
    ),
    (["current-420", "3"], r"Port 3 loop current: [-\d.]+ mA"),
    (["port-mode", "1", "RS232"], r"Port 1 mode set to RS232"),
    (["flash-led"], r"LED flashed"),
    (["configure", "get", "1"], r"Port 1 properties:"),
    (["configure", "set", "1", "BAUD_RATE=19200", "DELIMITERS_HEX=0D0A,0D"], r"BAUD_RATE = 19200"),
    (["configure", "delete", "1", "DELIMITERS_HEX"], r"Port 1 properties:"),
    (["interface-priority"], r"Preferred network: ethernet \(eth0\)"),
    (["interface-priority", "cellular"], r"Preferred network: cellular \(ppp0\)"),
    (["message", "2", "01R"], r"Sent 3 characters to port 2"),
    (["version"], r"Application version: 7\.18\.0"),
    (["firmware"], r"Firmware version: 4\.2\.1"),
    (["hardware"], r"Hardware version: V12"),
    (["update", "--version", "7.18.9"], r"Update to 7\.18\.9 started"),
    (["led", "green"], r"LED set to green"),
    (["cloud-connection"], r"Cloud connection: enabled"),
    (["cloud-connection", "off"], r"Cloud connection: disabled"),
    (["device-connection", "3"], r"Port 3 device connection: disabled"),
    (["device-connection", "3", "on"], r"Port 3 device connection: enabled"),
    (["status"], r"THREAD [0-9A-F]{6}.*\n.*Clock.*\n.*Input.*\n.*Temperature.*\n(Port \d.*\n?){3}"),
]


@pytest.mark.parametrize(("args", "expected"), OPERATIONS, ids=[" ".join(a) for a, _ in OPERATIONS])
async def test_operation_readable(url: str, args: list[str], expected: str) -> None:
    """Each operation succeeds with exit code 0 and readable output."""
    code, out, err = await run_cli("edge", "--url", url, *args)
    assert code == 0, err
    assert re.search(expected, out), out


async def test_json_output(url: str) -> None:
    """--json prints machine-readable results."""
    code, out, _ = await run_cli("edge", "--url", url, "--json", "battery-saver")
    assert code == 0
    assert json.loads(out) == {"value": False, "low": 0, "high": 100}
    code, out, _ = await run_cli("edge", "--url", url, "--json", "status")
    data = json.loads(out)
    assert len(data["ports"]) == 3 and data["pressure"]["unit"] == "Pa"


async def test_exit_code_bad_input(url: str) -> None:
    """Bad input: exit code 2 and a message naming the rule; nothing sent."""
    code, _, err = await run_cli("edge", "--url", url, "port-mode", "2", "USB")
    assert code == 2
    assert "USB is only supported on port 1" in err


async def test_exit_code_unreachable() -> None:
    """No THREAD at the address: exit code 3."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, _, err = await run_cli("edge", "--url", f"http://127.0.0.1:{port}", "serial-number")
    assert code == 3
    assert "unreachable" in err


async def test_exit_codes_rejected_and_malformed() -> None:
    """HTTP 500 from the THREAD: exit code 4; broken JSON: exit code 5."""
    import httpx

    async with (
        ThreadServer(fast_scenario()) as server,
        httpx.AsyncClient(base_url=server.url, trust_env=False) as http,
    ):
        await http.put("/_sim/faults", json={"error_rate": 1.0})
        code, _, err = await run_cli("edge", "--url", server.url, "cloud-connection", "on")
        assert code == 4 and "HTTP 500" in err
        await http.put("/_sim/faults", json={"error_rate": 0.0, "malformed_rate": 1.0})
        code, out, err = await run_cli("edge", "--url", server.url, "--json", "temperature")
        assert code == 5 and "unexpected answer" in err
        assert json.loads(out)["kind"] == "EdgeMalformedResponse"


async def test_console_streams_sensor_bytes(url: str) -> None:
    """console --port 1 prints the weather probe's CSV lines once the port is set up."""
    for args in (
        ["port-mode", "1", "RS232"],
        ["port-voltage", "1", "12"],
        ["device-connection", "1", "on"],
    ):
        assert (await run_cli("edge", "--url", url, *args))[0] == 0
    code, out, err = await run_cli(
        "edge", "--url", url, "console", "--port", "1", "--duration", "1.5", "--no-stdin"
    )
    assert code == 0, err
    assert re.search(r"\d+\.\d+,\d+\.\d+,\d+\.\d+\r?\n", out)
    assert "[connected]" in err and "[done]" in err


async def test_console_sends_stdin_lines(url: str) -> None:
    """console sends stdin lines with the chosen ending; the RS-485 transducer answers."""
    for args in (
        ["configure", "set", "2", "BAUD_RATE=19200"],
        ["port-mode", "2", "RS485"],
        ["port-voltage", "2", "12"],
        ["device-connection", "2", "on"],
    ):
        assert (await run_cli("edge", "--url", url, *args))[0] == 0
    code, out, err = await run_cli(
        "edge", "--url", url, "console", "--port", "2", "--duration", "2", stdin=b"01R\n"
    )
    assert code == 0, err
    assert re.search(r"01,[+-]\d+\.\d+,mm", out), (out, err)


async def test_console_hex_dump(url: str) -> None:
    """console --hex prints offsets, hex bytes and printable characters."""
    for args in (
        ["port-mode", "1", "RS232"],
        ["port-voltage", "1", "12"],
        ["device-connection", "1", "on"],
    ):
        await run_cli("edge", "--url", url, *args)
    code, out, _ = await run_cli(
        "edge", "--url", url, "console", "--port", "1", "--hex", "--duration", "1", "--no-stdin"
    )
    assert code == 0
    assert re.search(r"^00000000  ([0-9a-f]{2} )+", out, re.M)
