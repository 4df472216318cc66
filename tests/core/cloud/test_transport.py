"""CloudTransport maps every documented cloud answer to the right typed error or retry."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import replace
from typing import Any

import httpx
import keyring
import keyring.backends.fail
import pytest
from aiohttp import web

from commissioner.core.cloud.auth import CloudAuth
from commissioner.core.cloud.errors import (
    CloudAmbiguous,
    CloudAuthError,
    CloudConfigError,
    CloudForbidden,
    CloudHostNotAllowed,
    CloudMalformedResponse,
    CloudRateLimited,
    CloudRejected,
    CloudUnavailable,
    CloudValidationError,
)
from commissioner.core.cloud.ims import new_http_client
from commissioner.core.cloud.profiles import (
    PLATFORM_ACCEPT,
    SIM_API_KEY,
    SIM_SERVICE_CLIENT_SECRET,
    AuthMethod,
    CloudProfile,
    production_profile,
    simulator_profile,
)
from commissioner.core.cloud.secrets import SecretKind, SecretStore
from commissioner.core.cloud.transport import CloudTransport
from commissioner.sim.cloud.server import CloudSim

READ_ONLY_PROJECT = "00000000-0000-4000-8000-00000000beef"
NEW_NODE = {"integration": {"changeState": "new", "devices": []}}


@pytest.fixture(autouse=True)
def no_keyring() -> Iterator[None]:
    """The fail backend: these tests must never write to a real keyring."""
    previous: Any = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


class Sleeps:
    """Records requested sleeps instead of sleeping, so waits cost no test time."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self.hook: Callable[[], Awaitable[None]] | None = None

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        if self.hook is not None:
            await self.hook()
        await asyncio.sleep(0)


Factory = Callable[..., Awaitable[CloudTransport]]


@pytest.fixture
async def connect(cloud_sim: CloudSim) -> AsyncIterator[Factory]:
    """Builds a signed-in transport to ``cloud_sim`` and closes it after the test."""
    made: list[CloudTransport] = []

    async def factory(
        method: AuthMethod = AuthMethod.SERVICE, profile: CloudProfile | None = None, **kw: Any
    ) -> CloudTransport:
        profile = profile or simulator_profile(cloud_sim.url, auth_method=method)
        auth = CloudAuth(profile, secrets=SecretStore())
        if profile.auth_method is AuthMethod.SERVICE:
            await auth.sign_in_service(SIM_SERVICE_CLIENT_SECRET)
        elif profile.auth_method is AuthMethod.API_KEY:
            await auth.use_api_key(SIM_API_KEY)
        transport = CloudTransport(profile, auth, **kw)
        made.append(transport)
        return transport

    yield factory
    for transport in made:
        await transport.aclose()
        await transport.auth.aclose()


async def follow_in_test_browser(url: str) -> None:
    """Stands in for the system browser: follows the authorize redirect to the loopback receiver."""
    async with httpx.AsyncClient(trust_env=False, follow_redirects=True) as browser:
        await browser.get(url)


def api(sim: CloudSim, path: str) -> str:
    return f"{sim.url}/api{path}"


async def test_get_returns_parsed_json(cloud_sim: CloudSim, connect: Factory) -> None:
    """A plain GET carries Bearer and Accept: application/json and returns the JSON."""
    transport = await connect()
    data = await transport.request(
        "GET", api(cloud_sim, "/devices/types"), params={"excludeLegacy": "true"}
    )
    assert any(t["id"] == "IMPORT_DEVICE_SDE" for t in data["deviceTypes"])
    seen = cloud_sim.requests[-1]
    assert seen.headers["Authorization"] == "Bearer"
    assert seen.headers["Accept"] == "application/json"


async def test_api_key_header(cloud_sim: CloudSim, connect: Factory) -> None:
    """API key profiles send "Authorization: ApiKey ..." to the iTwin IoT API."""
    transport = await connect(AuthMethod.API_KEY)
    await transport.request("GET", api(cloud_sim, "/devices/types"))
    assert cloud_sim.requests[-1].headers["Authorization"] == "ApiKey"


async def test_api_key_refused_for_platform_urls(cloud_sim: CloudSim, connect: Factory) -> None:
    """The sensor-data API takes only Bearer: an API key never goes there."""
    transport = await connect(AuthMethod.API_KEY)
    before = len(cloud_sim.requests)
    with pytest.raises(CloudConfigError, match="Bearer"):
        await transport.request("GET", f"{cloud_sim.url}/sensor-data/devices/types")
    assert len(cloud_sim.requests) == before


