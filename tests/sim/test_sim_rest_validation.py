"""Invalid input answers HTTP 400 {"error": ...} naming the field; unknown paths 404, methods 405."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from commissioner.sim.server import ThreadServer

CASES: list[tuple[str, str, Any, str]] = [
    # method, path, JSON body (or raw bytes), field the error must name
    ("POST", "/api/deviceVoltage", {"portNumber": 4, "value": 1}, "portNumber"),
    ("POST", "/api/deviceVoltage", {"value": 1}, "portNumber"),
    ("POST", "/api/deviceVoltage", {"portNumber": 1, "value": 3}, "value"),
    ("POST", "/api/deviceVoltage", {"portNumber": 1, "value": "1"}, "value"),
    ("POST", "/api/deviceRsSel", {"portNumber": 2, "content": "USB"}, "content"),
    ("POST", "/api/deviceRsSel", {"portNumber": 1, "content": "SPI"}, "content"),
    ("POST", "/api/deviceRsSel", {"portNumber": 0, "content": "RS232"}, "portNumber"),
    ("PUT", "/api/batterySaver", {"value": True, "low": 41, "high": 80}, "low"),
    ("PUT", "/api/batterySaver", {"value": True, "low": 10, "high": 59}, "high"),
    ("PUT", "/api/batterySaver", {"value": True, "low": 10}, "low/high"),
    ("PUT", "/api/batterySaver", {"value": True, "high": 90}, "low/high"),
    ("PUT", "/api/batterySaver", {"value": "maybe"}, "value"),
    ("PUT", "/api/configure?port=2", {"COMM_TYPE": "USB"}, "COMM_TYPE"),
    ("PUT", "/api/configure?port=3", {"HOST": "192.168.254.3"}, "HOST"),
    ("PUT", "/api/configure?port=2", {"PORT": 1212}, "PORT"),
    ("PUT", "/api/configure?port=1", {"BAUD_RATE": 9601}, "BAUD_RATE"),
    ("PUT", "/api/configure?port=1", {"DATA_BITS": 9}, "DATA_BITS"),
    ("PUT", "/api/configure?port=1", {"PARITY_BIT": "SOMETIMES"}, "PARITY_BIT"),
    ("PUT", "/api/configure?port=1", {"DELIMITERS_HEX": ["0G"]}, "DELIMITERS_HEX"),
    ("PUT", "/api/configure?port=1", {"STOP_BITS": 2}, "STOP_BITS"),
    ("PUT", "/api/configure?port=1", {}, "properties"),
    ("PUT", "/api/configure?port=1", {"PORT": 70000}, "PORT"),
    ("PUT", "/api/configure", {"BAUD_RATE": 9600}, "port"),
    ("DELETE", "/api/configure?port=1", {"resources": ["COLOUR"]}, "resources"),
    ("DELETE", "/api/configure?port=1", {"resources": []}, "resources"),
    ("GET", "/api/configure?port=5", None, "port"),
    ("GET", "/api/configure", None, "port"),
    ("GET", "/api/deviceAdcRead?port=1&option=2", None, "option"),
    ("GET", "/api/deviceAdcRead?option=0", None, "port"),
    ("GET", "/api/deviceAdcRead420?port=x", None, "port"),
    ("GET", "/api/deviceConnection", None, "port"),
    ("PUT", "/api/deviceConnection?port=1", {"value": "yes"}, "value"),
    ("PUT", "/api/cloudConnection", {"value": 1}, "value"),
    ("POST", "/api/accessible", {}, "value"),
    ("POST", "/api/sleep", {"duration": 0}, "duration"),
    ("POST", "/api/sleep", {"duration": "10000"}, "duration"),
    ("POST", "/api/sleep", {"duration": 8 * 24 * 3600 * 1000}, "duration"),
    ("POST", "/api/time", {"time": "yesterday"}, "time"),
    ("POST", "/api/time", {"time": "2019-11-19T15:41:30"}, "time"),
    ("POST", "/api/message", {"portNumber": 1, "message": ""}, "message"),
    ("POST", "/api/message", {"portNumber": "one", "message": "hi"}, "portNumber"),
    ("POST", "/api/update?version=latest", None, "version"),
    ("POST", "/api/update?file=relative/app-1.2.3.jar", None, "file"),
    ("POST", "/api/update?file=/tmp/app-1.2.3.zip", None, "file"),
    ("POST", "/api/update?version=7.18.0&file=/tmp/a-1.0.jar", None, "version/file"),
    ("PUT", "/api/interfacePriority/wifi", None, "interfacePriority"),
    ("POST", "/api/deviceVoltage", b"{not json", "body"),
    ("POST", "/api/deviceVoltage", b"", "body"),
    ("POST", "/api/deviceVoltage", b"[1, 2]", "body"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), CASES)
async def test_invalid_input_is_400_naming_the_field(
    client: httpx.AsyncClient, method: str, path: str, body: Any, field: str
) -> None:
    """Each documented rule, broken, answers 400 with an error that starts with the field name."""
    if isinstance(body, bytes):
        response = await client.request(method, path, content=body)
    elif body is None:
        response = await client.request(method, path)
    else:
        response = await client.request(method, path, json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error.startswith(f"{field}:"), error


async def test_rejected_input_changes_nothing(
    client: httpx.AsyncClient, thread: ThreadServer
) -> None:
    """A rejected PUT configure leaves every property as it was (all or nothing)."""
    before = (await client.get("/api/configure?port=2")).json()
    bad = await client.put("/api/configure?port=2", json={"BAUD_RATE": 19200, "HOST": "10.0.0.1"})
    assert bad.status_code == 400
    assert (await client.get("/api/configure?port=2")).json() == before


async def test_unknown_path_is_404_json(client: httpx.AsyncClient) -> None:
    """An unknown path answers 404 with a JSON error."""
    for path in ("/api/nothingHere", "/", "/api/interfacePriority/cellular/extra"):
        response = await client.get(path)
        assert response.status_code == 404
        assert "error" in response.json()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/deviceVoltage"),
        ("POST", "/api/serialNumber"),
        ("DELETE", "/api/time"),
        ("GET", "/api/update"),
        ("POST", "/api/cloudConnection"),
        ("GET", "/api/interfacePriority/cellular"),
    ],
)
async def test_wrong_method_is_405_json(client: httpx.AsyncClient, method: str, path: str) -> None:
    """A documented path with the wrong method answers 405, an Allow header and a JSON error."""
    response = await client.request(method, path)
    assert response.status_code == 405
    assert "allowed" in response.json()["error"]
    assert response.headers["allow"]


async def test_websocket_unknown_port_is_404(client: httpx.AsyncClient) -> None:
    """/ws/port/4 is not a port stream."""
    for path in ("/ws/port/4", "/ws/port/0", "/ws/port/x"):
        response = await client.get(path)
        assert response.status_code == 404
        assert "error" in response.json()


async def test_websocket_path_needs_upgrade(client: httpx.AsyncClient) -> None:
    """A plain GET of a port stream is a bad request, not a crash."""
    response = await client.get("/ws/port/1")
    assert response.status_code == 400
    assert "WebSocket" in response.json()["error"]
