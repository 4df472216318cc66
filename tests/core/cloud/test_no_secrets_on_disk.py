"""No secret (client secret, API key, access or refresh token) reaches any file or log line.

The app writes settings, the registration journal, the template cache and logs; this drives every
sign-in method and a registration through the workspace, then reads back every byte written.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from commissioner.core.cloud.port_mapping import default_draft
from commissioner.core.cloud.profiles import (
    SIM_API_KEY,
    SIM_SERVICE_CLIENT_SECRET,
    AuthMethod,
    CloudProfile,
)
from commissioner.core.cloud.secrets import SecretKind
from commissioner.core.cloud.workspace import CloudWorkspace
from commissioner.core.sensor_catalogue import load_catalogue
from commissioner.core.settings import Settings, SettingsStore


def every_file_text(root: Path) -> str:
    return "\n".join(
        p.read_bytes().decode("utf-8", "replace") for p in root.rglob("*") if p.is_file()
    )


@pytest.mark.parametrize("with_keyring", [True, False])
async def test_secrets_stay_off_disk_and_out_of_logs(
    sim_profile: CloudProfile,
    cloud_sim: Any,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    request: pytest.FixtureRequest,
    with_keyring: bool,
) -> None:
    ring = request.getfixturevalue("memory_keyring") if with_keyring else None
    caplog.set_level(logging.DEBUG)
    secrets_seen: set[str] = {SIM_SERVICE_CLIENT_SECRET, SIM_API_KEY}
    draft = default_draft("C0FFEE", load_catalogue(), {1: "RS232"})
    for method in AuthMethod:
        profile = replace(sim_profile, auth_method=method)
        async with CloudWorkspace(profile, tmp_path / "data") as ws:
            await ws.sign_in(secret=SIM_SERVICE_CLIENT_SECRET, api_key=SIM_API_KEY)
            header = await ws.auth.authorization_header()
            secrets_seen.add(header.split(" ", 1)[1])
            refresh = ws.secrets.get(profile.name, SecretKind.REFRESH_TOKEN)
            if refresh:
                secrets_seen.add(refresh)
            await ws.refresh_templates()
            await ws.register(draft.to_spec())
            assert repr(ws.auth).count(header.split(" ", 1)[1]) == 0
    settings = Settings(cloud_profiles={sim_profile.name: sim_profile.as_json()})
    SettingsStore(tmp_path / "config").save(settings)
    if ring is not None:  # the keyring really holds what the files must not
        assert SIM_SERVICE_CLIENT_SECRET in ring.passwords.values()
    written = every_file_text(tmp_path)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert written and logged is not None
    for secret in secrets_seen:
        assert secret not in written, "a secret was written to a file"
        assert secret not in logged, "a secret was logged"