async def test_platform_requests_carry_platform_accept(
    cloud_sim: CloudSim, connect: Factory
) -> None:
    """sensor-data requests ask for the versioned iTwin Platform media type."""
    transport = await connect()
    await transport.request("GET", f"{cloud_sim.url}/sensor-data/devices/types")
    assert cloud_sim.requests[-1].headers["Accept"] == PLATFORM_ACCEPT


async def test_credentials_never_go_to_another_host(cloud_sim: CloudSim, connect: Factory) -> None:
    """A URL on another loopback port is refused before any header is attached or sent."""
    transport = await connect()
    async with CloudSim() as other:
        with pytest.raises(CloudHostNotAllowed):
            await transport.request("GET", f"{other.url}/api/devices/types")
        assert other.requests == []


async def test_expired_token_is_refreshed_once_after_401(
    cloud_sim: CloudSim, connect: Factory
) -> None:
    """expire_tokens: the 401 triggers one renewal and the retried request succeeds."""
    transport = await connect()
    old = await transport.auth.authorization_header()
    cloud_sim.faults.expire_tokens = True
    data = await transport.request("GET", api(cloud_sim, "/devices/types"))
    assert "deviceTypes" in data
    assert await transport.auth.authorization_header() != old
    statuses = [r.path for r in cloud_sim.requests[-3:]]
    assert statuses == ["/api/devices/types", "/connect/token", "/api/devices/types"]


async def test_401_after_failed_refresh_parses_iiot_body(
    cloud_sim: CloudSim, connect: Factory
) -> None:
    """API keys cannot be renewed: a refused key is CloudAuthError with the iTwin IoT message."""
    profile = simulator_profile(cloud_sim.url, auth_method=AuthMethod.API_KEY)
    transport = await connect(profile=profile)
    await transport.auth.use_api_key("not-the-key")
    with pytest.raises(CloudAuthError) as info:
        await transport.request("GET", api(cloud_sim, "/devices/types"))
    assert info.value.status == 401
    assert "Invalid API key" in info.value.detail
    assert "not-the-key" not in str(info.value)


async def test_401_after_failed_refresh_parses_platform_body(
    cloud_sim: CloudSim, connect: Factory
) -> None:
    """Refresh refused after a 401 on sensor-data: CloudAuthError with the platform code."""
    transport = await connect(AuthMethod.USER)
    auth = transport.auth
    await auth.sign_in_user(follow_in_test_browser, timeout_s=10)
    stolen = auth.secrets.get(auth.profile.name, SecretKind.REFRESH_TOKEN)
    assert stolen
    await auth.ims.refresh(stolen)  # rotated elsewhere: our refresh token is dead
    cloud_sim.faults.expire_tokens = True
    with pytest.raises(CloudAuthError) as info:
        await transport.request("GET", f"{cloud_sim.url}/sensor-data/devices/types")
    assert info.value.code == "TokenExpired"
    assert "expired" in info.value.detail
    assert not auth.signed_in


async def test_403_is_forbidden_with_role_advice(cloud_sim: CloudSim, connect: Factory) -> None:
    """A project where the account lacks IoT Creator: CloudForbidden naming the project."""
    profile = replace(
        simulator_profile(cloud_sim.url, auth_method=AuthMethod.SERVICE),
        project_id=READ_ONLY_PROJECT,
    )
    transport = await connect(profile=profile)
    with pytest.raises(CloudForbidden) as info:
        await transport.request(
            "POST",
            api(cloud_sim, "/integrations/integrate"),
            params={"projectIds": READ_ONLY_PROJECT},
            json=NEW_NODE,
        )
    assert info.value.project_id == READ_ONLY_PROJECT
    assert "IoT Creator" in str(info.value)


async def test_422_names_the_fields(cloud_sim: CloudSim, connect: Factory) -> None:
    """Validation problems keep the cloud's target paths (error.target and details[])."""
    transport = await connect()
    body = {
        "integration": {
            "changeState": "new",
            "devices": [
                {
                    "changeState": "new",
                    "refId": "d",
                    "props": {"INTEGRATION_ID": "IMPORT_DEVICE_SDE"},
                    "sensors": [{"changeState": "new", "refId": "s", "props": {"NAME": "x"}}],
                }
            ],
        }
    }
    with pytest.raises(CloudValidationError) as info:
        await transport.request(
            "POST",
            api(cloud_sim, "/integrations/integrate"),
            params={"projectIds": transport.profile.project_id},
            json=body,
        )
    assert info.value.status == 422
    targets = [p.target for p in info.value.problems]
    assert "integration.devices[0].sensors[0].props.INTEGRATION_ID" in targets
    assert any(p.code == "InvalidProcessIntegrationRequest" for p in info.value.problems)


