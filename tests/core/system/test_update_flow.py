"""The update flow: validate, send, wait out the restart, report old and new versions."""

from __future__ import annotations

import asyncio

import pytest

from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.errors import EdgeValidationError
from commissioner.core.edge.transport import Exchange
from commissioner.core.system import (
    NotBackInTime,
    Phase,
    Progress,
    UpdateOptions,
    UpdateSource,
    UpdateTarget,
    run_update,
)
from commissioner.sim.server import ThreadServer
from tests.core.system.conftest import QUICK, sent, until

OPTIONS = UpdateOptions(timeout_s=10.0, expected_restart_s=0.4, wait=QUICK)


async def test_update_to_latest_waits_for_restart_and_reports_new_version(
    client: EdgeClient, thread: ThreadServer
) -> None:
    """Latest: the THREAD goes away, comes back with the scenario's latest version."""
    progress: list[Progress] = []
    announced: list[str | None] = []
    result = await run_update(
        client,
        UpdateTarget.latest(),
        options=OPTIONS,
        on_progress=progress.append,
        on_sent=announced.append,
    )
    assert (result.old_version, result.new_version) == ("7.18.0", "7.19.0")
    assert result.changed and result.same_unit
    assert announced == ["7.19.0"]
    assert thread.state.identity.application == "7.19.0"
    phases = [p.phase for p in progress]
    assert phases[:2] == [Phase.CHECKING, Phase.SENDING]
    assert Phase.AWAY in phases
    assert phases[-1] is Phase.BACK and "7.19.0" in progress[-1].text
    assert "Restarting" in next(p.text for p in progress if p.phase is Phase.AWAY)
    assert "from 7.18.0 to 7.19.0" in result.summary()


async def test_update_to_given_version(client: EdgeClient, thread: ThreadServer) -> None:
    """A given cloud version is what comes back."""
    result = await run_update(client, UpdateTarget.version(" 7.17.2 "), options=OPTIONS)
    assert result.new_version == "7.17.2"
    assert thread.device.updates[-1]["source"] == "cloud 7.17.2"


async def test_update_from_file_on_thread(client: EdgeClient, thread: ThreadServer) -> None:
    """A .jar on the THREAD installs the version its name carries."""
    target = UpdateTarget.parse("file", "/tmp/snoopy-7.20.1.jar")
    result = await run_update(client, target, options=OPTIONS)
    assert result.new_version == "7.20.1"
    assert thread.device.updates[-1]["source"] == "/tmp/snoopy-7.20.1.jar"
    assert target.describe() == "the file /tmp/snoopy-7.20.1.jar on the THREAD"


@pytest.mark.parametrize(
    ("source", "text", "field"),
    [
        ("version", "7.x", "version"),
        ("version", "", "version"),
        ("file", "snoopy.jar", "file"),
        ("file", "/tmp/snoopy.zip", "file"),
        ("nightly", "", "update"),
    ],
)
def test_invalid_targets_are_refused_with_reason(source: str, text: str, field: str) -> None:
    """Bad versions, relative or non-.jar paths and unknown sources say what is wrong."""
    with pytest.raises(EdgeValidationError) as caught:
        UpdateTarget.parse(source, text)
    assert caught.value.field == field and caught.value.message


async def test_invalid_target_sends_nothing(
    client: EdgeClient, thread: ThreadServer, exchanges: list[Exchange]
) -> None:
    """A target built without validation is checked again before anything is sent."""
    with pytest.raises(EdgeValidationError):
        await run_update(client, UpdateTarget(UpdateSource.VERSION, "seven"), options=OPTIONS)
    assert exchanges == [] and thread.device.updates == []


async def test_restart_longer_than_limit_raises_not_back(
    client: EdgeClient, thread: ThreadServer, exchanges: list[Exchange]
) -> None:
    """When the THREAD stays away past the limit, the error says so and what to check."""
    thread.device.update_restart_s = 30.0
    options = UpdateOptions(timeout_s=0.4, wait=QUICK)
    with pytest.raises(NotBackInTime) as caught:
        await run_update(client, UpdateTarget.latest(), options=options)
    assert caught.value.seen_away
    assert "has not answered" in str(caught.value) and "power" in str(caught.value)
    assert len(sent(exchanges, "POST", "update")) == 1


async def test_cancelling_stops_waiting_not_the_update(
    client: EdgeClient, thread: ThreadServer
) -> None:
    """Cancelling the wait leaves the THREAD to finish its update by itself."""
    thread.device.update_restart_s = 0.6
    accepted = asyncio.Event()
    task = asyncio.ensure_future(
        run_update(
            client, UpdateTarget.latest(), options=OPTIONS, on_sent=lambda _v: accepted.set()
        )
    )
    await asyncio.wait_for(accepted.wait(), 5.0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await until(lambda: bool(thread.device.updates[-1]["done"]))
    assert await client.application_version() == "7.19.0"
