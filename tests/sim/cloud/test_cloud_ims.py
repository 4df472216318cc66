"""The simulated IMS: every grant, PKCE checks, refresh rotation, consent and userinfo."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from commissioner.core.cloud.profiles import (
    SENSOR_DATA_SCOPES,
    SIM_NATIVE_CLIENT_ID,
    SIM_SERVICE_CLIENT_ID,
    SIM_SERVICE_CLIENT_SECRET,
)
from commissioner.sim.cloud import CloudSim
from tests.sim.cloud.conftest import REDIRECT, VERIFIER, authorize_code, challenge, service_token


async def _exchange(http: httpx.AsyncClient, code: str, verifier: str = VERIFIER) -> httpx.Response:
    return await http.post(
        "/connect/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
            "client_id": SIM_NATIVE_CLIENT_ID,
        },
    )


async def test_client_credentials_issues_a_bearer_token(http: httpx.AsyncClient) -> None:
    token = await service_token(http)
    info = await http.get("/connect/userinfo", headers={"Authorization": f"Bearer {token}"})
    assert info.status_code == 200
    assert info.json()["sub"] == SIM_SERVICE_CLIENT_ID


async def test_client_credentials_with_a_wrong_secret_is_invalid_client(
    http: httpx.AsyncClient,
) -> None:
    response = await http.post(
        "/connect/token",
        data={
            "grant_type": "client_credentials",
            "client_id": SIM_SERVICE_CLIENT_ID,
            "client_secret": "wrong",
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client"


async def test_unknown_scope_and_grant_are_refused(http: httpx.AsyncClient) -> None:
    scoped = await http.post(
        "/connect/token",
        data={
            "grant_type": "client_credentials",
            "client_id": SIM_SERVICE_CLIENT_ID,
            "client_secret": SIM_SERVICE_CLIENT_SECRET,
            "scope": "admin:everything",
        },
    )
    assert scoped.json()["error"] == "invalid_scope"
    grant = await http.post("/connect/token", data={"grant_type": "password"})
    assert grant.json()["error"] == "unsupported_grant_type"
    missing = await http.post("/connect/token", data={})
    assert missing.json()["error"] == "invalid_request"


async def test_pkce_flow_gives_access_and_refresh_tokens_of_the_demo_user(
    http: httpx.AsyncClient,
) -> None:
    code = await authorize_code(http)
    response = await _exchange(http, code)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["refresh_token"]
    info = await http.get(
        "/connect/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert info.json() == {
        "sub": "demo-installer",
        "email": "installer@example.com",
        "name": "Demo Installer",
    }


async def test_pkce_with_a_wrong_verifier_is_invalid_grant(http: httpx.AsyncClient) -> None:
    code = await authorize_code(http)
    response = await _exchange(http, code, verifier="x" * 50)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


async def test_a_code_works_only_once(http: httpx.AsyncClient) -> None:
    code = await authorize_code(http)
    assert (await _exchange(http, code)).status_code == 200
    again = await _exchange(http, code)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


async def test_refresh_rotates_the_refresh_token(http: httpx.AsyncClient) -> None:
    first = (await _exchange(http, await authorize_code(http))).json()
    data = {"grant_type": "refresh_token", "client_id": SIM_NATIVE_CLIENT_ID}
    second = await http.post(
        "/connect/token", data={**data, "refresh_token": first["refresh_token"]}
    )
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    assert second.json()["access_token"] != first["access_token"]
    reused = await http.post(
        "/connect/token", data={**data, "refresh_token": first["refresh_token"]}
    )
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"


async def test_authorize_rejects_a_non_loopback_redirect_with_a_page(
    http: httpx.AsyncClient,
) -> None:
    response = await http.get(
        "/connect/authorize",
        params={
            "response_type": "code",
            "client_id": SIM_NATIVE_CLIENT_ID,
            "redirect_uri": "https://example.com/signin-callback",
            "state": "s",
            "code_challenge": challenge(VERIFIER),
            "code_challenge_method": "S256",
        },
    )
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/html")
    assert "redirect_uri" in response.text


async def test_authorize_requires_s256(http: httpx.AsyncClient) -> None:
    response = await http.get(
        "/connect/authorize",
        params={
            "response_type": "code",
            "client_id": SIM_NATIVE_CLIENT_ID,
            "redirect_uri": REDIRECT,
            "scope": " ".join(SENSOR_DATA_SCOPES),
            "code_challenge": VERIFIER,
            "code_challenge_method": "plain",
        },
    )
    assert response.status_code == 400
    assert "S256" in response.text


async def test_denied_consent_redirects_with_access_denied(
    cloud: CloudSim, http: httpx.AsyncClient
) -> None:
    cloud.faults.deny_consent = True
    response = await http.get(
        "/connect/authorize",
        params={
            "response_type": "code",
            "client_id": SIM_NATIVE_CLIENT_ID,
            "redirect_uri": REDIRECT,
            "state": "abc",
            "code_challenge": challenge(VERIFIER),
            "code_challenge_method": "S256",
        },
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(REDIRECT)
    assert parse_qs(urlsplit(location).query) == {"error": ["access_denied"], "state": ["abc"]}


async def test_userinfo_needs_a_valid_token(http: httpx.AsyncClient) -> None:
    response = await http.get("/connect/userinfo", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


async def test_token_lifetime_is_configurable() -> None:
    async with (
        CloudSim(seed=3, token_lifetime_s=120) as sim,
        httpx.AsyncClient(base_url=sim.url, trust_env=False) as http,
    ):
        response = await http.post(
            "/connect/token",
            data={
                "grant_type": "client_credentials",
                "client_id": SIM_SERVICE_CLIENT_ID,
                "client_secret": SIM_SERVICE_CLIENT_SECRET,
            },
        )
        assert response.json()["expires_in"] == 120