async def test_400_errors_list_uses_paths(cloud_sim: CloudSim, connect: Factory) -> None:
    """The iTwin IoT {"errors":[{message, path}]} shape becomes FieldProblems."""
    transport = await connect()
    with pytest.raises(CloudValidationError) as info:
        await transport.request("POST", api(cloud_sim, "/data/upload"), json={"observations": []})
    assert info.value.status == 400
    assert info.value.problems[0].target == "observations"
    assert info.value.problems[0].message == "must not be empty"


async def test_other_4xx_is_rejected(cloud_sim: CloudSim, connect: Factory) -> None:
    """404 NodeNotFound: CloudRejected with the status and the cloud's message."""
    transport = await connect()
    with pytest.raises(CloudRejected) as info:
        await transport.request(
            "POST", api(cloud_sim, "/integrations//api/FFFFFF/node"), idempotent=True
        )
    assert info.value.status == 404


async def test_429_waits_with_countdown_then_succeeds(
    cloud_sim: CloudSim, connect: Factory
) -> None:
    """Retry-After 3 s twice: on_wait counts 3, 2, 1 each time, then the request succeeds."""
    sleeps = Sleeps()
    waits: list[tuple[float, str]] = []
    transport = await connect(sleep=sleeps, on_wait=lambda s, r: waits.append((s, r)))
    cloud_sim.faults.retry_after_s = 3
    cloud_sim.faults.rate_limit = 2
    data = await transport.request("GET", api(cloud_sim, "/metrics/types"))
    assert data["metrics"]
    assert [s for s, _ in waits] == [3, 2, 1, 3, 2, 1]
    assert "rate limit" in waits[0][1]
    assert sleeps.calls == [1.0] * 6


async def test_429_too_often_is_rate_limited(cloud_sim: CloudSim, connect: Factory) -> None:
    """After three waits the fourth 429 is reported with its Retry-After."""
    transport = await connect(sleep=Sleeps())
    cloud_sim.faults.retry_after_s = 7
    cloud_sim.faults.rate_limit = 10
    with pytest.raises(CloudRateLimited) as info:
        await transport.request("GET", api(cloud_sim, "/metrics/types"))
    assert info.value.retry_after_s == 7


async def test_429_really_waits_one_second(cloud_sim: CloudSim, connect: Factory) -> None:
    """With the real asyncio.sleep, a 1 s Retry-After is waited out and the POST then succeeds."""
    waits: list[float] = []
    transport = await connect(on_wait=lambda s, r: waits.append(s))
    cloud_sim.faults.retry_after_s = 1
    cloud_sim.faults.rate_limit = 1
    data = await transport.request(
        "POST",
        api(cloud_sim, "/integrations/integrate"),
        params={"projectIds": transport.profile.project_id},
        json=NEW_NODE,
    )
    assert data["integration"]["node"]["id"].startswith("/api/")
    assert waits == [1]
    assert cloud_sim.counts()["nodes"] == 1


async def test_5xx_get_is_retried_with_backoff(cloud_sim: CloudSim, connect: Factory) -> None:
    """Two 503s on a read: backoff 0.5 s then 1 s, then the answer."""
    sleeps = Sleeps()
    transport = await connect(sleep=sleeps)
    cloud_sim.faults.server_errors = 2
    data = await transport.request("GET", api(cloud_sim, "/sensors/types"))
    assert data
    assert sleeps.calls == [0.5, 1.0]


async def test_5xx_get_gives_up_as_unavailable(cloud_sim: CloudSim, connect: Factory) -> None:
    """A read that keeps failing ends as CloudUnavailable (not ambiguous) with the status."""
    transport = await connect(sleep=Sleeps())
    cloud_sim.faults.server_errors = 10
    with pytest.raises(CloudUnavailable) as info:
        await transport.request("GET", api(cloud_sim, "/sensors/types"))
    assert not isinstance(info.value, CloudAmbiguous)
    assert info.value.status == 503


async def test_5xx_on_integrate_is_ambiguous_without_retry(
    cloud_sim: CloudSim, connect: Factory
) -> None:
    """A write that got 503 may have been processed: CloudAmbiguous, sent exactly once."""
    sleeps = Sleeps()
    transport = await connect(sleep=sleeps)
    cloud_sim.faults.server_errors = 1
    before = len(cloud_sim.requests)
    with pytest.raises(CloudAmbiguous) as info:
        await transport.request(
            "POST",
            api(cloud_sim, "/integrations/integrate"),
            params={"projectIds": transport.profile.project_id},
            json=NEW_NODE,
        )
    assert info.value.status == 503
    assert len(cloud_sim.requests) == before + 1
    assert sleeps.calls == []


