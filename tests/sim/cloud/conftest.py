"""Fixtures for the cloud simulator tests: a started CloudSim on loopback and clients for it."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from commissioner.core.cloud.profiles import (
    SENSOR_DATA_SCOPES,
    SIM_NATIVE_CLIENT_ID,
    SIM_PROJECT_ID,
    SIM_SERVICE_CLIENT_ID,
    SIM_SERVICE_CLIENT_SECRET,
)
from commissioner.sim.cloud import CloudSim

PROJECT = {"projectIds": SIM_PROJECT_ID}
REDIRECT = "http://127.0.0.1:50123/signin-callback"
VERIFIER = "v" * 20 + "erifier-for-the-simulated-pkce-flow-0123456789"


def challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@pytest.fixture
async def cloud() -> AsyncIterator[CloudSim]:
    async with CloudSim(seed=1) as sim:
        yield sim


@pytest.fixture
async def http(cloud: CloudSim) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=cloud.url, trust_env=False, timeout=5.0) as client:
        yield client


async def service_token(http: httpx.AsyncClient) -> str:
    response = await http.post(
        "/connect/token",
        data={
            "grant_type": "client_credentials",
            "client_id": SIM_SERVICE_CLIENT_ID,
            "client_secret": SIM_SERVICE_CLIENT_SECRET,
            "scope": " ".join(SENSOR_DATA_SCOPES),
        },
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


async def authorize_code(http: httpx.AsyncClient, verifier: str = VERIFIER) -> str:
    response = await http.get(
        "/connect/authorize",
        params={
            "response_type": "code",
            "client_id": SIM_NATIVE_CLIENT_ID,
            "redirect_uri": REDIRECT,
            "scope": " ".join(SENSOR_DATA_SCOPES),
            "state": "st4te",
            "code_challenge": challenge(verifier),
            "code_challenge_method": "S256",
        },
    )
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["state"] == ["st4te"]
    return query["code"][0]


@pytest.fixture
async def headers(http: httpx.AsyncClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {await service_token(http)}"}


def generic_sensor(ref: str, name: str = "Sensor", **extra: Any) -> dict[str, Any]:
    props = {
        "INTEGRATION_ID": "GENERIC_SENSOR_SDE",
        "NAME": name,
        "UNKNOWN_METRICS": {"0": "Alignment_Left_SD", "1": "Alignment_Right_SD"},
        "UNKNOWN_UNITS": {"0": "millimeter", "1": "millimeter"},
        **extra,
    }
    return {"changeState": "new", "refId": ref, "props": props}


def simple_request(*sensors: dict[str, Any], device_ref: str = "dev-1") -> dict[str, Any]:
    return {
        "integration": {
            "changeState": "new",
            "devices": [
                {
                    "changeState": "new",
                    "refId": device_ref,
                    "props": {"INTEGRATION_ID": "IMPORT_DEVICE_SDE", "NAME": "Device-1"},
                    "sensors": list(sensors) or [generic_sensor("sen-1")],
                }
            ],
        }
    }


async def integrate(
    http: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    response = await http.post(
        "/api/integrations/integrate", params=PROJECT, headers=headers, json=body
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


@pytest.fixture
async def registered(http: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    """One node with one device and one generic sensor (metrics Alignment_Left/Right_SD)."""
    return await integrate(http, headers, simple_request())


class Rpc:
    """A tiny JSON-RPC client over a real WebSocket, for the socket tests."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.next_id = 0

    async def send(self, method: str, params: Any = None) -> int:
        rid = self.next_id
        self.next_id += 1
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "id": rid}
        if params is not None:
            message["params"] = params
        await self.ws.send(json.dumps(message))
        return rid

    async def recv(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(await self.ws.recv())
        return data

    async def call(self, method: str, params: Any = None) -> dict[str, Any]:
        rid = await self.send(method, params)
        reply = await self.recv()
        assert reply["id"] == rid, reply
        return reply


@pytest.fixture
async def rpc(cloud: CloudSim) -> AsyncIterator[Rpc]:
    async with connect(cloud.ws_url, proxy=None, open_timeout=5) as ws:
        yield Rpc(ws)
