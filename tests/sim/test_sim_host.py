"""SimHost runs several independent THREADs, and ThreadServer honours its constructor options."""

from __future__ import annotations

import asyncio
import socket

import httpx

from commissioner.sim.host import SimHost
from commissioner.sim.server import ThreadServer


async def test_three_threads_with_distinct_serials() -> None:
    """Three THREADs on three ports, each with its own serial number and its own state."""
    async with (
        SimHost(3, sensor_interval_s=0.05) as host,
        httpx.AsyncClient(trust_env=False) as http,
    ):
        assert len(host.servers) == 3 and len(set(host.urls)) == 3
        serials = [(await http.get(f"{url}/api/serialNumber")).json()["value"] for url in host.urls]
        assert len(set(serials)) == 3
        assert serials == [server.serial_number for server in host.servers]
        await http.put(f"{host.urls[0]}/api/cloudConnection", json={"value": False})
        values = [(await http.get(f"{u}/api/cloudConnection")).json()["value"] for u in host.urls]
        assert values == [False, True, True]


def test_serials_are_seedable() -> None:
    """The same seed gives the same serial numbers; they are 6 upper-case hex characters."""
    first = [s.serial_number for s in SimHost(3, seed=42).servers]
    second = [s.serial_number for s in SimHost(3, seed=42).servers]
    assert first == second
    assert all(len(s) == 6 and s == s.upper() for s in first)


def _free_port_block(count: int) -> int:
    for base in range(42000, 60000, 50):
        socks = []
        try:
            for offset in range(count):
                sock = socket.socket()
                socks.append(sock)
                sock.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
        finally:
            for sock in socks:
                sock.close()
    raise RuntimeError("no free port block")


async def test_base_port_gives_consecutive_ports() -> None:
    """base_port N puts the THREADs on N, N+1, ..."""
    base = _free_port_block(2)
    async with SimHost(2, base_port=base) as host:
        assert [s.port for s in host.servers] == [base, base + 1]


async def test_server_binds_only_to_loopback() -> None:
    """The default bind address is 127.0.0.1 and the URL says so."""
    async with ThreadServer() as server:
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert server.ws_url.startswith("ws://127.0.0.1:")


async def test_serial_number_override_and_close_twice() -> None:
    """serial_number= sets the connect code; aclose is safe to repeat and stops all tasks."""
    server = ThreadServer(serial_number="a1b2c3", sensor_interval_s=0.01)
    await server.start()
    assert server.serial_number == "A1B2C3"
    await asyncio.sleep(0.05)
    await server.aclose()
    await server.aclose()
    leftover = [t for t in asyncio.all_tasks() if (t.get_name() or "").startswith("thread-A1B2C3")]
    assert leftover == []
