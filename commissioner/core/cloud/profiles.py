"""Cloud profiles: which cloud to talk to, how to sign in, and which asset (project) to use.

A profile holds no secret. Its URLs define the only hosts a credential may be sent to (see
:meth:`CloudProfile.allowed_origins`), so a token meant for iTwin IoT can never reach a THREAD or any
other host. The built-in "Simulator" profile points at the embedded cloud simulator, whose port is
only known once it runs, so it is made from the simulator's URL.
"""

from __future__ import annotations

import ipaddress
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from commissioner.core.cloud.errors import CloudConfigError

PLATFORM_ACCEPT = "application/vnd.bentley.itwin-platform.v1+json"
SENSOR_DATA_SCOPES = (
    "sensor-data:modify",
    "sensor-data:read",
    "users:read",
    "itwins:read",
    "itwins:modify",
)
SIMULATOR_PROFILE = "Simulator"
PRODUCTION_PROFILE = "iTwin IoT"
# Identities the cloud simulator knows; public demo values, not secrets of any real system.
SIM_NATIVE_CLIENT_ID = "native-thread-commissioner"
SIM_SERVICE_CLIENT_ID = "service-thread-commissioner"
SIM_SERVICE_CLIENT_SECRET = "sim-service-secret"
SIM_API_KEY = "SIMAPIKEY0000000000000001"
SIM_PROJECT_ID = "6ee68656-ce20-452c-a4e6-b6b3a3b55537"


class AuthMethod(StrEnum):
    """How the app obtains the Authorization header value."""

    USER = "user"  # IMS Authorization Code + PKCE in the system browser, refresh token kept
    SERVICE = "service"  # IMS client credentials of a registered service application
    API_KEY = "api_key"  # "Authorization: ApiKey ..." (iTwin IoT REST and socket APIs only)


class IntegrateVia(StrEnum):
    """Which documented base URL the integrate call goes to."""

    IIOT = "iiot"  # https://iiot.bentley.com/api/integrations/integrate?projectIds=
    PLATFORM = "platform"  # https://api.bentley.com/sensor-data/integrations/integrate


@dataclass(frozen=True)
class CloudProfile:
    name: str
    authorize_url: str
    token_url: str
    iiot_api_url: str  # base of the iTwin IoT REST API, ends in /api
    sensor_data_url: str  # base of the iTwin Platform sensor-data API
    socket_url: str  # the JSON-RPC WebSocket
    auth_method: AuthMethod = AuthMethod.USER
    client_id: str = ""  # native (desktop) client for the PKCE flow
    service_client_id: str = ""  # service application for client credentials
    scopes: tuple[str, ...] = SENSOR_DATA_SCOPES
    project_id: str = ""
    project_param: str = "projectIds"  # some public pages call it iTwinId
    integrate_via: IntegrateVia = IntegrateVia.IIOT
    redirect_port: int = 0  # 0: any free loopback port for the sign-in callback
    builtin: bool = False
    recent_projects: tuple[str, ...] = field(default_factory=tuple)

    def allowed_origins(self) -> frozenset[tuple[str, str, int]]:
        """(scheme, host, port) of every URL in the profile; credentials go nowhere else."""
        return frozenset(
            _origin(url)
            for url in (
                self.authorize_url,
                self.token_url,
                self.iiot_api_url,
                self.sensor_data_url,
                self.socket_url,
            )
            if url
        )

    def allows(self, url: str) -> bool:
        try:
            return _origin(url) in self.allowed_origins()
        except CloudConfigError:
            return False

    def with_project(self, project_id: str) -> CloudProfile:
        """This profile with ``project_id`` chosen and remembered first among recent ones."""
        recent = (project_id, *(p for p in self.recent_projects if p != project_id))[:8]
        return replace(self, project_id=project_id, recent_projects=recent)

    def validate(self) -> None:
        """Raise CloudConfigError naming the first unusable field."""
        if not self.name.strip():
            raise CloudConfigError("A cloud profile needs a name.")
        for label, url in (
            ("authorize URL", self.authorize_url),
            ("token URL", self.token_url),
            ("iTwin IoT API URL", self.iiot_api_url),
            ("sensor-data API URL", self.sensor_data_url),
            ("socket URL", self.socket_url),
        ):
            _origin(url, label)
        if self.auth_method is AuthMethod.USER and not self.client_id:
            raise CloudConfigError(
                "Signing in as a user needs the desktop application's client id."
            )
        if self.auth_method is AuthMethod.SERVICE and not self.service_client_id:
            raise CloudConfigError("A service application needs its client id.")
        if not self.project_param.strip():
            raise CloudConfigError("The asset id query parameter name cannot be empty.")

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["scopes"] = list(self.scopes)
        data["recent_projects"] = list(self.recent_projects)
        data["auth_method"] = self.auth_method.value
        data["integrate_via"] = self.integrate_via.value
        return data

    @classmethod
    def from_json(cls, data: object) -> CloudProfile | None:
        """A profile from settings JSON, or None when it is unusable (it is then ignored)."""
        if not isinstance(data, dict):
            return None
        try:
            values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
            values["scopes"] = tuple(str(s) for s in values.get("scopes", SENSOR_DATA_SCOPES))
            values["recent_projects"] = tuple(str(p) for p in values.get("recent_projects", ()))
            values["auth_method"] = AuthMethod(values.get("auth_method", AuthMethod.USER))
            values["integrate_via"] = IntegrateVia(values.get("integrate_via", IntegrateVia.IIOT))
            profile = cls(**values)
            profile.validate()
        except (TypeError, ValueError):
            return None
        return profile


