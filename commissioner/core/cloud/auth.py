"""CloudAuth: one sign-in per cloud profile, and the Authorization header every request carries.

Why one object: the transport only asks "which header?" and "the cloud said 401, can you fix it?";
whether that means a refresh token (user), a new client-credentials token (service) or nothing
(API key) is decided here. Access tokens stay in memory and are renewed shortly before they expire;
refresh tokens, client secrets and API keys go to :class:`SecretStore` (OS keyring, or memory only).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from enum import StrEnum

import httpx

from commissioner.core.cloud.errors import CloudAuthError, CloudConfigError, SecretUnavailable
from commissioner.core.cloud.ims import Clock, ImsClient, TokenSet, new_http_client
from commissioner.core.cloud.pkce import LoopbackReceiver, challenge_s256, new_state, new_verifier
from commissioner.core.cloud.profiles import AuthMethod, CloudProfile
from commissioner.core.cloud.secrets import SecretKind, SecretStore

log = logging.getLogger(__name__)
UrlOpener = Callable[[str], Awaitable[None] | None]
REFRESH_MARGIN_S = 60.0
_WHAT = {
    SecretKind.REFRESH_TOKEN: "sign-in (refresh token)",
    SecretKind.CLIENT_SECRET: "client secret",
    SecretKind.API_KEY: "API key",
}


class AuthStatus(StrEnum):
    SIGNED_OUT = "signed_out"
    SIGNING_IN = "signing_in"
    SIGNED_IN = "signed_in"
    EXPIRED = "expired"  # a refresh failed: the user must sign in again


AuthListener = Callable[[AuthStatus], None]


class CloudAuth:
    """Signs in to one profile and hands out the Authorization header value."""

    def __init__(
        self,
        profile: CloudProfile,
        *,
        secrets: SecretStore | None = None,
        http: httpx.AsyncClient | None = None,
        timeout_s: float = 15.0,
        clock: Clock = time.monotonic,
        refresh_margin_s: float = REFRESH_MARGIN_S,
    ) -> None:
        self.profile = profile
        self.secrets = secrets if secrets is not None else SecretStore()
        self._own_http = http is None
        self._http = http if http is not None else new_http_client(profile, timeout_s)
        self._clock = clock
        self._margin = refresh_margin_s
        self.ims = ImsClient(profile, self._http, clock=clock)
        self._tokens: TokenSet | None = None
        self._secret: str | None = None  # client secret or API key, for this session
        self._account = ""
        self._status = AuthStatus.SIGNED_OUT
        self._lock = asyncio.Lock()
        self._listeners: list[AuthListener] = []

    def __repr__(self) -> str:
        return f"CloudAuth(profile={self.profile.name!r}, status={self._status.value})"

    def secrets_in_memory(self) -> list[str]:
        """Every secret this session holds, so exports (the support bundle) can scrub them."""
        values = [self._secret]
        if self._tokens is not None:
            values += [self._tokens.access_token, self._tokens.refresh_token]
        return [v for v in values if v]

    @property
    def method(self) -> AuthMethod:
        return self.profile.auth_method

    @property
    def status(self) -> AuthStatus:
        return self._status

    @property
    def signed_in(self) -> bool:
        return self._status is AuthStatus.SIGNED_IN

    @property
    def account(self) -> str:
        """Who is signed in: e-mail and name, the service client id, or "API key"."""
        return self._account

    def add_listener(self, listener: AuthListener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: AuthListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    async def aclose(self) -> None:
        if self._own_http:
            await self._http.aclose()

    async def sign_in_user(self, open_url: UrlOpener, timeout_s: float = 300.0) -> None:
        """Authorization Code + PKCE in the system browser; the refresh token is kept."""
        self._require(AuthMethod.USER)
        state, verifier = new_state(), new_verifier()
        before = self._status
        self._set_status(AuthStatus.SIGNING_IN)
        try:
            async with LoopbackReceiver(state, port=self.profile.redirect_port) as receiver:
                url = self.ims.authorize_url(
                    state=state,
                    challenge=challenge_s256(verifier),
                    redirect_uri=receiver.redirect_uri,
                )
                opened = open_url(url)
                if inspect.isawaitable(opened):
                    await opened
                answer = await receiver.wait(timeout_s)
            if answer.error:
                detail = answer.error_description or answer.error
                raise CloudAuthError(
                    f"the browser sign-in was not completed ({detail})", code=answer.error
                )
            tokens = await self.ims.exchange_code(answer.code, verifier, receiver.redirect_uri)
            account = await self._user_account(tokens)
        except BaseException:
            self._set_status(before)  # a failed or cancelled re-sign-in keeps the old session
            raise
        self._signed_in(tokens, account)

    async def sign_in_service(self, secret: str | None = None) -> None:
        """Client credentials; a given secret is remembered (keyring when there is one)."""
        self._require(AuthMethod.SERVICE)
        value = secret or self._stored(SecretKind.CLIENT_SECRET)
        tokens = await self.ims.client_credentials(value)
        self._secret = value
        if secret:
            self.secrets.set(self.profile.name, SecretKind.CLIENT_SECRET, secret)
        self._signed_in(tokens, self.profile.service_client_id)

    async def use_api_key(self, key: str | None = None) -> None:
        """Use ``Authorization: ApiKey <key>`` (iTwin IoT REST and socket only, not sensor-data)."""
        self._require(AuthMethod.API_KEY)
        value = (key or "").strip() or self._stored(SecretKind.API_KEY)
        self._secret = value
        if key:
            self.secrets.set(self.profile.name, SecretKind.API_KEY, value)
        self._tokens = None
        self._account = "API key"
        self._set_status(AuthStatus.SIGNED_IN)

    async def restore(self) -> bool:
        """Silent sign-in from stored secrets; False when nothing usable is stored.

        A rejected refresh token or secret is forgotten and False is returned; an unreachable
        cloud raises CloudUnavailable (the stored secret is kept for the next try).
        """
        kind = _KIND[self.method]
        if self.secrets.get(self.profile.name, kind) is None:
            return False
        try:
            if self.method is AuthMethod.API_KEY:
                await self.use_api_key()
            elif self.method is AuthMethod.SERVICE:
                await self.sign_in_service()
            else:
                refresh = self._stored(SecretKind.REFRESH_TOKEN)
                tokens = await self.ims.refresh(refresh)
                self._signed_in(tokens, await self._user_account(tokens))
        except CloudAuthError:
            log.info("Stored %s for %r was refused; forgotten", _WHAT[kind], self.profile.name)
            self.secrets.delete(self.profile.name, kind)
            self._set_status(AuthStatus.SIGNED_OUT)
            return False
        return True

    async def authorization_header(self) -> str:
        """The header value for the next request, renewing the token shortly before expiry."""
        if self.method is AuthMethod.API_KEY:
            if self._secret is None or not self.signed_in:
                raise CloudAuthError("no API key entered", code="not_signed_in", status=0)
            return f"ApiKey {self._secret}"
        async with self._lock:
            tokens = self._tokens
            if tokens is None:
                raise CloudAuthError("not signed in", code="not_signed_in", status=0)
            if self._needs_renewal(tokens):
                tokens = await self._renew()
            return f"Bearer {tokens.access_token}"

    async def on_unauthorized(self, rejected_header: str | None = None) -> bool:
        """After a 401: one renewal attempt. True when a new header is worth one more try."""
        if self.method is AuthMethod.API_KEY:
            return False
        async with self._lock:
            current = self._tokens
            if current is None:
                return False
            if rejected_header is not None and rejected_header != f"Bearer {current.access_token}":
                return True  # another request renewed the token meanwhile
            try:
                await self._renew()
            except (CloudAuthError, SecretUnavailable):
                return False
            return True

    def sign_out(self, *, forget_secret: bool = False) -> None:
        """Forget tokens and the refresh token; ``forget_secret`` also drops a secret or API key."""
        self._tokens = None
        self.secrets.delete(self.profile.name, SecretKind.REFRESH_TOKEN)
        if forget_secret:
            self._secret = None
            self.secrets.delete(self.profile.name, SecretKind.CLIENT_SECRET)
            self.secrets.delete(self.profile.name, SecretKind.API_KEY)
        self._account = ""
        self._set_status(AuthStatus.SIGNED_OUT)

    def _needs_renewal(self, tokens: TokenSet) -> bool:
        # Short-lived tokens (tests, odd servers) renew at half life rather than on every call.
        margin = min(self._margin, tokens.lifetime_s / 2) if tokens.lifetime_s else self._margin
        return self._clock() >= tokens.expires_at - margin

    async def _renew(self) -> TokenSet:
        """New access token (lock held). On refusal the session is over: EXPIRED."""
        try:
            if self.method is AuthMethod.SERVICE:
                secret = self._secret or self._stored(SecretKind.CLIENT_SECRET)
                tokens = await self.ims.client_credentials(secret)
            else:
                current = self._tokens.refresh_token if self._tokens else None
                refresh = current or self._stored(SecretKind.REFRESH_TOKEN)
                tokens = await self.ims.refresh(refresh)
                if tokens.refresh_token:
                    self.secrets.set(
                        self.profile.name, SecretKind.REFRESH_TOKEN, tokens.refresh_token
                    )
        except CloudAuthError:
            self._tokens = None
            if self.method is AuthMethod.USER:
                self.secrets.delete(self.profile.name, SecretKind.REFRESH_TOKEN)
            self._set_status(AuthStatus.EXPIRED)
            raise
        self._tokens = tokens
        return tokens

    def _signed_in(self, tokens: TokenSet, account: str) -> None:
        self._tokens = tokens
        if tokens.refresh_token:
            self.secrets.set(self.profile.name, SecretKind.REFRESH_TOKEN, tokens.refresh_token)
        self._account = account
        self._set_status(AuthStatus.SIGNED_IN)

    async def _user_account(self, tokens: TokenSet) -> str:
        """ "Name <email>" from userinfo; a failure there must not fail the sign-in."""
        try:
            info = await self.ims.userinfo(tokens.access_token)
        except Exception as exc:
            log.info("userinfo unavailable: %s", type(exc).__name__)
            return "signed-in user"
        name, email = str(info.get("name", "")), str(info.get("email", ""))
        return f"{name} <{email}>" if name and email else (email or name or "signed-in user")

    def _stored(self, kind: SecretKind) -> str:
        value = self.secrets.get(self.profile.name, kind)
        if not value:
            raise SecretUnavailable(_WHAT[kind], self.profile.name)
        return value

    def _require(self, method: AuthMethod) -> None:
        if self.method is not method:
            raise CloudConfigError(
                f"Cloud profile {self.profile.name!r} signs in by {self.method.value}, "
                f"not {method.value}; change the profile's sign-in method first."
            )

    def _set_status(self, status: AuthStatus) -> None:
        if status is self._status:
            return
        self._status = status
        for listener in list(self._listeners):
            with contextlib.suppress(Exception):  # a broken view must not break sign-in
                listener(status)


_KIND = {
    AuthMethod.USER: SecretKind.REFRESH_TOKEN,
    AuthMethod.SERVICE: SecretKind.CLIENT_SECRET,
    AuthMethod.API_KEY: SecretKind.API_KEY,
}
