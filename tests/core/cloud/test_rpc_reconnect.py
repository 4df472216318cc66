"""The socket client survives the simulated cloud going away and coming back on the same port."""

from __future__ import annotations

from typing import Any

from commissioner.core.cloud.profiles import SIM_API_KEY
from commissioner.core.cloud.rpc import DataUpdate, IotSocketClient, SocketState
from tests.core.cloud.test_rpc_support import (
    Pushes,
    StateLog,
    observation,
    register_sensor,
    stamp,
    upload_rest,
)


async def test_reconnects_reauthenticates_and_resubscribes(cloud_sim: Any) -> None:
    """go_offline drops the socket; after come_back a fresh code authenticates, the data
    subscription is renewed under a new server id, and new observations arrive again."""
    reg = await register_sensor(cloud_sim)
    codes: list[str] = []

    async def provide() -> str:
        codes.append(SIM_API_KEY)
        return SIM_API_KEY

    client = IotSocketClient(
        cloud_sim.ws_url, provide, keepalive_s=0.2, backoff_initial_s=0.05, backoff_max_s=0.2
    )
    log = StateLog(client)
    pushes = Pushes()
    async with client:
        sub = await client.subscribe_data([reg.sensor_id], "T", "C", pushes)
        old_id = sub.subscription_id
        await cloud_sim.go_offline()
        await log.wait_for(SocketState.RECONNECTING)
        await cloud_sim.come_back()
        await log.wait_for(SocketState.CONNECTED, count=2)
        assert len(codes) >= 2  # a new code for the new socket
        assert sub.active and sub.error is None
        assert sub.subscription_id is not None and sub.subscription_id != old_id
        await upload_rest(cloud_sim, [observation(reg.sensor_id, 9, 4.5)])
        await pushes.wait_count(1)
        assert pushes.items == [DataUpdate(reg.sensor_id, {stamp(9): 4.5})]
        assert await client.time()  # and plain requests work on the new socket
    assert log.states[-1] is SocketState.CLOSED


async def test_keepalive_keeps_an_idle_socket_answering(cloud_sim: Any) -> None:
    """With a short keepalive the idle socket stays connected and usable across many rounds."""
    client = IotSocketClient(cloud_sim.ws_url, _key, keepalive_s=0.05)
    log = StateLog(client)
    async with client:
        for _ in range(5):
            await client.time()
        pushes = Pushes()
        reg = await register_sensor(cloud_sim)
        await client.subscribe_nodes([reg.node_id], pushes)
        await upload_rest(cloud_sim, [observation(reg.sensor_id, 1, 1.0)])
        await pushes.wait_count(1)
    assert log.states.count(SocketState.CONNECTED) == 1  # never needed to reconnect


async def _key() -> str:
    return SIM_API_KEY
