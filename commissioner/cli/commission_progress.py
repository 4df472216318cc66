"""Live per-unit progress of a fleet run, on stderr (stdout stays for the summary and ``--json``).

Two shapes, because a terminal and a log file want different things:

* on a TTY, a compact table (unit, serial, stage, progress, last message) redrawn in place at
  most ``1 / interval_s`` times a second (4 by default), however fast the engines report: events
  only mark the table dirty, a timer draws it;
* anywhere else (tests, CI logs, ``| tee``), one line per stage change per unit, plus a failed
  step and the unit's final status: a 50-unit run writes a few hundred lines, never a flood.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TextIO

from commissioner.cli.commission_manifest import Unit
from commissioner.core.commissioning.run_model import Stage
from commissioner.core.commissioning.session import RunEvent

STAGES: list[Stage] = [s for s in Stage if s is not Stage.DONE]
STAGE_WIDTH = max(len(f"{s.label} (8/8)") for s in STAGES)


@dataclass
class UnitState:
    name: str
    serial: str = ""
    stage: Stage | None = None
    done: int = 0
    total: int = 0
    message: str = "waiting"
    status: str = ""  # final: PASSED, FAILED, ROLLED BACK, INTERRUPTED

    @property
    def running(self) -> bool:
        return self.stage is not None and not self.status

    def stage_text(self) -> str:
        if self.status:
            return self.status
        if self.stage is None:
            return "-"
        return f"{self.stage.label} ({STAGES.index(self.stage) + 1}/{len(STAGES)})"


class FleetProgress:
    """Receives the engines' :class:`RunEvent`s (on the loop thread) and shows them."""

    def __init__(
        self,
        units: Sequence[Unit],
        stream: TextIO,
        *,
        live: bool | None = None,
        interval_s: float = 0.25,
    ) -> None:
        self.stream = stream
        self.live = stream.isatty() if live is None else live
        self.interval_s = interval_s
        self.states = {u.index: UnitState(u.name) for u in units}
        self._dirty = True
        self._drawn = 0
        self._task: asyncio.Task[None] | None = None

    # -- feeding ---------------------------------------------------------------------------------
    def listener(self, unit: Unit) -> Callable[[RunEvent], None]:
        return lambda event: self.event(unit, event)

    def event(self, unit: Unit, event: RunEvent) -> None:
        state = self.states[unit.index]
        changed = event.stage is not state.stage
        state.stage, state.message = event.stage, event.message
        state.done, state.total = event.done, event.total
        self._dirty = True
        if not self.live and (changed or event.result == "failed"):
            self._line(state, f"{event.stage.label}: {event.message}")

    def serial(self, unit: Unit, serial: str) -> None:
        self.states[unit.index].serial = serial
        self._dirty = True

    def finished(self, unit: Unit, status: str, detail: str) -> None:
        state = self.states[unit.index]
        state.status, state.message = status, detail
        self._dirty = True
        if not self.live:
            self._line(state, f"{status}{': ' + detail if detail else ''}")

    def _line(self, state: UnitState, text: str) -> None:
        serial = f" {state.serial}" if state.serial else ""
        print(f"[{state.name}{serial}] {text}", file=self.stream, flush=True)

    # -- drawing (TTY) ---------------------------------------------------------------------------
    async def start(self) -> None:
        if self.live and self._task is None:
            self._task = asyncio.create_task(self._redraw_loop(), name="fleet-progress")

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
            self.draw()

    async def _redraw_loop(self) -> None:
        while True:
            if self._dirty:
                self.draw()
            await asyncio.sleep(self.interval_s)

    def draw(self) -> None:
        self._dirty = False
        size = shutil.get_terminal_size((100, 30))
        lines = self.render((size.columns, size.lines))
        up = f"\x1b[{self._drawn}A\r\x1b[J" if self._drawn else ""
        self.stream.write(up + "\n".join(lines) + "\n")
        self.stream.flush()
        self._drawn = len(lines)

    def render(self, size: tuple[int, int]) -> list[str]:
        """The table as lines that fit the terminal (running units first when it is too short)."""
        width, height = size
        states = list(self.states.values())
        order = {id(s): i for i, s in enumerate(states)}

        def key(s: UnitState) -> tuple[int, int]:
            if s.running:
                group = 0
            elif s.status:
                group = 1 if s.status != "PASSED" else 2
            else:
                group = 3  # waiting for a free slot
            return group, order[id(s)]

        room = max(3, height - 3)
        shown = states if len(states) <= room else sorted(states, key=key)[:room]
        shown.sort(key=lambda s: order[id(s)])
        rows = [
            (s.name, s.serial or "-", s.stage_text(), f"{s.done}/{s.total}" if s.total else "",
             s.message)
            for s in shown
        ]  # fmt: skip
        headers = ("UNIT", "SERIAL", "STAGE", "STEP", "LAST MESSAGE")
        widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers[:4])]
        widths[2] = max(widths[2], STAGE_WIDTH)  # steady columns while units change stage
        lines = []
        for row in [headers, *rows]:
            text = "  ".join(c.ljust(w) for c, w in zip(row[:4], widths, strict=True))
            lines.append((text + "  " + row[4])[: max(20, width - 1)].rstrip())
        running = sum(s.running for s in states)
        waiting = sum(s.stage is None and not s.status for s in states)
        done = [s for s in states if s.status]
        passed = sum(s.status == "PASSED" for s in done)
        tail = f"{running} running, {waiting} waiting, {len(done)} done ({passed} passed"
        tail += f", {len(done) - passed} not)" if len(done) > passed else ")"
        if len(shown) < len(states):
            tail += f"; {len(states) - len(shown)} more not shown"
        return [*lines, tail[: max(20, width - 1)]]