async def test_late_answer_to_integrate_is_ambiguous(cloud_sim: CloudSim, connect: Factory) -> None:
    """delay_after_accept_s longer than the timeout: processed, but the client cannot know."""
    transport = await connect(timeout_s=0.3, sleep=Sleeps())
    cloud_sim.faults.delay_after_accept_s = 2.0
    with pytest.raises(CloudAmbiguous):
        await transport.request(
            "POST",
            api(cloud_sim, "/integrations/integrate"),
            params={"projectIds": transport.profile.project_id},
            json=NEW_NODE,
        )
    assert cloud_sim.counts()["nodes"] == 1  # it was stored


async def test_unreachable_write_is_retried_because_never_sent(
    cloud_sim: CloudSim, connect: Factory
) -> None:
    """Connection refused means nothing was sent, so even a POST is retried when it comes back."""
    sleeps = Sleeps()
    transport = await connect(sleep=sleeps)
    await cloud_sim.go_offline()

    async def come_back() -> None:
        if len(sleeps.calls) == 2:
            await cloud_sim.come_back()

    sleeps.hook = come_back
    data = await transport.request(
        "POST",
        api(cloud_sim, "/integrations/integrate"),
        params={"projectIds": transport.profile.project_id},
        json=NEW_NODE,
    )
    assert data["integration"]["node"]["id"]
    assert sleeps.calls == [0.5, 1.0]
    assert cloud_sim.counts()["nodes"] == 1


async def test_unreachable_after_retries(cloud_sim: CloudSim, connect: Factory) -> None:
    """Offline for good: CloudUnavailable (not ambiguous) after the backoff steps."""
    sleeps = Sleeps()
    transport = await connect(sleep=sleeps)
    await cloud_sim.go_offline()
    with pytest.raises(CloudUnavailable) as info:
        await transport.request("GET", api(cloud_sim, "/sensors/types"))
    assert not isinstance(info.value, CloudAmbiguous)
    assert sleeps.calls == [0.5, 1.0, 1.0, 1.0]  # backoff 0.5, 1, 2 s in steps of <= 1 s


@pytest.fixture
async def odd_server() -> AsyncIterator[str]:
    """A loopback server answering 200 with HTML, as a captive portal or a proxy page would."""

    async def html(request: web.Request) -> web.Response:
        return web.Response(
            text="<html>Sign in to the hotel Wi-Fi</html>", content_type="text/html"
        )

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", html)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def test_2xx_that_is_not_json_is_malformed(
    cloud_sim: CloudSim, odd_server: str, connect: Factory
) -> None:
    """200 with an HTML page is CloudMalformedResponse, not a crash."""
    profile = replace(
        simulator_profile(cloud_sim.url, auth_method=AuthMethod.SERVICE),
        iiot_api_url=f"{odd_server}/api",
    )
    transport = await connect(profile=profile)
    with pytest.raises(CloudMalformedResponse) as info:
        await transport.request("GET", f"{odd_server}/api/devices/types")
    assert "hotel" in info.value.body


async def test_trust_env_only_off_for_loopback() -> None:
    """Environment proxies are ignored for the simulator but honoured for the real cloud."""
    sim = new_http_client(simulator_profile("http://127.0.0.1:9"), 5)
    real = new_http_client(production_profile(), 5)
    try:
        assert sim.trust_env is False
        assert real.trust_env is True
    finally:
        await sim.aclose()
        await real.aclose()


async def test_concurrent_401s_refresh_the_user_token_once(
    cloud_sim: CloudSim, connect: Factory
) -> None:
    """Three requests hit 401 together: one refresh (rotation would break a second), all succeed."""
    transport = await connect(AuthMethod.USER)
    await transport.auth.sign_in_user(follow_in_test_browser, timeout_s=10)
    cloud_sim.faults.expire_tokens = True
    url = api(cloud_sim, "/devices/types")
    results = await asyncio.gather(*(transport.request("GET", url) for _ in range(3)))
    assert all("deviceTypes" in r for r in results)
    grants = [r.body["grant_type"] for r in cloud_sim.requests if r.path == "/connect/token"]
    assert grants == ["authorization_code", "refresh_token"]
    assert transport.auth.signed_in
