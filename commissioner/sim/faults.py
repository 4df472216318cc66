"""Fault knobs: the misbehaviour a field network and a busy gateway inflict on the client.

The commissioning client must stay honest when a THREAD is slow, fails, answers garbage or drops
its streams, and those paths are only testable if the simulator can produce them on demand. The
knobs are a plain dataclass (the CLI maps flags onto it, ``PUT /_sim/faults`` updates it at run
time) and a seeded injector rolls the dice, so a failing run can be replayed.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Faults:
    """How badly the simulated THREAD behaves.

    latency_ms:      added to every REST answer.
    error_rate:      share of REST requests (0..1) answered HTTP 500.
    malformed_rate:  share of successful REST answers (0..1) whose JSON body is cut short (200).
    drop_ws_every_s: drop every port WebSocket this often (0 = never).
    seed:            seed of the dice; None = unpredictable.
    """

    latency_ms: float = 0.0
    error_rate: float = 0.0
    malformed_rate: float = 0.0
    drop_ws_every_s: float = 0.0
    seed: int | None = None

    def __post_init__(self) -> None:
        for name in ("latency_ms", "error_rate", "malformed_rate", "drop_ws_every_s"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"{name} must be a number of at least 0, got {value!r}")
        for name in ("error_rate", "malformed_rate"):
            if getattr(self, name) > 1:
                raise ValueError(f"{name} must be from 0 to 1, got {getattr(self, name)!r}")
        if self.seed is not None and (
            isinstance(self.seed, bool) or not isinstance(self.seed, int)
        ):
            raise ValueError(f"seed must be a whole number or null, got {self.seed!r}")

    def updated(self, changes: Mapping[str, Any]) -> Faults:
        """A copy with ``changes`` applied; unknown names and bad values raise ValueError."""
        names = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise ValueError(
                f"unknown fault(s): {', '.join(unknown)} (known: {', '.join(sorted(names))})"
            )
        return dataclasses.replace(self, **dict(changes))

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class FaultInjector:
    """Rolls the dice of the current :class:`Faults` with a seedable generator."""

    def __init__(self, faults: Faults | None = None) -> None:
        self.faults = faults or Faults()
        self._rng = random.Random(self.faults.seed)

    def set(self, faults: Faults) -> None:
        """Replace the knobs; a new seed restarts the dice."""
        if faults.seed is not None and faults.seed != self.faults.seed:
            self._rng = random.Random(faults.seed)
        self.faults = faults

    @property
    def latency_s(self) -> float:
        return self.faults.latency_ms / 1000.0

    def roll_error(self) -> bool:
        return self._roll(self.faults.error_rate)

    def roll_malformed(self) -> bool:
        return self._roll(self.faults.malformed_rate)

    def _roll(self, rate: float) -> bool:
        if rate <= 0:
            return False
        return rate >= 1 or self._rng.random() < rate
