"""The workspace joins sign-in, templates, preview, register, verify, socket and queue end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from commissioner.core.cloud.journal import RegistrationStatus
from commissioner.core.cloud.port_mapping import RegistrationDraft, default_draft
from commissioner.core.cloud.presence import NodePresence
from commissioner.core.cloud.profiles import CloudProfile
from commissioner.core.cloud.registration import Location, device_ref_id
from commissioner.core.cloud.workspace import CloudWorkspace, profile_folder
from commissioner.core.sensor_catalogue import load_catalogue


def draft(serial: str = "ABC123") -> RegistrationDraft:
    d = default_draft(serial, load_catalogue(), {1: "RS232", 2: "RS485", 3: "ANALOG"})
    d.location = Location(174.78, -41.28, 20)
    return d


def test_default_draft_maps_port_modes_to_catalogue_models() -> None:
    d = default_draft("ABC123", load_catalogue(), {1: "RS232", 2: "OFF"})
    assert [(r.port, r.enabled, r.model_id) for r in d.ports] == [
        (1, True, "wx-232"),
        (2, False, "generic"),
        (3, False, "generic"),
    ]
    spec = d.to_spec()
    assert [dev.ref_id for dev in spec.devices] == [device_ref_id("ABC123", 1)]
    assert RegistrationDraft.from_json(d.as_json()) == d
    assert RegistrationDraft.from_json({"nonsense": 1}) is None


async def test_sign_in_preview_register_verify_and_watch_presence(
    sim_profile: CloudProfile, cloud_sim: Any, tmp_path: Path
) -> None:
    async with CloudWorkspace(sim_profile, tmp_path) as ws:
        account = await ws.sign_in()  # the simulator's authorize page, followed in-app (PKCE)
        assert "installer@example.com" in account
        await ws.refresh_templates()
        assert ws.templates.sensor_type("GENERIC_SENSOR_SDE") is not None
        spec = draft().to_spec()
        request, problems = ws.preview(spec)
        assert problems == []
        assert request["integration"]["changeState"] == "new"
        outcome = await ws.register(spec)
        assert outcome.status is RegistrationStatus.SENT
        assert set(outcome.device_ids()) == {1, 2, 3}
        fetched, checks = await ws.verify(outcome.registration_id)
        assert fetched.node.id == outcome.node_id
        assert checks and all(c.ok for c in checks)
        sensor_id = outcome.sensor_ids(1)[0]
        async with ws.socket() as client:
            assert outcome.node_id is not None
            async with NodePresence(client, outcome.node_id) as presence:
                assert presence.online is False
                report = await ws.upload(
                    [
                        {
                            "sensorId": sensor_id,
                            "timestamp": "2026-11-22T05:00:00.000Z",
                            "values": {
                                "Air_Temperature": 23.4,
                                "Relative_Humidity": 45.2,
                                "Barometric_Pressure": 1013.2,
                            },
                        }
                    ]
                )
                assert report.ok
                assert await presence.wait_online(5.0)
        # repeating the registration creates nothing new
        again = await ws.register(draft().to_spec())
        assert again.created == 0
    assert cloud_sim.counts()["nodes"] == 1


async def test_offline_registration_is_queued_then_delivered(
    sim_profile: CloudProfile, cloud_sim: Any, tmp_path: Path
) -> None:
    async with CloudWorkspace(sim_profile, tmp_path, backoff_s=(0.05,)) as ws:
        await ws.sign_in()
        await cloud_sim.go_offline()
        outcome = await ws.register(draft("FEED01").to_spec())
        assert outcome.status is RegistrationStatus.PENDING
        await cloud_sim.come_back()
        await ws.flusher.flush_now()  # or the background flusher got there first
        assert ws.journal.get(outcome.registration_id).status is RegistrationStatus.SENT
    assert cloud_sim.counts()["devices"] == 3
    assert (profile_folder(tmp_path, sim_profile) / "registrations.sqlite").exists()


@pytest.mark.parametrize("name", ["iTwin IoT", "a/b c"])
def test_profile_folder_is_a_safe_name(
    tmp_path: Path, sim_profile: CloudProfile, name: str
) -> None:
    from dataclasses import replace

    folder = profile_folder(tmp_path, replace(sim_profile, name=name))
    assert folder.parent == tmp_path / "cloud" and "/" not in folder.name
