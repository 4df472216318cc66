"""Authorization on /api and /sensor-data (both 401 shapes), 403, and the fault knobs."""

from __future__ import annotations

import json

import httpx

from commissioner.core.cloud.profiles import SIM_API_KEY, SIM_NATIVE_CLIENT_ID
from commissioner.sim.cloud import READ_ONLY_PROJECT_ID, CloudSim
from tests.sim.cloud.conftest import (
    PROJECT,
    REDIRECT,
    VERIFIER,
    authorize_code,
    service_token,
    simple_request,
)

FORBIDDEN = {
    "error": {
        "code": "InsufficientPermissions",
        "message": "The user has insufficient permissions for the requested operation.",
    }
}


async def test_missing_header_on_api_uses_the_iiot_shape(http: httpx.AsyncClient) -> None:
    response = await http.get("/api/nodes/all", params=PROJECT)
    assert response.status_code == 401
    assert response.json() == {
        "errors": [{"message": "Authorization header is missing", "path": "Authorization"}]
    }


async def test_missing_header_on_sensor_data_uses_the_platform_shape(
    http: httpx.AsyncClient,
) -> None:
    response = await http.post(
        "/sensor-data/integrations/integrate", params=PROJECT, json=simple_request()
    )
    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "HeaderNotFound",
            "message": "Header Authorization was not found in the request. Access denied.",
        }
    }


async def test_expired_tokens_answer_401_in_both_shapes_and_refresh_still_works(
    cloud: CloudSim, http: httpx.AsyncClient
) -> None:
    code = await authorize_code(http)
    tokens = (
        await http.post(
            "/connect/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT,
                "code_verifier": VERIFIER,
                "client_id": SIM_NATIVE_CLIENT_ID,
            },
        )
    ).json()
    old = {"Authorization": f"Bearer {tokens['access_token']}"}
    cloud.faults.expire_tokens = True
    iiot = await http.get("/api/nodes/all", params=PROJECT, headers=old)
    assert iiot.status_code == 401
    [error] = iiot.json()["errors"]
    assert error["path"] == "Authorization"
    assert error["message"].startswith("Token has expired on ")
    platform = await http.get("/sensor-data/nodes/all", params=PROJECT, headers=old)
    assert platform.status_code == 401
    assert platform.json()["error"]["code"] == "TokenExpired"
    refreshed = await http.post(
        "/connect/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": SIM_NATIVE_CLIENT_ID,
        },
    )
    new = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}
    assert (await http.get("/api/nodes/all", params=PROJECT, headers=new)).status_code == 200


async def test_unknown_token_is_invalid(http: httpx.AsyncClient) -> None:
    bad = {"Authorization": "Bearer not-a-token"}
    response = await http.get("/sensor-data/nodes/all", params=PROJECT, headers=bad)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "InvalidToken"


async def test_api_key_works_on_api_but_not_on_sensor_data(http: httpx.AsyncClient) -> None:
    key = {"Authorization": f"ApiKey {SIM_API_KEY}"}
    assert (await http.get("/api/nodes/all", params=PROJECT, headers=key)).status_code == 200
    platform = await http.get("/sensor-data/nodes/all", params=PROJECT, headers=key)
    assert platform.status_code == 401


