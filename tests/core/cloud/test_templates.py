"""TemplateCatalogue caches the cloud's templates on disk, reports their age, and loads offline."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import keyring
import keyring.backends.fail
import pytest

from commissioner.core.cloud.api import SensorDataApi
from commissioner.core.cloud.auth import CloudAuth
from commissioner.core.cloud.profiles import (
    SIM_SERVICE_CLIENT_SECRET,
    AuthMethod,
    simulator_profile,
)
from commissioner.core.cloud.secrets import SecretStore
from commissioner.core.cloud.templates import TemplateCatalogue
from commissioner.core.cloud.transport import CloudTransport
from commissioner.sim.cloud.server import CloudSim


@pytest.fixture(autouse=True)
def no_keyring() -> Iterator[None]:
    """The fail backend: these tests must never write to a real keyring."""
    previous: Any = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


class FakeNow:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def fetch_into(sim: CloudSim, catalogue: TemplateCatalogue) -> None:
    profile = simulator_profile(sim.url, auth_method=AuthMethod.SERVICE)
    auth = CloudAuth(profile, secrets=SecretStore())
    await auth.sign_in_service(SIM_SERVICE_CLIENT_SECRET)
    transport = CloudTransport(profile, auth)
    try:
        await catalogue.refresh(SensorDataApi(profile, transport))
    finally:
        await transport.aclose()
        await auth.aclose()


async def test_refresh_saves_and_reports_age(cloud_sim: CloudSim, tmp_path: Path) -> None:
    """After a fetch the file exists with fetched_at, and age grows with the clock."""
    now = FakeNow()
    catalogue = TemplateCatalogue(tmp_path, "Simulator", now=now)
    assert catalogue.age is None and catalogue.is_stale(timedelta(days=1))
    await fetch_into(cloud_sim, catalogue)
    assert catalogue.path.exists()
    saved = json.loads(catalogue.path.read_text(encoding="utf-8"))
    assert saved["fetched_at"] == now.now.isoformat()
    now.now += timedelta(days=3)
    assert catalogue.age == timedelta(days=3)
    assert catalogue.is_stale(timedelta(days=1))
    assert not catalogue.is_stale(timedelta(days=7))
    temperature = catalogue.sensor_type("TEMPERATURE_SDE")
    assert temperature is not None and temperature.metrics[0].id == "T"


async def test_offline_load_gives_the_same_templates(cloud_sim: CloudSim, tmp_path: Path) -> None:
    """A later session with the cloud gone loads the cache exactly as fetched."""
    now = FakeNow()
    online = TemplateCatalogue(tmp_path, "Simulator", now=now)
    await fetch_into(cloud_sim, online)
    await cloud_sim.go_offline()
    now.now += timedelta(hours=5)
    offline = TemplateCatalogue(tmp_path, "Simulator", now=now)
    assert offline.load() is True
    assert offline.device_types == online.device_types
    assert offline.sensor_types == online.sensor_types
    assert offline.metric_types == online.metric_types
    assert offline.fetched_at == online.fetched_at
    assert offline.age == timedelta(hours=5)
    assert offline.device_type("IMPORT_DEVICE_SDE") is not None
    assert offline.metric("T") is not None


def test_no_cache_loads_nothing(tmp_path: Path) -> None:
    """First start: nothing cached, nothing loaded, no error."""
    catalogue = TemplateCatalogue(tmp_path / "new-folder", "Simulator")
    assert catalogue.load() is False
    assert not catalogue.loaded


@pytest.mark.parametrize(
    "content",
    ["{not json", '{"version": 1}', '{"version": 1, "fetched_at": "x", "deviceTypes": []}', "[]"],
)
def test_corrupt_cache_is_kept_aside(tmp_path: Path, content: str) -> None:
    """A damaged cache does not crash: it is moved aside for support and nothing is loaded."""
    catalogue = TemplateCatalogue(tmp_path, "Simulator", now=FakeNow())
    catalogue.path.write_text(content, encoding="utf-8")
    assert catalogue.load() is False
    assert not catalogue.loaded
    assert not catalogue.path.exists()
    aside = list(tmp_path.glob("templates-Simulator.corrupt-*.json"))
    assert len(aside) == 1
    assert aside[0].read_text(encoding="utf-8") == content


def test_profiles_have_separate_caches(tmp_path: Path) -> None:
    """Each cloud profile (odd characters included) gets its own file in the folder."""
    a = TemplateCatalogue(tmp_path, "iTwin IoT")
    b = TemplateCatalogue(tmp_path, "Simulator")
    assert a.path != b.path
    assert a.path.parent == tmp_path
