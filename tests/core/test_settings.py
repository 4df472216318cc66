"""Settings persist in their folder, survive damage, and never block the app."""

from __future__ import annotations

import json
from pathlib import Path

from commissioner.core.connection.targets import ConnectionKind, ConnectionTarget
from commissioner.core.settings import MAX_RECENT, Settings, SettingsStore


def test_round_trip(tmp_path: Path) -> None:
    """What is saved is what is loaded."""
    store = SettingsStore(tmp_path)
    settings = Settings(
        refresh_interval_s=5.0, theme="dark", discovery_candidates=["127.0.0.1:8080"]
    )
    settings.remember(ConnectionTarget(ConnectionKind.ETHERNET, "127.0.0.1:8080"))
    store.save(settings)
    loaded = SettingsStore(tmp_path).load()
    assert loaded.as_json() == settings.as_json()


def test_corrupt_file_kept_aside_and_defaults_used(tmp_path: Path) -> None:
    """A damaged file gives defaults, is kept as .corrupt, and the problem is explained."""
    (tmp_path / "settings.json").write_text("{not json", encoding="utf-8")
    store = SettingsStore(tmp_path)
    settings = store.load()
    assert settings.as_json() == Settings().as_json()
    assert (tmp_path / "settings.json.corrupt").read_text(encoding="utf-8") == "{not json"
    assert "damaged" in store.problem


def test_bad_fields_fall_back_one_by_one(tmp_path: Path) -> None:
    """Wrong types or values reset only the fields concerned."""
    data = {
        "refresh_interval_s": "fast",
        "theme": "purple",
        "usb_address": "127.0.0.1",
        "recent": [{"kind": "ethernet", "address": "127.0.0.1:9"}, {"kind": "warp"}, 5],
    }
    (tmp_path / "settings.json").write_text(json.dumps(data), encoding="utf-8")
    settings = SettingsStore(tmp_path).load()
    assert settings.refresh_interval_s == 2.0 and settings.theme == "system"
    assert settings.usb_address == "127.0.0.1"
    assert settings.recent == [ConnectionTarget(ConnectionKind.ETHERNET, "127.0.0.1:9")]


def test_recent_is_unique_and_capped() -> None:
    """Reconnecting moves an entry to the top; the list stays short."""
    settings = Settings()
    for i in range(MAX_RECENT + 3):
        settings.remember(ConnectionTarget(ConnectionKind.ETHERNET, f"127.0.0.{i + 1}"))
    settings.remember(ConnectionTarget(ConnectionKind.ETHERNET, "127.0.0.5"))
    assert len(settings.recent) == MAX_RECENT
    assert settings.recent[0].address == "127.0.0.5"
    assert [t.address for t in settings.recent].count("127.0.0.5") == 1


def test_unwritable_folder_does_not_raise(tmp_path: Path) -> None:
    """Saving where it cannot write is logged, not fatal."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    SettingsStore(blocker / "sub").save(Settings())
