"""Fixtures for cloud tests: a running cloud simulator on loopback and an in-memory OS keyring."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import keyring
import keyring.backend
import pytest
from jaraco.classes import properties

from commissioner.core.cloud.profiles import CloudProfile, simulator_profile


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A real keyring backend that keeps passwords in a dict, standing in for the OS keyring."""

    @properties.classproperty
    def priority(cls) -> float:
        # Never viable for keyring's automatic discovery: importing this module must not make the
        # real keyring look persistent to tests that expect the machine's (absent) backend.
        raise RuntimeError("installed explicitly by tests only")

    def __str__(self) -> str:
        return "MemoryKeyring (tests)"

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Install an in-memory keyring for the test, then put the previous backend back."""
    previous: Any = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    try:
        yield ring
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
async def cloud_sim() -> AsyncIterator[Any]:
    """A cloud simulator on a free loopback port, closed after the test."""
    from commissioner.sim.cloud.server import CloudSim

    sim = CloudSim(seed=1)
    await sim.start()
    try:
        yield sim
    finally:
        await sim.aclose()


@pytest.fixture
def sim_profile(cloud_sim: Any) -> CloudProfile:
    """The built-in Simulator profile pointing at ``cloud_sim``."""
    return simulator_profile(cloud_sim.url)
