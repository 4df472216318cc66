"""Typed user settings in the platformdirs config folder, never containing secrets.

A corrupt or hand-broken file must not stop the app: it is kept aside as ``settings.json.corrupt``
(so nothing the user had is destroyed) and defaults are used. Writes go to a temporary file first
and are renamed into place, so a crash mid-write cannot corrupt the file either.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir, user_data_dir

from commissioner.core.connection.targets import DEFAULT_USB_ADDRESS, ConnectionTarget

log = logging.getLogger(__name__)

APP_DIR_NAME = "thread-commissioner"
MAX_RECENT = 8
REFRESH_CHOICES_S = (1.0, 2.0, 5.0, 10.0, 30.0)


def config_dir() -> Path:
    """Where settings live; ``COMMISSIONER_CONFIG_DIR`` overrides it (tests, portable installs)."""
    override = os.environ.get("COMMISSIONER_CONFIG_DIR")
    return Path(override) if override else Path(user_config_dir(APP_DIR_NAME, appauthor=False))


def data_dir() -> Path:
    """Where journals, queues, caches and captures live; ``COMMISSIONER_DATA_DIR`` overrides it."""
    override = os.environ.get("COMMISSIONER_DATA_DIR")
    return Path(override) if override else Path(user_data_dir(APP_DIR_NAME, appauthor=False))


@dataclass
class Settings:
    recent: list[ConnectionTarget] = field(default_factory=list)
    usb_address: str = DEFAULT_USB_ADDRESS
    discovery_candidates: list[str] = field(default_factory=list)
    refresh_interval_s: float = 2.0
    window_geometry: str = ""  # base64 of QWidget.saveGeometry(), written by the UI
    window_state: str = ""  # base64 of QMainWindow.saveState()
    last_page: str = "connection"
    activity_log_visible: bool = True
    theme: str = "system"  # system | light | dark
    # Port modes/voltages this app last applied, per THREAD serial (the Edge API cannot read them).
    port_memory: dict[str, Any] = field(default_factory=dict)
    # Cloud profiles by name (no secrets: those live in the OS keyring), and the one in use.
    cloud_profiles: dict[str, Any] = field(default_factory=dict)
    cloud_profile: str = "Simulator"
    # The registration being prepared for each THREAD serial, so a restart does not lose it.
    registration_drafts: dict[str, Any] = field(default_factory=dict)

    def remember(self, target: ConnectionTarget) -> None:
        """Put a target first in the recent list, without duplicates, capped."""
        self.recent = [target] + [t for t in self.recent if t != target]
        del self.recent[MAX_RECENT:]

    def as_json(self) -> dict[str, Any]:
        return {
            "recent": [t.as_json() for t in self.recent],
            "usb_address": self.usb_address,
            "discovery_candidates": list(self.discovery_candidates),
            "refresh_interval_s": self.refresh_interval_s,
            "window_geometry": self.window_geometry,
            "window_state": self.window_state,
            "last_page": self.last_page,
            "activity_log_visible": self.activity_log_visible,
            "theme": self.theme,
            "port_memory": self.port_memory,
            "cloud_profiles": self.cloud_profiles,
            "cloud_profile": self.cloud_profile,
            "registration_drafts": self.registration_drafts,
        }

    @classmethod
    def from_json(cls, data: object) -> Settings:
        """Settings from parsed JSON; each unusable field falls back to its default on its own."""
        settings = cls()
        if not isinstance(data, dict):
            return settings
        recent = data.get("recent")
        if isinstance(recent, list):
            settings.recent = [t for t in map(ConnectionTarget.from_json, recent) if t][:MAX_RECENT]
        for name in (
            "usb_address",
            "window_geometry",
            "window_state",
            "last_page",
            "cloud_profile",
        ):
            if isinstance(data.get(name), str):
                setattr(settings, name, data[name])
        candidates = data.get("discovery_candidates")
        if isinstance(candidates, list):
            settings.discovery_candidates = [
                c for c in candidates if isinstance(c, str) and c.strip()
            ]
        interval = data.get("refresh_interval_s")
        if (
            isinstance(interval, (int, float))
            and not isinstance(interval, bool)
            and 0.5 <= interval <= 3600
        ):
            settings.refresh_interval_s = float(interval)
        if isinstance(data.get("activity_log_visible"), bool):
            settings.activity_log_visible = data["activity_log_visible"]
        if data.get("theme") in ("system", "light", "dark"):
            settings.theme = data["theme"]
        for name in ("port_memory", "cloud_profiles", "registration_drafts"):
            if isinstance(data.get(name), dict):
                setattr(settings, name, data[name])
        return settings


class SettingsStore:
    """Loads and saves :class:`Settings` as JSON in one file."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or config_dir()
        self.path = self.directory / "settings.json"
        self.problem = ""  # what went wrong while loading, for the UI to mention once

    def load(self) -> Settings:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Settings()
        except OSError as exc:
            self.problem = f"Could not read settings ({exc}); using defaults."
            log.warning(self.problem)
            return Settings()
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            aside = self.path.with_suffix(".json.corrupt")
            try:
                os.replace(self.path, aside)
            except OSError:
                aside = self.path
            self.problem = (
                f"Settings file was damaged ({exc}); kept it as {aside.name} and used defaults."
            )
            log.warning(self.problem)
            return Settings()
        return Settings.from_json(data)

    def save(self, settings: Settings) -> None:
        """Write atomically; a failure is logged, never raised (settings are not worth a crash)."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".json.tmp")
            tmp.write_text(json.dumps(settings.as_json(), indent=2), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            log.warning("could not save settings to %s: %s", self.path, exc)
