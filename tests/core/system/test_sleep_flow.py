"""The sleep flow: validate, send, count down, notice the wake; and shared wait helpers."""

from __future__ import annotations

import pytest

from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.errors import EdgeValidationError
from commissioner.core.edge.transport import Exchange
from commissioner.core.system import (
    NotBackInTime,
    Phase,
    Progress,
    SleepOptions,
    format_duration,
    run_sleep,
)
from commissioner.core.system.explanations import BATTERY_SAVER
from commissioner.sim.server import ThreadServer
from tests.core.system.conftest import QUICK, sent


async def test_sleep_counts_down_and_notices_wake(client: EdgeClient, thread: ThreadServer) -> None:
    """The THREAD is away for the duration; the flow reports the countdown and the wake."""
    progress: list[Progress] = []
    told: list[bool] = []
    result = await run_sleep(
        client,
        400,
        options=SleepOptions(margin_s=5.0, wait=QUICK),
        on_progress=progress.append,
        on_sent=lambda: told.append(thread.device.is_down()),
    )
    assert told == [True]  # told once, after the THREAD accepted (and went away)
    assert result.away_s >= 0.4 and result.same_unit
    assert result.serial_number == thread.serial_number
    away = [p for p in progress if p.phase is Phase.AWAY]
    assert away and away[0].text.startswith("Asleep, back in about")
    assert away[0].fraction is not None and 0 <= away[0].fraction < 1
    assert progress[-1].phase is Phase.BACK
    assert not thread.device.is_down()
    assert "awake again" in result.summary()


@pytest.mark.parametrize("duration", [0, -5, 8 * 24 * 3600 * 1000])
async def test_invalid_duration_sends_nothing(
    client: EdgeClient, exchanges: list[Exchange], duration: int
) -> None:
    """Out-of-range durations are refused before any request."""
    with pytest.raises(EdgeValidationError) as caught:
        await run_sleep(client, duration, options=SleepOptions(wait=QUICK))
    assert caught.value.field == "duration"
    assert exchanges == []


async def test_not_waking_raises_with_advice(
    client: EdgeClient, thread: ThreadServer, exchanges: list[Exchange]
) -> None:
    """A THREAD that stays away past the margin is reported, with what to check."""
    with pytest.raises(NotBackInTime) as caught:
        await run_sleep(
            client,
            100,
            options=SleepOptions(margin_s=0.3, wait=QUICK),
            on_sent=lambda: thread.device.go_down(30.0, "stuck"),
        )
    assert "should have woken" in str(caught.value)
    assert len(sent(exchanges, "POST", "sleep")) == 1


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.4, "0 s"),
        (45, "45 s"),
        (60, "1 min"),
        (90, "1 min 30 s"),
        (5400, "1 h 30 min"),
        (3600, "1 h"),
        (90000, "1 d 1 h"),
    ],
)
def test_format_duration(seconds: float, text: str) -> None:
    """Durations read the way people say them."""
    assert format_duration(seconds) == text


def test_battery_rule_text_names_documented_limits() -> None:
    """The explanation carries the documented ranges and defaults."""
    assert (
        "0–40 %" in BATTERY_SAVER
        and "60–100 %" in BATTERY_SAVER
        and "10 % / 100 %" in BATTERY_SAVER
    )
