"""The framing scan finds a sensor talking at another rate, and always puts the port back."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import pytest

from commissioner.core.commissioning.run_model import CheckStatus
from commissioner.core.commissioning.scan import (
    Framing,
    ScanAttempt,
    ScanResult,
    candidates,
    scan_framing,
)
from commissioner.core.commissioning.verify_data import verify_port_data
from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.rules import BAUD_RATES, Parity
from commissioner.sim.server import ThreadServer
from tests.core.commissioning.conftest_helpers_data import (
    QUICK,
    bench,
    configure,
    mixed_profile,
    poll_of,
    port_of,
)
from tests.waiting import until as wait_until

LISTEN_S = 0.3


@pytest.fixture
async def thread() -> AsyncIterator[ThreadServer]:
    """The bench with the weather probe at 4800 and the transducer at 9600 baud."""
    async with ThreadServer(bench(port1=4800, port2=9600)) as server:
        yield server


@pytest.fixture
async def configured(client: EdgeClient, thread: ThreadServer) -> EdgeClient:
    """Ports set from the profile, which expects 9600 (port 1) and 19200 (port 2)."""
    await configure(client, thread, mixed_profile())
    return client


async def framing_of(client: EdgeClient, port: int) -> tuple[object, object, object]:
    props = await client.get_port_properties(port)
    return props.baud_rate, props.data_bits, props.parity


async def test_scan_finds_the_rate_of_a_garbled_sensor_and_restores_the_port(
    configured: EdgeClient,
) -> None:
    """Port 1 fails verification, the scan finds 4800 8N1, the port is back at 9600 after."""
    port = port_of(mixed_profile(), 1)
    before = await verify_port_data(
        configured, port, options=dataclasses.replace(QUICK, timeout_s=0.5)
    )
    data = before.checks[0]
    assert data.key == "data.port1" and data.status is CheckStatus.FAIL, data.evidence
    assert before.silent
    assert data.evidence.endswith(
        "no parsable line in 0.5 s: wrong baud rate or framing? Run the scan"
    )
    assert before.bytes_in > 0 and before.lines == 0

    seen: list[ScanAttempt] = []
    result = await scan_framing(configured, port, listen_s=LISTEN_S, on_attempt=seen.append)
    assert result.found == Framing(4800, 8, "NONE")
    assert result.summary() == f"found 4800 8N1 after {len(result.attempts)} tries"
    assert seen == result.attempts and result.attempts[-1].speaks
    assert not any(a.speaks for a in result.attempts[:-1])
    assert [a.framing for a in result.attempts] == candidates(port)[: len(result.attempts)]
    assert result.attempts[-1].values >= 2 and result.attempts[-1].lines >= 2
    assert result.restored and result.waited_s > 0
    assert await framing_of(configured, 1) == (9600, 8, Parity.NONE)

    await configured.set_port_properties(1, result.found.properties())
    after = await verify_port_data(configured, port, options=QUICK)
    assert [c.status for c in after.checks] == [CheckStatus.PASS] * 7, after.checks


async def test_scan_polls_a_request_response_sensor(configured: EdgeClient) -> None:
    """A transducer at 9600 cannot read a 19200 poll; the scan polls each rate and finds it."""
    port = port_of(mixed_profile(), 2)
    result = await scan_framing(configured, port, poll=poll_of("dt-485"), listen_s=LISTEN_S)
    assert result.found == Framing(9600)
    assert [a.framing.label() for a in result.attempts] == ["19200 8N1", "9600 8N1"]
    assert result.attempts[0].lines == 0 and not result.attempts[0].speaks
    assert result.restored
    assert await framing_of(configured, 2) == (19200, 8, Parity.NONE)


async def test_a_scan_that_finds_nothing_says_so(configured: EdgeClient) -> None:
    """Only wrong candidates: every attempt is listed, none speaks, the port is restored."""
    port = port_of(mixed_profile(), 1)
    tried = [Framing(9600), Framing(19200, 7, "EVEN")]
    result = await scan_framing(configured, port, listen_s=LISTEN_S, candidates_=tried)
    assert result.found is None
    assert [a.framing for a in result.attempts] == tried
    assert result.summary() == "no setting of 2 tried made the sensor speak"
    assert result.restored
    assert await framing_of(configured, 1) == (9600, 8, Parity.NONE)


async def test_scan_without_stopping_tries_every_candidate(configured: EdgeClient) -> None:
    """``stop_at_first=False`` keeps going after the hit and still reports the first one."""
    port = port_of(mixed_profile(), 1)
    tried = [Framing(4800), Framing(1200)]
    result = await scan_framing(
        configured, port, listen_s=LISTEN_S, candidates_=tried, stop_at_first=False
    )
    assert result.found == Framing(4800)
    assert [a.speaks for a in result.attempts] == [True, False]


async def test_properties_that_were_not_set_are_removed_again(
    configured: EdgeClient, thread: ThreadServer
) -> None:
    """A port without a stored PARITY_BIT gets none back after the scan."""
    await configured.delete_port_properties(1, ["PARITY_BIT"])
    port = port_of(mixed_profile(), 1)
    result = await scan_framing(
        configured, port, listen_s=LISTEN_S, candidates_=[Framing(4800, 8, "EVEN")]
    )
    assert result.restored and result.found is None
    props = await configured.get_port_properties(1)
    assert props.parity is None and props.baud_rate == 9600 and props.data_bits == 8
    assert "PARITY_BIT" not in thread.state.port(1).properties


async def test_cancelling_a_scan_restores_the_port(
    configured: EdgeClient, thread: ThreadServer
) -> None:
    """Cancelled while listening at another rate, the scan still puts 9600 8N1 back."""
    port = port_of(mixed_profile(), 1)
    task = asyncio.create_task(
        scan_framing(configured, port, listen_s=30, candidates_=[Framing(19200, 7, "ODD")])
    )
    stored = thread.state.port(1).properties

    await wait_until(lambda: stored.get("BAUD_RATE") == 19200)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await framing_of(configured, 1) == (9600, 8, Parity.NONE)


async def test_a_stopped_thread_ends_the_scan_without_raising() -> None:
    """Nothing can be read, so nothing is changed; the reason is in the result."""
    server = ThreadServer(bench())
    await server.start()
    url = server.url
    await server.aclose()
    async with EdgeClient(url, timeout_s=0.5, retry_backoff_s=0.01) as edge:
        result = await scan_framing(edge, port_of(mixed_profile(), 1), listen_s=LISTEN_S)
    assert result.found is None and result.attempts == [] and result.restored
    assert result.error.startswith("cannot read port 1's settings")
    assert result.summary().startswith("scan stopped after 0 tries: cannot read")


async def test_only_serial_ports_can_be_scanned(configured: EdgeClient) -> None:
    with pytest.raises(ValueError, match="only serial ports"):
        await scan_framing(configured, port_of(mixed_profile(), 3))


def test_candidates_start_with_the_profile_and_skip_rates_the_thread_refuses() -> None:
    """Profile framing first, common rates next, other framings last; no repeats."""
    port = port_of(mixed_profile(), 2)  # 19200 8N1
    found = candidates(port)
    labels = [f.label() for f in found]
    assert labels[:8] == [
        "19200 8N1",
        "9600 8N1",
        "115200 8N1",
        "38400 8N1",
        "57600 8N1",
        "4800 8N1",
        "1200 8N1",
        "230400 8N1",
    ]
    assert labels[8:] == [
        *("9600 7E1", "19200 7E1", "9600 7O1", "19200 7O1"),
        *("9600 8E1", "19200 8E1", "9600 8O1", "19200 8O1"),
    ]
    assert len(set(found)) == len(found)
    assert all(f.baud in BAUD_RATES for f in found)
    assert [f.label() for f in candidates(port, bauds=[4800, 2400])] == [
        "19200 8N1",
        "4800 8N1",
        "4800 7E1",
        "4800 7O1",
        "4800 8E1",
        "4800 8O1",
    ]


def test_framing_and_result_texts() -> None:
    framing = Framing(19200, 7, "EVEN")
    assert framing.label() == "19200 7E1"
    assert framing.properties() == {"BAUD_RATE": 19200, "DATA_BITS": 7, "PARITY_BIT": "EVEN"}
    one = ScanAttempt(framing, 3, 3, True)
    assert ScanResult(1, framing, [one], True, 0.4).summary() == "found 19200 7E1 after 1 try"
    lost = ScanResult(1, None, [one], False, 0.4)
    assert "could not be put back" in lost.summary()
