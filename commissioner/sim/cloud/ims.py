"""The simulated IMS (OpenID Connect) server: authorize, token and userinfo endpoints.

``/connect/authorize`` approves the demo user at once (there is no login page to click through)
and redirects to the app's loopback callback, so the whole PKCE sign-in runs in a test. Access
tokens are random opaque strings with an expiry; refresh tokens rotate on every use.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from commissioner.core.cloud.profiles import (
    SENSOR_DATA_SCOPES,
    SIM_NATIVE_CLIENT_ID,
    SIM_SERVICE_CLIENT_ID,
    SIM_SERVICE_CLIENT_SECRET,
)
from commissioner.sim.cloud.errors import json_response, oauth_error
from commissioner.sim.cloud.faults import CloudFaults, next_stamp
from commissioner.sim.cloud.state import CloudState, Principal

CODE_LIFETIME_S = 300.0
ALLOWED_SCOPES = frozenset((*SENSOR_DATA_SCOPES, "openid", "profile", "email", "offline_access"))


@dataclass
class AccessToken:
    principal: str  # Principal.sub
    client_id: str
    scope: str
    expires_at: float  # time.time() epoch
    stamp: int


@dataclass
class AuthCode:
    principal: str
    client_id: str
    redirect_uri: str
    challenge: str
    scope: str
    expires_at: float


@dataclass
class RefreshGrant:
    principal: str
    client_id: str
    scope: str


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _redirect_ok(uri: str) -> bool:
    parts = urlsplit(uri)
    try:
        port = parts.port
    except ValueError:
        return False
    return (
        parts.scheme == "http"
        and parts.hostname in ("localhost", "127.0.0.1")
        and port is not None
        and parts.path == "/signin-callback"
    )


def _page(status: int, problem: str) -> web.Response:
    body = f"<html><body><h1>Sign-in error</h1><p>{html.escape(problem)}</p></body></html>"
    return web.Response(status=status, text=body, content_type="text/html")


class Ims:
    """Token bookkeeping plus the three ``/connect/*`` endpoints."""

    def __init__(self, state: CloudState, faults: CloudFaults, token_lifetime_s: float) -> None:
        self._state = state
        self._faults = faults
        self.token_lifetime_s = token_lifetime_s
        self._tokens: dict[str, AccessToken] = {}
        self._codes: dict[str, AuthCode] = {}
        self._refresh: dict[str, RefreshGrant] = {}

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/connect/authorize", self.authorize),
            web.post("/connect/token", self.token),
            web.get("/connect/userinfo", self.userinfo),
        ]

    # -- token checks used by the APIs -----------------------------------------------------------

    def check(self, token: str) -> tuple[Principal | None, str]:
        """(principal, "") for a valid token, else (None, "InvalidToken" | "TokenExpired")."""
        record = self._tokens.get(token)
        if record is None:
            return None, "InvalidToken"
        if record.expires_at <= time.time() or self._faults.token_expired(record.stamp):
            return None, "TokenExpired"
        return self._state.principals.get(record.principal), ""

    def expiry_of(self, token: str) -> float | None:
        record = self._tokens.get(token)
        return None if record is None else record.expires_at

    def issue(self, principal: str, client_id: str, scope: str) -> tuple[str, AccessToken]:
        token = secrets.token_urlsafe(32)
        record = AccessToken(
            principal, client_id, scope, time.time() + self.token_lifetime_s, next_stamp()
        )
        self._tokens[token] = record
        return token, record

    # -- endpoints -------------------------------------------------------------------------------

    async def authorize(self, request: web.Request) -> web.Response:
        q = request.query
        redirect_uri = q.get("redirect_uri", "")
        if q.get("client_id") != SIM_NATIVE_CLIENT_ID:
            return _page(400, f"Unknown client_id {q.get('client_id', '')!r}.")
        if not _redirect_ok(redirect_uri):
            return _page(
                400,
                "redirect_uri must be http://localhost:<port>/signin-callback or "
                "http://127.0.0.1:<port>/signin-callback.",
            )
        if q.get("response_type") != "code":
            return _page(400, "response_type must be code.")
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return _page(400, "A code_challenge with code_challenge_method S256 is required.")
        state = q.get("state", "")
        if self._faults.deny_consent:
            query = urlencode({"error": "access_denied", "state": state})
            raise web.HTTPFound(f"{redirect_uri}?{query}")
        code = secrets.token_urlsafe(24)
        self._codes[code] = AuthCode(
            self._state.demo_user.sub,
            SIM_NATIVE_CLIENT_ID,
            redirect_uri,
            q["code_challenge"],
            q.get("scope", " ".join(SENSOR_DATA_SCOPES)),
            time.time() + CODE_LIFETIME_S,
        )
        raise web.HTTPFound(f"{redirect_uri}?{urlencode({'code': code, 'state': state})}")

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        values = {k: str(v) for k, v in form.items()}
        grant = values.get("grant_type", "")
        if not grant:
            return oauth_error("invalid_request", "grant_type is required.")
        if grant == "client_credentials":
            return self._client_credentials(values)
        if grant == "authorization_code":
            return self._authorization_code(values)
        if grant == "refresh_token":
            return self._refresh_token(values)
        return oauth_error("unsupported_grant_type", f"grant_type {grant!r} is not supported.")

    def _answer(self, principal: str, client_id: str, scope: str, refresh: bool) -> web.Response:
        token, _ = self.issue(principal, client_id, scope)
        body: dict[str, object] = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": int(self.token_lifetime_s),
            "scope": scope,
        }
        if refresh:
            refresh_token = secrets.token_urlsafe(32)
            self._refresh[refresh_token] = RefreshGrant(principal, client_id, scope)
            body["refresh_token"] = refresh_token
        return json_response(200, body, **{"Cache-Control": "no-store"})

    def _client_credentials(self, v: dict[str, str]) -> web.Response:
        if (
            v.get("client_id") != SIM_SERVICE_CLIENT_ID
            or v.get("client_secret") != SIM_SERVICE_CLIENT_SECRET
        ):
            return oauth_error("invalid_client", "Unknown client or wrong client secret.")
        scope = " ".join(v.get("scope", "").split()) or " ".join(SENSOR_DATA_SCOPES)
        bad = [s for s in scope.split() if s not in ALLOWED_SCOPES]
        if bad:
            return oauth_error("invalid_scope", f"Scope not allowed: {' '.join(bad)}.")
        return self._answer(SIM_SERVICE_CLIENT_ID, SIM_SERVICE_CLIENT_ID, scope, refresh=False)

    def _authorization_code(self, v: dict[str, str]) -> web.Response:
        if v.get("client_id") != SIM_NATIVE_CLIENT_ID:
            return oauth_error("invalid_client", "Unknown client.")
        code = self._codes.pop(v.get("code", ""), None)  # single use, even when it fails
        if code is None or code.expires_at <= time.time():
            return oauth_error("invalid_grant", "The authorization code is invalid or expired.")
        if code.client_id != v.get("client_id") or code.redirect_uri != v.get("redirect_uri"):
            return oauth_error(
                "invalid_grant", "redirect_uri does not match the authorize request."
            )
        verifier = v.get("code_verifier", "")
        if not 43 <= len(verifier) <= 128 or s256(verifier) != code.challenge:
            return oauth_error(
                "invalid_grant", "The code_verifier does not match the code_challenge."
            )
        return self._answer(code.principal, code.client_id, code.scope, refresh=True)

    def _refresh_token(self, v: dict[str, str]) -> web.Response:
        grant = self._refresh.get(v.get("refresh_token", ""))
        if grant is None:
            return oauth_error("invalid_grant", "The refresh token is invalid or was already used.")
        if v.get("client_id", grant.client_id) != grant.client_id:
            return oauth_error("invalid_client", "The refresh token belongs to another client.")
        del self._refresh[v["refresh_token"]]  # rotation: the old one is now invalid
        return self._answer(grant.principal, grant.client_id, grant.scope, refresh=True)

    async def userinfo(self, request: web.Request) -> web.Response:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        principal, reason = self.check(token.strip()) if scheme.lower() == "bearer" else (None, "")
        if principal is None:
            return json_response(
                401,
                {"error": "invalid_token", "error_description": reason or "Bearer token required."},
                **{"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return json_response(200, principal.user_json())
