"""CloudAuth signs in every documented way against the simulated IMS and keeps secrets safe."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import keyring
import keyring.backends.fail
import pytest

from commissioner.core.cloud.auth import AuthStatus, CloudAuth
from commissioner.core.cloud.errors import CloudAuthError, CloudConfigError, SecretUnavailable
from commissioner.core.cloud.profiles import (
    SIM_API_KEY,
    SIM_SERVICE_CLIENT_ID,
    SIM_SERVICE_CLIENT_SECRET,
    AuthMethod,
    simulator_profile,
)
from commissioner.core.cloud.secrets import DEFAULT_SERVICE, SecretKind, SecretStore


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """The fail backend, as on a machine without a usable keyring."""
    previous: Any = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


class FakeClock:
    """A monotonic clock the test moves, so "an hour later" takes no time."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def follow_in_test_browser(url: str) -> None:
    """Stands in for the system browser: follows the authorize redirect to the loopback receiver."""
    async with httpx.AsyncClient(trust_env=False, follow_redirects=True) as browser:
        page = await browser.get(url)
    assert page.status_code in (200, 400)


@pytest.fixture
async def auths(cloud_sim: Any) -> AsyncIterator[list[CloudAuth]]:
    """Collects CloudAuth objects made by a test and closes them afterwards."""
    made: list[CloudAuth] = []
    yield made
    for auth in made:
        await auth.aclose()


def new_auth(sim: Any, made: list[CloudAuth], method: AuthMethod, **kw: Any) -> CloudAuth:
    auth = CloudAuth(simulator_profile(sim.url, auth_method=method), secrets=SecretStore(), **kw)
    made.append(auth)
    return auth


async def test_service_sign_in_stores_secret_in_keyring(
    cloud_sim: Any, memory_keyring: Any, auths: list[CloudAuth]
) -> None:
    """Client credentials give a Bearer token; the secret goes to the keyring, not elsewhere."""
    auth = new_auth(cloud_sim, auths, AuthMethod.SERVICE)
    seen: list[AuthStatus] = []
    auth.add_listener(seen.append)
    await auth.sign_in_service(SIM_SERVICE_CLIENT_SECRET)
    assert auth.signed_in and seen == [AuthStatus.SIGNED_IN]
    assert auth.account == SIM_SERVICE_CLIENT_ID
    assert (await auth.authorization_header()).startswith("Bearer ")
    key = (DEFAULT_SERVICE, "Simulator:client_secret")
    assert memory_keyring.passwords[key] == SIM_SERVICE_CLIENT_SECRET
    assert SIM_SERVICE_CLIENT_SECRET not in repr(auth)
    token_request = next(r for r in cloud_sim.requests if r.path == "/connect/token")
    assert token_request.body["grant_type"] == "client_credentials"


async def test_wrong_secret_is_refused_and_not_stored(
    cloud_sim: Any, memory_keyring: Any, auths: list[CloudAuth]
) -> None:
    """invalid_client becomes CloudAuthError, whose message does not contain the secret."""
    auth = new_auth(cloud_sim, auths, AuthMethod.SERVICE)
    with pytest.raises(CloudAuthError) as info:
        await auth.sign_in_service("wrong-secret-value")
    assert info.value.code == "invalid_client"
    assert "wrong-secret-value" not in str(info.value)
    assert not auth.signed_in
    assert memory_keyring.passwords == {}


async def test_without_keyring_a_missing_secret_is_asked_for(
    cloud_sim: Any, no_keyring: None, auths: list[CloudAuth]
) -> None:
    """No keyring: secrets live in memory; a new session has none and raises SecretUnavailable."""
    auth = new_auth(cloud_sim, auths, AuthMethod.SERVICE)
    with pytest.raises(SecretUnavailable):
        await auth.sign_in_service()
    await auth.sign_in_service(SIM_SERVICE_CLIENT_SECRET)
    await auth.sign_in_service()  # same session: remembered in memory
    assert auth.signed_in
    later = new_auth(cloud_sim, auths, AuthMethod.SERVICE)
    assert await later.restore() is False
    with pytest.raises(SecretUnavailable):
        await later.sign_in_service()