def is_loopback_host(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1: the simulators and the sign-in receiver."""
    host = host.lower().strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    return is_loopback_host(urlsplit(url).hostname or "")


def _origin(url: str, label: str = "URL") -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https", "ws", "wss") or not parts.hostname:
        raise CloudConfigError(f"The {label} {url!r} is not an http(s) or ws(s) URL.")
    try:
        port = parts.port
    except ValueError as exc:
        raise CloudConfigError(f"The {label} {url!r} has an invalid port.") from exc
    default = 443 if scheme in ("https", "wss") else 80
    return (
        "https" if scheme in ("https", "wss") else "http",
        parts.hostname.lower(),
        port or default,
    )


def production_profile() -> CloudProfile:
    """The public iTwin IoT endpoints; the client ids are the user's own registrations."""
    return CloudProfile(
        name=PRODUCTION_PROFILE,
        authorize_url="https://ims.bentley.com/connect/authorize",
        token_url="https://ims.bentley.com/connect/token",
        iiot_api_url="https://iiot.bentley.com/api",
        sensor_data_url="https://api.bentley.com/sensor-data",
        socket_url="wss://iiot.bentley.com:4201/",
        auth_method=AuthMethod.USER,
        client_id="",
        builtin=True,
    )


def simulator_profile(base_url: str, *, auth_method: AuthMethod = AuthMethod.USER) -> CloudProfile:
    """The built-in profile for the cloud simulator running at ``base_url`` (loopback)."""
    base = base_url.rstrip("/")
    socket = "ws" + base.removeprefix("http") + "/rpc"
    return CloudProfile(
        name=SIMULATOR_PROFILE,
        authorize_url=f"{base}/connect/authorize",
        token_url=f"{base}/connect/token",
        iiot_api_url=f"{base}/api",
        sensor_data_url=f"{base}/sensor-data",
        socket_url=socket,
        auth_method=auth_method,
        client_id=SIM_NATIVE_CLIENT_ID,
        service_client_id=SIM_SERVICE_CLIENT_ID,
        project_id=SIM_PROJECT_ID,
        builtin=True,
        recent_projects=(SIM_PROJECT_ID,),
    )