async def test_missing_role_is_403_on_both_paths(
    cloud: CloudSim, http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    cloud.faults.missing_role = True
    for path in ("/api/integrations/integrate", "/sensor-data/integrations/integrate"):
        response = await http.post(path, params=PROJECT, headers=headers, json=simple_request())
        assert response.status_code == 403
        assert response.json() == FORBIDDEN
    assert cloud.counts()["nodes"] == 0


async def test_read_only_and_unknown_projects_are_403(
    http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    read_only = {"projectIds": READ_ONLY_PROJECT_ID}
    write = await http.post(
        "/api/integrations/integrate", params=read_only, headers=headers, json=simple_request()
    )
    assert write.status_code == 403
    assert (await http.get("/api/nodes/all", params=read_only, headers=headers)).json() == []
    unknown = {"iTwinId": "11111111-2222-4333-8444-555555555555"}
    response = await http.get("/api/nodes/all", params=unknown, headers=headers)
    assert response.status_code == 403
    assert response.json() == FORBIDDEN


async def test_rate_limit_answers_429_with_retry_after_then_recovers(
    cloud: CloudSim, http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    cloud.faults.rate_limit = 2
    cloud.faults.retry_after_s = 7
    for _ in range(2):
        response = await http.get("/api/devices/types", headers=headers)
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "7"
        assert response.json() == {
            "error": {
                "code": "TooManyRequests",
                "message": "More requests were received than the subscription rate-limit allows.",
            }
        }
    assert (await http.get("/api/devices/types", headers=headers)).status_code == 200


async def test_server_errors_answer_503_then_recover(
    cloud: CloudSim, http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    cloud.faults.server_errors = 1
    response = await http.post(
        "/api/integrations/integrate", params=PROJECT, headers=headers, json=simple_request()
    )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "ServiceUnavailable"
    assert cloud.counts()["nodes"] == 0
    assert (await http.get("/api/devices/types", headers=headers)).status_code == 200


async def test_delay_after_accept_stores_even_when_the_client_gave_up(
    cloud: CloudSim, http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    cloud.faults.delay_after_accept_s = 1.0
    async with httpx.AsyncClient(base_url=cloud.url, trust_env=False, timeout=0.2) as hasty:
        try:
            await hasty.post(
                "/api/integrations/integrate",
                params=PROJECT,
                headers=headers,
                json=simple_request(),
            )
        except httpx.ReadTimeout:
            pass
        else:
            raise AssertionError("the answer should have been too late")
    nodes = await http.get("/api/nodes/all", params=PROJECT, headers=headers)
    assert len(nodes.json()) == 1
    assert cloud.faults.delay_after_accept_s == 0.0  # one request only


async def test_control_endpoints_show_state_and_set_faults(
    cloud: CloudSim, http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await http.put("/_sim/cloud/faults", json={"rate_limit": 1, "retry_after_s": 3})
    assert response.status_code == 200
    assert response.json()["rate_limit"] == 1
    assert cloud.faults.retry_after_s == 3
    assert (await http.get("/api/devices/types", headers=headers)).status_code == 429
    bad = await http.put("/_sim/cloud/faults", json={"rate_limit": "lots"})
    assert bad.status_code == 400
    state = (await http.get("/_sim/cloud/state")).json()
    assert state == {"nodes": 0, "devices": 0, "sensors": 0, "observations": 0, "requests": 2}
    # the token request and the rate-limited one; control calls are not recorded


async def test_recorded_requests_hide_credentials(cloud: CloudSim, http: httpx.AsyncClient) -> None:
    token = await service_token(http)
    await http.get("/api/devices/types", headers={"Authorization": f"Bearer {token}"})
    token_request, types_request = cloud.requests
    assert token_request.body["client_secret"] == "***"
    assert types_request.headers["Authorization"] == "Bearer"
    assert token not in json.dumps([r.headers for r in cloud.requests])


async def test_go_offline_and_come_back_keep_state_and_port(
    cloud: CloudSim, headers: dict[str, str]
) -> None:
    url = cloud.url
    async with httpx.AsyncClient(base_url=url, trust_env=False, timeout=2.0) as http:
        await http.post(
            "/api/integrations/integrate", params=PROJECT, headers=headers, json=simple_request()
        )
    await cloud.go_offline()
    async with httpx.AsyncClient(base_url=url, trust_env=False, timeout=2.0) as http:
        try:
            await http.get("/api/nodes/all", params=PROJECT, headers=headers)
        except httpx.ConnectError:
            pass
        else:
            raise AssertionError("the simulator should be offline")
    await cloud.come_back()
    assert cloud.url == url
    async with httpx.AsyncClient(base_url=url, trust_env=False, timeout=2.0) as http:
        nodes = await http.get("/api/nodes/all", params=PROJECT, headers=headers)
    assert nodes.status_code == 200
    assert len(nodes.json()) == 1