async def test_user_sign_in_with_pkce(
    cloud_sim: Any, memory_keyring: Any, auths: list[CloudAuth]
) -> None:
    """Browser sign-in: S256 challenge, code exchange, refresh token kept, account from userinfo."""
    auth = new_auth(cloud_sim, auths, AuthMethod.USER)
    await auth.sign_in_user(follow_in_test_browser, timeout_s=10)
    assert auth.signed_in
    assert "installer@example.com" in auth.account
    authorize = next(r for r in cloud_sim.requests if r.path == "/connect/authorize")
    assert authorize.query["code_challenge_method"] == "S256"
    assert authorize.query["redirect_uri"].startswith("http://localhost:")
    assert authorize.query["redirect_uri"].endswith("/signin-callback")
    grants = [r.body["grant_type"] for r in cloud_sim.requests if r.path == "/connect/token"]
    assert grants == ["authorization_code"]
    assert memory_keyring.passwords[(DEFAULT_SERVICE, "Simulator:refresh_token")]


async def test_sync_opener_is_accepted(
    cloud_sim: Any, no_keyring: None, auths: list[CloudAuth]
) -> None:
    """A plain callable (like webbrowser.open) works: the sign-in waits for the callback."""
    import asyncio

    tasks: list[asyncio.Task[None]] = []

    def opener(url: str) -> None:
        tasks.append(asyncio.get_running_loop().create_task(follow_in_test_browser(url)))

    auth = new_auth(cloud_sim, auths, AuthMethod.USER)
    await auth.sign_in_user(opener, timeout_s=10)
    await asyncio.gather(*tasks)
    assert auth.signed_in


async def test_refused_consent_is_an_auth_error(
    cloud_sim: Any, no_keyring: None, auths: list[CloudAuth]
) -> None:
    """access_denied from the authorize page ends the sign-in with CloudAuthError."""
    cloud_sim.faults.deny_consent = True
    auth = new_auth(cloud_sim, auths, AuthMethod.USER)
    with pytest.raises(CloudAuthError) as info:
        await auth.sign_in_user(follow_in_test_browser, timeout_s=10)
    assert info.value.code == "access_denied"
    assert auth.status is AuthStatus.SIGNED_OUT


async def test_token_is_refreshed_before_expiry_with_rotation(
    cloud_sim: Any, memory_keyring: Any, auths: list[CloudAuth]
) -> None:
    """~60 s before expiry a refresh happens; the rotated refresh token replaces the old one."""
    clock = FakeClock()
    auth = new_auth(cloud_sim, auths, AuthMethod.USER, clock=clock)
    await auth.sign_in_user(follow_in_test_browser, timeout_s=10)
    first = await auth.authorization_header()
    old_refresh = memory_keyring.passwords[(DEFAULT_SERVICE, "Simulator:refresh_token")]
    clock.now += 3600 - 120  # still 2 minutes left: no refresh
    assert await auth.authorization_header() == first
    clock.now += 90  # 30 s left: refresh
    second = await auth.authorization_header()
    assert second != first and second.startswith("Bearer ")
    new_refresh = memory_keyring.passwords[(DEFAULT_SERVICE, "Simulator:refresh_token")]
    assert new_refresh != old_refresh
    with pytest.raises(CloudAuthError) as info:
        await auth.ims.refresh(old_refresh)  # the old one was rotated out
    assert info.value.code == "invalid_grant"


async def test_failed_refresh_ends_the_session(
    cloud_sim: Any, memory_keyring: Any, auths: list[CloudAuth]
) -> None:
    """A refused refresh token: CloudAuthError, status EXPIRED, refresh token forgotten."""
    clock = FakeClock()
    auth = new_auth(cloud_sim, auths, AuthMethod.USER, clock=clock)
    await auth.sign_in_user(follow_in_test_browser, timeout_s=10)
    stolen = memory_keyring.passwords[(DEFAULT_SERVICE, "Simulator:refresh_token")]
    await auth.ims.refresh(stolen)  # someone else rotates it: ours is now invalid
    clock.now += 3600
    with pytest.raises(CloudAuthError):
        await auth.authorization_header()
    assert auth.status is AuthStatus.EXPIRED
    assert (DEFAULT_SERVICE, "Simulator:refresh_token") not in memory_keyring.passwords


