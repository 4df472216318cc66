"""Who is calling and may they: Authorization header checks and project permission checks.

``/api/**`` (iTwin IoT) accepts ``Bearer <token>`` and ``ApiKey <key>`` and answers 401 in its
``{"errors": [...]}`` shape; ``/sensor-data/**`` (iTwin Platform) accepts Bearer only and answers
401 in the ``{"error": {...}}`` shape. Both answer 403 InsufficientPermissions for writes without
the IoT Creator role and for projects the caller cannot see.
"""

from __future__ import annotations

import time

from aiohttp import web

from commissioner.core.cloud.profiles import SIM_API_KEY
from commissioner.sim.cloud.errors import (
    MISSING_HEADER_MESSAGE,
    ResponseError,
    forbidden,
    iiot_errors,
    platform_error,
)
from commissioner.sim.cloud.faults import CloudFaults
from commissioner.sim.cloud.ims import Ims
from commissioner.sim.cloud.state import CREATOR, CloudState, Principal, Project

PLATFORM_PREFIX = "/sensor-data/"


def _java_date(ts: float) -> str:
    """``Tue Feb 20 04:12:01 UTC 2024``, the format of the documented expiry message."""
    return time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(ts))


class Authenticator:
    """Resolves a request's principal, raising :class:`ResponseError` with the right 401/403."""

    def __init__(self, state: CloudState, faults: CloudFaults, ims: Ims) -> None:
        self._state = state
        self._faults = faults
        self._ims = ims

    def _unauthorized(self, platform: bool, code: str, message: str) -> ResponseError:
        if platform:
            return ResponseError(platform_error(401, code, message))
        return ResponseError(iiot_errors(401, [(message, "Authorization")]))

    def principal(self, request: web.Request) -> Principal:
        platform = request.path.startswith(PLATFORM_PREFIX)
        header = request.headers.get("Authorization", "").strip()
        if not header:
            message = MISSING_HEADER_MESSAGE if platform else "Authorization header is missing"
            raise self._unauthorized(platform, "HeaderNotFound", message)
        scheme, _, credential = header.partition(" ")
        credential = credential.strip()
        if scheme.lower() == "apikey" and not platform:
            if credential == SIM_API_KEY:
                return self._state.demo_user
            raise self._unauthorized(platform, "InvalidToken", "Invalid API key")
        if scheme.lower() != "bearer" or not credential:
            raise self._unauthorized(platform, "InvalidToken", "Unsupported Authorization scheme")
        return self.bearer(credential, platform)

    def bearer(self, token: str, platform: bool) -> Principal:
        principal, reason = self._ims.check(token)
        if principal is not None:
            return principal
        if reason == "TokenExpired":
            expiry = min(self._ims.expiry_of(token) or time.time(), time.time())
            raise self._unauthorized(platform, reason, f"Token has expired on {_java_date(expiry)}")
        raise self._unauthorized(platform, "InvalidToken", "The access token is invalid.")

    def code_principal(self, code: str) -> Principal | None:
        """The principal of a socket ``authenticate`` code (API key or access token)."""
        if code == SIM_API_KEY:
            return self._state.demo_user
        principal, _ = self._ims.check(code)
        return principal

    def can_write(self, principal: Principal, project: Project) -> bool:
        return not self._faults.missing_role and CREATOR in principal.roles.get(project.guid, set())

    def project(self, request: web.Request, principal: Principal, *, write: bool) -> Project:
        """The project named by ``projectIds`` (or ``iTwinId``); 403 when unknown or not allowed."""
        ref = request.query.get("projectIds") or request.query.get("iTwinId")
        project = self._state.project(ref.split(",")[0].strip() if ref else None)
        if project is None:
            raise ResponseError(forbidden())
        if write:
            self.require_write(principal, project)
        return project

    def require_write(self, principal: Principal, project: Project) -> None:
        if not self.can_write(principal, project):
            raise ResponseError(forbidden())
