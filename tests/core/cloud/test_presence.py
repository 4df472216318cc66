"""Node presence and sensor watching for the verification view, against the cloud simulator."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from commissioner.core.cloud.presence import NodePresence, SensorWatch, WatchedObservation
from commissioner.core.cloud.profiles import SIM_PROJECT_ID
from commissioner.core.cloud.rpc import SocketState
from commissioner.sim.cloud.data import check_observations
from tests.core.cloud.test_rpc_support import (
    StateLog,
    fast_client,
    observation,
    register_sensor,
    stamp,
    upload_rest,
)


async def test_node_goes_online_after_an_upload(cloud_sim: Any) -> None:
    """A fresh node is offline with no LAST_COMM; an upload makes it online with a LAST_COMM."""
    reg = await register_sensor(cloud_sim)
    seen: list[bool] = []
    async with fast_client(cloud_sim) as client:
        presence = NodePresence(
            client,
            reg.node_id,
            project_ids=[SIM_PROJECT_ID],
            on_change=lambda p: seen.append(p.online),
        )
        async with presence:
            assert presence.found
            assert presence.online is False and presence.last_comm is None
            await upload_rest(cloud_sim, [observation(reg.sensor_id, 1, 20.0)])
            assert await presence.wait_online(10.0)
            assert isinstance(presence.last_comm, datetime)
            assert presence.last_comm.tzinfo is not None
            assert seen[0] is False and seen[-1] is True
        assert client.subscriptions == []  # closing the helper unsubscribed


async def test_unknown_node_is_not_found(cloud_sim: Any) -> None:
    async with fast_client(cloud_sim) as client, NodePresence(client, "/api/000000/node") as p:
        assert not p.found and not p.online
        assert not await p.wait_online(0.01)


async def test_presence_rereads_after_reconnect(cloud_sim: Any) -> None:
    """An observation stored while the socket was down (so never pushed) is picked up by the
    read the helper makes after reconnecting."""
    reg = await register_sensor(cloud_sim)
    async with fast_client(cloud_sim) as client:
        log = StateLog(client)
        async with NodePresence(client, reg.node_id) as presence:
            await cloud_sim.go_offline()
            await log.wait_for(SocketState.RECONNECTING)
            # Stored by another client meanwhile; arranged on the simulator's state directly
            # because its HTTP listener is down too.
            good, problems = check_observations(
                cloud_sim.state, [observation(reg.sensor_id, 3, 1.0)]
            )
            assert not problems
            cloud_sim.state.record(good)
            assert not presence.online
            await cloud_sim.come_back()
            assert await presence.wait_online(10.0)
            assert presence.last_comm is not None


async def test_sensor_watch_collects_observations_with_timestamps(cloud_sim: Any) -> None:
    """Uploaded readings show up in the watch with the times they were taken."""
    reg = await register_sensor(cloud_sim)
    arrived: list[WatchedObservation] = []
    async with fast_client(cloud_sim) as client:
        watch = SensorWatch(client, reg.sensor_id, [("T", "C")], on_observation=arrived.append)
        async with watch:
            await upload_rest(
                cloud_sim,
                [observation(reg.sensor_id, 1, 20.5), observation(reg.sensor_id, 2, 20.75)],
            )
            assert await watch.wait_for(2, 10.0)
        assert client.subscriptions == []
    assert [(o.timestamp_text, o.value) for o in watch.observations] == [
        (stamp(1), 20.5),
        (stamp(2), 20.75),
    ]
    first = watch.observations[0]
    assert first.timestamp == datetime(2026, 1, 1, 0, 0, 1, tzinfo=UTC)
    assert first.sensor_id == reg.sensor_id and first.metric == "T" and first.unit == "C"
    assert arrived == list(watch.observations)


def test_sensor_watch_needs_a_metric() -> None:
    with pytest.raises(ValueError):
        SensorWatch(None, "s", [])  # type: ignore[arg-type]
