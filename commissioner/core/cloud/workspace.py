"""One cloud profile's working set: sign-in, API, templates, journal, registrar and queue flusher.

The GUI and the CLI both drive registration through this facade, so they cannot differ in how a
registration is validated, journaled, sent, reconciled or verified. Each profile gets its own
journal and template cache folder, so a queue built against the simulator can never be flushed
into a real asset (or the reverse).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from commissioner.core.cloud.api import SensorDataApi
from commissioner.core.cloud.auth import CloudAuth, UrlOpener
from commissioner.core.cloud.errors import CloudAuthError, CloudConfigError, FieldProblem
from commissioner.core.cloud.flusher import QueueFlusher
from commissioner.core.cloud.journal import RegistrationJournal
from commissioner.core.cloud.models import IntegrationResult, UploadReport
from commissioner.core.cloud.profiles import AuthMethod, CloudProfile, is_loopback_url
from commissioner.core.cloud.registrar import Registrar, RegistrationOutcome
from commissioner.core.cloud.registration import RegistrationSpec, build_request
from commissioner.core.cloud.rpc import IotSocketClient, code_from_authorization
from commissioner.core.cloud.schema import Catalogue, validate_request
from commissioner.core.cloud.secrets import SecretStore
from commissioner.core.cloud.templates import TemplateCatalogue
from commissioner.core.cloud.transport import CloudTransport
from commissioner.core.cloud.verify import VerificationCheck, compare
from commissioner.core.lifecycle import AsyncService

log = logging.getLogger(__name__)
WaitListener = Callable[[float, str], None]


def profile_folder(data_folder: Path, profile: CloudProfile) -> Path:
    """The per-profile folder for the journal and the template cache."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", profile.name).strip("_") or "profile"
    return data_folder / "cloud" / safe


async def follow_loopback_sign_in(url: str) -> None:
    """Play the browser for the cloud simulator: follow its auto-approving authorize redirect.

    Only for loopback authorize URLs (the simulator); a real IMS sign-in always goes to the
    user's own browser, where they type their password.
    """
    if not is_loopback_url(url):
        raise CloudConfigError("The in-app sign-in is only for the local cloud simulator.")
    async with httpx.AsyncClient(trust_env=False, follow_redirects=True, timeout=10.0) as http:
        await http.get(url)


