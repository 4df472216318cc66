"""The Cloud page's view-model: the current cloud workspace as Qt signals, and the embedded cloud sim.

Why here: the page swaps whole workspaces when the user picks another profile or asset, and every
core listener (auth, queue flusher, 429 waits, socket presence) must be detached from the old one
and attached to the new one in one place. Core listeners are called on the asyncio loop, which
under qasync is the Qt thread, so emitting signals from them directly is safe.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from commissioner.core.cloud.auth import AuthStatus
from commissioner.core.cloud.flusher import FlushEvent
from commissioner.core.cloud.presence import NodePresence
from commissioner.core.cloud.profiles import (
    PRODUCTION_PROFILE,
    SIMULATOR_PROFILE,
    AuthMethod,
    CloudProfile,
    production_profile,
    simulator_profile,
)
from commissioner.core.cloud.secrets import SecretStore
from commissioner.core.cloud.workspace import CloudWorkspace
from commissioner.core.settings import Settings, data_dir
from commissioner.ui.pages.cloud.watchers import CloudWatchers

log = logging.getLogger(__name__)
BUILTIN = (SIMULATOR_PROFILE, PRODUCTION_PROFILE)
# What a user may change of a built-in profile (kept in settings.cloud_profiles[name]).
_OVERRIDABLE = {
    SIMULATOR_PROFILE: ("project_id", "auth_method", "recent_projects"),
    PRODUCTION_PROFILE: (
        "project_id",
        "auth_method",
        "recent_projects",
        "client_id",
        "service_client_id",
    ),
}


class CloudModel(QObject):
    """Owns the current :class:`CloudWorkspace`; call :meth:`aclose` on shutdown."""

    sig_workspace_changed = Signal()  # a new workspace (profile or asset changed)
    sig_auth_changed = Signal(str, str)  # AuthStatus value, account text
    sig_templates_changed = Signal()
    sig_queue_changed = Signal(object)  # FlushEvent | None (None: the journal changed locally)
    sig_wait = Signal(float, str)  # seconds left, reason (429 Retry-After countdown)
    sig_presence = Signal(bool, str)  # online, LAST_COMM text
    sig_observation = Signal(object)  # WatchedObservation
    sig_outage_changed = Signal(bool)  # the simulator is offline

    def __init__(
        self,
        settings: Settings,
        save_settings: Callable[[], None],
        *,
        data_folder: Path | None = None,
        secrets: SecretStore | None = None,
        probe_interval_s: float = 30.0,
        backoff_s: Sequence[float] = (2, 5, 15, 30, 60, 120),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.save_settings = save_settings
        self.data_folder = data_folder
        self.secrets = secrets or SecretStore()
        self.probe_interval_s = probe_interval_s
        self.backoff_s = tuple(backoff_s)
        self.workspace: CloudWorkspace | None = None
        self.sim: Any = None  # CloudSim, started lazily for the Simulator profile
        self.last_event: FlushEvent | None = None
        self.watchers = CloudWatchers(self._emit_presence, self.sig_observation.emit)
        self._lock = asyncio.Lock()
        self._sim_folder: tempfile.TemporaryDirectory[str] | None = None
        self._closed = False

    def secrets_in_memory(self) -> list[str]:
        """What the current cloud session holds, for exports to scrub (see CloudAuth)."""
        return self.workspace.auth.secrets_in_memory() if self.workspace is not None else []

    def _emit_presence(self, presence: NodePresence) -> None:
        last = presence.last_comm.isoformat(timespec="seconds") if presence.last_comm else ""
        self.sig_presence.emit(presence.online, last)

    # -- profiles ------------------------------------------------------------------------------

    @property
    def profile_name(self) -> str:
        names = self.profile_names()
        return self.settings.cloud_profile if self.settings.cloud_profile in names else names[0]

    def profile_names(self) -> list[str]:
        extra = [n for n in self.settings.cloud_profiles if n not in BUILTIN]
        return [*BUILTIN, *extra]

    @property
    def is_simulator(self) -> bool:
        return self.profile_name == SIMULATOR_PROFILE

    async def _profile(self, name: str) -> CloudProfile:
        stored = self.settings.cloud_profiles.get(name)
        if name == SIMULATOR_PROFILE:
            base = simulator_profile(await self._sim_url())
        elif name == PRODUCTION_PROFILE:
            base = production_profile()
        else:
            profile = CloudProfile.from_json(stored)
            if profile is None:
                raise ValueError(f"Cloud profile {name!r} in the settings is unusable.")
            return profile
        if isinstance(stored, dict):
            values: dict[str, Any] = {}
            for key in _OVERRIDABLE[name]:
                if key in stored:
                    values[key] = stored[key]
            with contextlib.suppress(ValueError, TypeError):
                if "auth_method" in values:
                    values["auth_method"] = AuthMethod(values["auth_method"])
                if "recent_projects" in values:
                    values["recent_projects"] = tuple(str(p) for p in values["recent_projects"])
                base = replace(base, **values)
        return base

    def _remember(self, profile: CloudProfile) -> None:
        if profile.name in BUILTIN:
            data = profile.as_json()
            self.settings.cloud_profiles[profile.name] = {
                k: data[k] for k in _OVERRIDABLE[profile.name]
            }
        else:
            self.settings.cloud_profiles[profile.name] = profile.as_json()
        self.save_settings()

    async def _sim_url(self) -> str:
        if self.sim is None:
            from commissioner.sim.cloud.server import CloudSim

            sim = CloudSim()
            await sim.start()
            self.sim = sim
        return str(self.sim.url)

    # -- the workspace -------------------------------------------------------------------------

    async def ensure_workspace(self) -> CloudWorkspace:
        async with self._lock:
            if self.workspace is None:
                await self._open(await self._profile(self.profile_name))
            assert self.workspace is not None
            return self.workspace

    async def select_profile(self, name: str) -> CloudWorkspace:
        self.settings.cloud_profile = name
        self.save_settings()
        return await self._rebuild(await self._profile(name))

    async def update_profile(self, **changes: Any) -> CloudWorkspace:
        """The current profile with ``changes`` (project_id, auth_method, client ids), saved."""
        current = await self._profile(self.profile_name)
        project = changes.pop("project_id", None)
        if "auth_method" in changes:  # Qt hands StrEnum item data back as plain str
            changes["auth_method"] = AuthMethod(changes["auth_method"])
        profile = replace(current, **changes)
        if project is not None:
            profile = profile.with_project(project)
        self._remember(profile)
        return await self._rebuild(profile)

    async def _rebuild(self, profile: CloudProfile) -> CloudWorkspace:
        async with self._lock:
            await self._close_workspace()
            await self._open(profile)
            assert self.workspace is not None
            return self.workspace

    def _folder(self, profile: CloudProfile) -> Path:
        """Where the profile's journal lives. The embedded simulator forgets everything when the
        app exits, so its journal is per session too: a queue or id map left from an earlier
        session would point at connections this simulator never had."""
        if self.data_folder is not None:
            return self.data_folder
        if profile.name == SIMULATOR_PROFILE:
            if self._sim_folder is None:
                self._sim_folder = tempfile.TemporaryDirectory(prefix="commissioner-cloud-sim-")
            return Path(self._sim_folder.name)
        return data_dir()

    async def _open(self, profile: CloudProfile) -> None:
        folder = self._folder(profile)
        ws = CloudWorkspace(
            profile,
            folder,
            secrets=self.secrets,
            probe_interval_s=self.probe_interval_s,
            backoff_s=self.backoff_s,
        )

        def on_auth(status: AuthStatus) -> None:
            if ws is self.workspace:
                self.sig_auth_changed.emit(status.value, ws.auth.account)

        def on_flush(event: FlushEvent) -> None:
            if ws is self.workspace:
                self.last_event = event
                self.sig_queue_changed.emit(event)

        def on_wait(seconds: float, reason: str) -> None:
            if ws is self.workspace:
                self.sig_wait.emit(seconds, reason)

        ws.auth.add_listener(on_auth)
        ws.flusher.add_listener(on_flush)
        ws.add_wait_listener(on_wait)
        self.workspace = ws
        self.last_event = None
        await ws.start()
        self.sig_workspace_changed.emit()
        self.sig_auth_changed.emit(ws.auth.status.value, ws.auth.account)

    async def restore(self) -> bool:
        """Silent sign-in from the keyring; False (not an error) when the user must sign in."""
        ws = await self.ensure_workspace()
        return await ws.restore()

    async def _close_workspace(self) -> None:
        await self.stop_watching()
        ws, self.workspace = self.workspace, None
        if ws is not None:
            await ws.aclose()

    async def aclose(self) -> None:
        self._closed = True
        async with self._lock:
            await self._close_workspace()
        sim, self.sim = self.sim, None
        if sim is not None:
            await sim.aclose()
        folder, self._sim_folder = self._sim_folder, None
        if folder is not None:
            folder.cleanup()

    # -- simulator outage ----------------------------------------------------------------------

    @property
    def outage(self) -> bool:
        return self.sim is not None and not self.sim.online

    async def set_outage(self, offline: bool) -> None:
        if self.sim is None:
            return
        if offline:
            await self.sim.go_offline()
        else:
            await self.sim.come_back()
            if self.workspace is not None:
                self.workspace.flusher.wake()
        self.sig_outage_changed.emit(self.outage)

    # -- presence and observations (over the workspace's JSON-RPC socket) -----------------------

    async def watch_node(self, node_id: str) -> NodePresence:
        """Follow ACCESSIBLE/LAST_COMM of ``node_id`` (replacing any node watched before)."""
        return await self.watchers.watch_node(await self.ensure_workspace(), node_id)

    async def watch_sensor(self, sensor_id: str, metrics: Sequence[tuple[str, str]]) -> None:
        await self.watchers.watch_sensor(await self.ensure_workspace(), sensor_id, metrics)

    @property
    def presence(self) -> NodePresence | None:
        return self.watchers.presence

    async def stop_watching(self) -> None:
        await self.watchers.aclose()