async def test_restore_signs_in_silently_from_keyring(
    cloud_sim: Any, memory_keyring: Any, auths: list[CloudAuth]
) -> None:
    """A new session (new objects) signs in from the stored refresh token, secret or key."""
    user = new_auth(cloud_sim, auths, AuthMethod.USER)
    await user.sign_in_user(follow_in_test_browser, timeout_s=10)
    service = new_auth(cloud_sim, auths, AuthMethod.SERVICE)
    await service.sign_in_service(SIM_SERVICE_CLIENT_SECRET)

    user_again = new_auth(cloud_sim, auths, AuthMethod.USER)
    assert await user_again.restore() is True
    assert "installer@example.com" in user_again.account
    service_again = new_auth(cloud_sim, auths, AuthMethod.SERVICE)
    assert await service_again.restore() is True
    key = new_auth(cloud_sim, auths, AuthMethod.API_KEY)
    assert await key.restore() is False  # nothing stored yet
    await key.use_api_key(SIM_API_KEY)
    key_again = new_auth(cloud_sim, auths, AuthMethod.API_KEY)
    assert await key_again.restore() is True
    assert await key_again.authorization_header() == f"ApiKey {SIM_API_KEY}"


async def test_restore_forgets_a_refused_refresh_token(
    cloud_sim: Any, memory_keyring: Any, auths: list[CloudAuth]
) -> None:
    """A stale refresh token in the keyring: restore() is False and the token is deleted."""
    SecretStore().set("Simulator", SecretKind.REFRESH_TOKEN, "not-a-valid-refresh-token")
    auth = new_auth(cloud_sim, auths, AuthMethod.USER)
    assert await auth.restore() is False
    assert memory_keyring.passwords == {}


async def test_sign_out_forgets_tokens(
    cloud_sim: Any, memory_keyring: Any, auths: list[CloudAuth]
) -> None:
    """After sign-out there is no header and no refresh token in the keyring."""
    auth = new_auth(cloud_sim, auths, AuthMethod.USER)
    await auth.sign_in_user(follow_in_test_browser, timeout_s=10)
    auth.sign_out()
    assert not auth.signed_in
    assert memory_keyring.passwords == {}
    with pytest.raises(CloudAuthError):
        await auth.authorization_header()


async def test_method_mismatch_is_a_config_error(
    cloud_sim: Any, no_keyring: None, auths: list[CloudAuth]
) -> None:
    """A profile set up for API keys cannot run the browser sign-in by accident."""
    auth = new_auth(cloud_sim, auths, AuthMethod.API_KEY)
    with pytest.raises(CloudConfigError):
        await auth.sign_in_user(follow_in_test_browser)
    with pytest.raises(SecretUnavailable):
        await auth.use_api_key()


async def test_no_secret_reaches_logs_or_reprs(
    cloud_sim: Any, memory_keyring: Any, auths: list[CloudAuth], caplog: pytest.LogCaptureFixture
) -> None:
    """Debug logs of the app and its HTTP client never contain a token, secret or API key."""
    caplog.set_level(logging.DEBUG)
    service = new_auth(cloud_sim, auths, AuthMethod.SERVICE)
    await service.sign_in_service(SIM_SERVICE_CLIENT_SECRET)
    user = new_auth(cloud_sim, auths, AuthMethod.USER)
    await user.sign_in_user(follow_in_test_browser, timeout_s=10)
    key = new_auth(cloud_sim, auths, AuthMethod.API_KEY)
    await key.use_api_key(SIM_API_KEY)
    secrets = [
        SIM_SERVICE_CLIENT_SECRET,
        SIM_API_KEY,
        (await service.authorization_header()).split()[1],
        (await user.authorization_header()).split()[1],
        memory_keyring.passwords[(DEFAULT_SERVICE, "Simulator:refresh_token")],
    ]
    app_records = [
        r.getMessage()
        for r in caplog.records
        if not r.name.startswith(("commissioner.sim", "aiohttp"))
    ]
    reprs = [repr(service), repr(user), repr(key), repr(user._tokens), repr(user.secrets)]
    for text in app_records + reprs:
        for secret in secrets:
            assert secret not in text