class CloudWorkspace(AsyncService):
    """Everything one profile needs; ``start`` begins flushing the offline queue."""

    def __init__(
        self,
        profile: CloudProfile,
        data_folder: Path,
        *,
        secrets: SecretStore | None = None,
        timeout_s: float = 15.0,
        probe_interval_s: float = 30.0,
        backoff_s: tuple[float, ...] = (2, 5, 15, 30, 60, 120),
    ) -> None:
        self.profile = profile
        self.folder = profile_folder(data_folder, profile)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.secrets = secrets or SecretStore()
        self.auth = CloudAuth(profile, secrets=self.secrets, timeout_s=timeout_s)
        self._wait_listeners: list[WaitListener] = []
        self.transport = CloudTransport(
            profile, self.auth, timeout_s=timeout_s, on_wait=self._on_wait
        )
        self.api = SensorDataApi(profile, self.transport)
        self.templates = TemplateCatalogue(self.folder, profile.name)
        self.templates.load()
        self.journal = RegistrationJournal(self.folder / "registrations.sqlite")
        self.registrar = Registrar(self.api, self.journal, catalogue=self.catalogue())
        self.flusher = QueueFlusher(
            self.journal, self.registrar, probe_interval_s=probe_interval_s, backoff_s=backoff_s
        )

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        await self.flusher.start()

    async def aclose(self) -> None:
        await self.flusher.aclose()
        await self.transport.aclose()
        await self.auth.aclose()

    # -- waits (429 Retry-After, backoff) shown as countdowns ---------------------------------
    def add_wait_listener(self, listener: WaitListener) -> None:
        self._wait_listeners.append(listener)

    def remove_wait_listener(self, listener: WaitListener) -> None:
        if listener in self._wait_listeners:
            self._wait_listeners.remove(listener)

    def _on_wait(self, seconds_left: float, reason: str) -> None:
        for listener in list(self._wait_listeners):
            try:
                listener(seconds_left, reason)
            except Exception:  # a broken listener must not break the request
                log.exception("wait listener failed")

    # -- sign-in ---------------------------------------------------------------------------
    async def sign_in(
        self,
        *,
        open_url: UrlOpener | None = None,
        secret: str | None = None,
        api_key: str | None = None,
        timeout_s: float = 300.0,
    ) -> str:
        """Sign in with the profile's method; returns the account shown to the user."""
        method = self.profile.auth_method
        if method is AuthMethod.USER:
            opener = open_url or (follow_loopback_sign_in if self.is_simulator else None)
            if opener is None:
                raise CloudConfigError("Signing in as a user needs a browser to open.")
            await self.auth.sign_in_user(opener, timeout_s)
        elif method is AuthMethod.SERVICE:
            await self.auth.sign_in_service(secret)
        else:
            await self.auth.use_api_key(api_key)
        self.flusher.wake()
        return self.auth.account

    async def restore(self) -> bool:
        """Silent sign-in from the keyring; False when the user must sign in."""
        try:
            restored = await self.auth.restore()
        except CloudAuthError:
            return False
        if restored:
            self.flusher.wake()
        return restored

    @property
    def is_simulator(self) -> bool:
        return is_loopback_url(self.profile.authorize_url)

    # -- templates -------------------------------------------------------------------------
    async def refresh_templates(self) -> TemplateCatalogue:
        await self.templates.refresh(self.api)
        self.registrar.catalogue = self.catalogue()
        return self.templates

    def catalogue(self) -> Catalogue | None:
        if not self.templates.loaded:
            return None
        return Catalogue(
            device_types=[t.id for t in self.templates.device_types],
            sensor_types=[t.id for t in self.templates.sensor_types],
            metrics=[m.id for m in self.templates.metric_types],
        )

    # -- registration ----------------------------------------------------------------------
    def preview(self, spec: RegistrationSpec) -> tuple[dict[str, Any], list[FieldProblem]]:
        """Exactly what would be sent for ``spec``, and what local validation says of it."""
        request = build_request(spec)
        return request, validate_request(request, self.catalogue() or Catalogue())

    async def register(self, spec: RegistrationSpec) -> RegistrationOutcome:
        """Journal and send; when the cloud is unreachable the outcome is PENDING (queued)."""
        outcome = await self.registrar.register(spec)
        self.flusher.wake()
        return outcome

    def queue_only(self, spec: RegistrationSpec) -> int:
        """Journal without trying to send now (the flusher sends it when the cloud is back)."""
        rid = self.journal.enqueue(
            spec, profile_name=self.profile.name, project_id=self.profile.project_id
        )
        self.flusher.wake()
        return rid

    async def fetch(self, node_id: str) -> IntegrationResult:
        return await self.api.get_integration(node_id)

    async def verify(
        self, registration_id: int
    ) -> tuple[IntegrationResult, list[VerificationCheck]]:
        """Fetch the connection a sent registration went to and compare it with the request."""
        item = self.journal.get(registration_id)
        if not item.node_id:
            raise CloudConfigError(
                f"Registration {registration_id} has not reached the cloud yet; nothing to verify."
            )
        fetched = await self.api.get_integration(item.node_id)
        return fetched, compare(item.request, fetched)

    async def upload(self, observations: list[dict[str, Any]]) -> UploadReport:
        return await self.api.upload(observations)

    def socket(self, *, keepalive_s: float = 5.0) -> IotSocketClient:
        """A JSON-RPC socket client authenticated with this workspace's current credential."""

        async def code() -> str:
            return code_from_authorization(await self.auth.authorization_header())

        return IotSocketClient(self.profile.socket_url, code, keepalive_s=keepalive_s)
