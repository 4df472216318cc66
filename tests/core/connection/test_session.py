"""The connection state machine against the simulator: connect, lose, come back, disconnect."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from commissioner.core.connection.session import (
    ConnectionState,
    SessionListener,
    ThreadIdentity,
    ThreadSession,
)
from commissioner.core.connection.targets import ConnectionKind, ConnectionTarget, base_url
from commissioner.core.edge.errors import EdgeUnreachable, EdgeValidationError
from commissioner.sim.server import ThreadServer
from tests.core.edge.conftest import fast_scenario


class Recorder(SessionListener):
    def __init__(self) -> None:
        self.states: list[ConnectionState] = []
        self.details: list[str] = []
        self.identities: list[ThreadIdentity | None] = []

    def on_state(self, state: ConnectionState, detail: str) -> None:
        self.states.append(state)
        self.details.append(detail)

    def on_identity(self, identity: ThreadIdentity | None) -> None:
        self.identities.append(identity)


def _session() -> ThreadSession:
    return ThreadSession(
        heartbeat_s=0.1, probe_timeout_s=0.3, backoff_initial_s=0.05, backoff_max_s=0.2
    )


async def _until(predicate: object, timeout_s: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not predicate():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


async def test_connect_identifies_thread() -> None:
    """Connecting reads serial, versions, clock offset and sync state, then reports CONNECTED."""
    async with ThreadServer(fast_scenario()) as server, _session() as session:
        recorder = Recorder()
        session.add_listener(recorder)
        identity = await session.connect(
            ConnectionTarget(ConnectionKind.ETHERNET, server.url), server.url
        )
        assert identity.serial_number == server.serial_number
        assert identity.versions.application == "7.18.0"
        assert -100 < identity.clock_offset_s < -90
        assert recorder.states == [ConnectionState.CONNECTING, ConnectionState.CONNECTED]
        assert session.client is not None


async def test_failed_connect_returns_to_disconnected() -> None:
    """Nothing at the address: the error is raised and the state says why."""
    session = _session()
    recorder = Recorder()
    session.add_listener(recorder)
    url = "http://127.0.0.1:9"
    with pytest.raises(EdgeUnreachable):
        await session.connect(ConnectionTarget(ConnectionKind.ETHERNET, url), url)
    assert recorder.states[-1] is ConnectionState.DISCONNECTED
    assert "Could not connect" in recorder.details[-1]
    assert session.client is None


async def test_loss_and_automatic_reconnect() -> None:
    """The THREAD going away is noticed (LOST, RECONNECTING) and it is reconnected when back."""
    async with ThreadServer(fast_scenario()) as server, _session() as session:
        recorder = Recorder()
        session.add_listener(recorder)
        await session.connect(ConnectionTarget(ConnectionKind.ETHERNET, server.url), server.url)
        async with httpx.AsyncClient(base_url=server.url, trust_env=False) as http:
            await http.post("/_sim/unreachable", json={"seconds": 0.6})
        await _until(lambda: ConnectionState.LOST in recorder.states)
        await _until(
            lambda: (
                recorder.states[-1] is ConnectionState.CONNECTED
                and ConnectionState.RECONNECTING in recorder.states
            )
        )
        assert "Reconnected" in recorder.details[-1]


async def test_expected_absence_is_explained() -> None:
    """After sleep the session says why it is away and reconnects once the THREAD wakes."""
    async with ThreadServer(fast_scenario()) as server, _session() as session:
        recorder = Recorder()
        session.add_listener(recorder)
        await session.connect(ConnectionTarget(ConnectionKind.ETHERNET, server.url), server.url)
        assert session.client is not None
        await session.client.sleep(500)
        session.expect_absence(0.5, "THREAD sleeping for 0.5 s")
        assert recorder.states[-1] is ConnectionState.LOST and "sleeping" in recorder.details[-1]
        await _until(lambda: recorder.states[-1] is ConnectionState.CONNECTED)


async def test_disconnect_forgets_identity() -> None:
    """Disconnecting closes the client and clears the identity."""
    async with ThreadServer(fast_scenario()) as server:
        session = _session()
        recorder = Recorder()
        session.add_listener(recorder)
        await session.connect(ConnectionTarget(ConnectionKind.ETHERNET, server.url), server.url)
        await session.disconnect()
        assert session.state is ConnectionState.DISCONNECTED
        assert recorder.identities[-1] is None and session.client is None


def test_base_url_normalisation() -> None:
    """Addresses typed by a person become base URLs; nonsense is refused with a reason."""
    assert base_url("127.0.0.1") == "http://127.0.0.1"
    assert base_url(" localhost:8080 ") == "http://localhost:8080"
    assert base_url("http://[::1]:9000/") == "http://[::1]:9000"
    for bad in ("", "ftp://x", "a b", "host:99999", "http://h/path"):
        with pytest.raises(EdgeValidationError):
            base_url(bad)
