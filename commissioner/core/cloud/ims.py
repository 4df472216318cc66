"""Bentley IMS (OpenID Connect) token requests: client credentials, code exchange, refresh.

Kept apart from :mod:`auth` (which decides *when* to ask) so the wire format of the token endpoint
lives in one place. Token values are held in :class:`TokenSet`, whose repr hides them, and no token,
secret or code ever reaches a log line or an exception message.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from commissioner.core.cloud.bodies import json_body
from commissioner.core.cloud.errors import (
    CloudAuthError,
    CloudConfigError,
    CloudHostNotAllowed,
    CloudMalformedResponse,
    CloudRateLimited,
    CloudUnavailable,
)
from commissioner.core.cloud.profiles import CloudProfile, is_loopback_url

log = logging.getLogger(__name__)
Clock = Callable[[], float]


def new_http_client(profile: CloudProfile, timeout_s: float) -> httpx.AsyncClient:
    """An httpx client for one profile: TLS verified; environment proxies only for real hosts.

    ``trust_env=False`` for a loopback profile, so a proxy from the environment never sees (or
    breaks) simulator traffic; real clouds keep ``trust_env`` so corporate proxies still work.
    """
    urls = (profile.token_url, profile.iiot_api_url, profile.sensor_data_url)
    loopback = all(is_loopback_url(u) for u in urls if u)
    return httpx.AsyncClient(
        verify=True,
        trust_env=not loopback,
        timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0)),
        follow_redirects=False,
    )


def userinfo_url(profile: CloudProfile) -> str:
    """The OIDC userinfo endpoint next to the token endpoint (``.../connect/userinfo``)."""
    return profile.token_url.rstrip("/").rsplit("/", 1)[0] + "/userinfo"


@dataclass(frozen=True)
class TokenSet:
    """An access token and what came with it; ``expires_at`` is on the injected monotonic clock."""

    access_token: str = field(repr=False)
    expires_at: float
    refresh_token: str | None = field(default=None, repr=False)
    scope: str = ""
    lifetime_s: float = 0.0

    def __repr__(self) -> str:
        return (
            f"TokenSet(access_token=<hidden>, expires_at={self.expires_at:.0f}, "
            f"refresh_token={'<hidden>' if self.refresh_token else None}, scope={self.scope!r})"
        )


class ImsClient:
    """Speaks to the profile's token endpoint; raises CloudAuthError when IMS says no."""

    def __init__(
        self, profile: CloudProfile, http: httpx.AsyncClient, *, clock: Clock = time.monotonic
    ) -> None:
        self.profile = profile
        self._http = http
        self._clock = clock

    def authorize_url(self, *, state: str, challenge: str, redirect_uri: str) -> str:
        """The browser URL that starts an Authorization Code + PKCE sign-in."""
        if not self.profile.client_id:
            raise CloudConfigError(
                "Signing in as a user needs the desktop application's client id."
            )
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.profile.client_id,
                "redirect_uri": redirect_uri,
                "scope": " ".join(self.profile.scopes),
                "state": state,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        return f"{self.profile.authorize_url}?{query}"

    async def client_credentials(self, secret: str) -> TokenSet:
        if not self.profile.service_client_id:
            raise CloudConfigError("A service application needs its client id.")
        return await self._token(
            {
                "grant_type": "client_credentials",
                "client_id": self.profile.service_client_id,
                "client_secret": secret,
                "scope": " ".join(self.profile.scopes),
            }
        )

    async def exchange_code(self, code: str, verifier: str, redirect_uri: str) -> TokenSet:
        return await self._token(
            {
                "grant_type": "authorization_code",
                "client_id": self.profile.client_id,
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            }
        )

    async def refresh(self, refresh_token: str) -> TokenSet:
        """New tokens; IMS rotates refresh tokens, the old one is kept only if none came back."""
        tokens = await self._token(
            {
                "grant_type": "refresh_token",
                "client_id": self.profile.client_id,
                "refresh_token": refresh_token,
            }
        )
        if tokens.refresh_token is None:
            tokens = TokenSet(
                tokens.access_token,
                tokens.expires_at,
                refresh_token,
                tokens.scope,
                tokens.lifetime_s,
            )
        return tokens

    async def userinfo(self, access_token: str) -> dict[str, Any]:
        url = userinfo_url(self.profile)
        if not self.profile.allows(url):
            raise CloudHostNotAllowed(url, self.profile.name)
        response = await self._send("GET", url, headers={"Authorization": f"Bearer {access_token}"})
        if response.status_code in (401, 403):
            raise CloudAuthError("the user information was refused", status=response.status_code)
        data = json_body(url, response)
        if response.status_code >= 400 or not isinstance(data, dict):
            raise CloudMalformedResponse(url, f"userinfo answered HTTP {response.status_code}")
        return data

    async def _token(self, form: dict[str, str]) -> TokenSet:
        url = self.profile.token_url
        if not self.profile.allows(url):  # pragma: no cover - the token URL is in the profile
            raise CloudHostNotAllowed(url, self.profile.name)
        started = self._clock()
        response = await self._send("POST", url, data=form)
        data = json_body(url, response)
        status = response.status_code
        if status == 429:
            raise CloudRateLimited(_seconds(response.headers.get("Retry-After")))
        if status >= 500:
            raise CloudUnavailable(url, f"HTTP {status}", status=status)
        if status >= 400:
            error = data.get("error", "") if isinstance(data, dict) else ""
            text = data.get("error_description", "") if isinstance(data, dict) else ""
            raise CloudAuthError(
                f"the sign-in service refused ({error or f'HTTP {status}'}"
                + (f": {text}" if text else "")
                + ")",
                code=str(error),
                status=status,
            )
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
            raise CloudMalformedResponse(url, "the token answer has no access_token")
        try:
            lifetime = float(data.get("expires_in", 3600))
        except (TypeError, ValueError) as exc:
            raise CloudMalformedResponse(url, "expires_in is not a number") from exc
        refresh = data.get("refresh_token")
        log.info("IMS issued a token (%s), valid %.0f s", form["grant_type"], lifetime)
        return TokenSet(
            access_token=data["access_token"],
            expires_at=started + lifetime,
            refresh_token=refresh if isinstance(refresh, str) and refresh else None,
            scope=str(data.get("scope", "")),
            lifetime_s=lifetime,
        )

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return await self._http.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise CloudUnavailable(url, "no answer in time") from exc
        except (httpx.TransportError, OSError) as exc:
            raise CloudUnavailable(url, type(exc).__name__) from exc


def _seconds(value: str | None) -> float:
    try:
        return min(max(float(value or "5"), 0.0), 300.0)
    except ValueError:
        return 5.0
