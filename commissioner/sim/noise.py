"""Smooth, seedable noise for simulated readings.

Real sensors drift slowly rather than jumping independently at every sample, and plots of white
noise look wrong to anyone who has watched a real one. An Ornstein-Uhlenbeck process (a random walk
pulled back towards its mean) gives that look with two intuitive knobs: how far it wanders
(``sigma``) and how quickly it forgets (``tau_s``). Every instance draws from the ``random.Random``
it is given, so a seeded simulator replays the same values.
"""

from __future__ import annotations

import math
import random


class SmoothNoise:
    """A mean-reverting random walk sampled at arbitrary times."""

    def __init__(self, rng: random.Random, sigma: float, tau_s: float) -> None:
        if tau_s <= 0:
            raise ValueError("tau_s must be positive")
        self._rng = rng
        self.sigma = sigma
        self.tau_s = tau_s
        self._value = rng.gauss(0.0, sigma) if sigma > 0 else 0.0
        self._at: float | None = None

    def sample(self, now: float) -> float:
        """The deviation from the mean at time ``now`` (seconds, any monotonic origin)."""
        if self._at is None:
            self._at = now
            return self._value
        dt = max(0.0, now - self._at)
        self._at = now
        if dt == 0.0 or self.sigma <= 0:
            return self._value
        decay = math.exp(-dt / self.tau_s)
        spread = self.sigma * math.sqrt(1.0 - decay * decay)
        self._value = self._value * decay + self._rng.gauss(0.0, spread)
        return self._value
