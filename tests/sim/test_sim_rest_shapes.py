"""Every documented path answers with the shape commissioner.core.edge.paths promises."""

from __future__ import annotations

import re
from datetime import datetime

import httpx
import pytest

from commissioner.sim.server import ThreadServer

NUMBER_PATHS = [
    "chargeInputVoltage",
    "chargeInputCurrent",
    "batteryVoltage",
    "tempRead",
    "pressRead",
]


async def test_serial_number(client: httpx.AsyncClient, thread: ThreadServer) -> None:
    """serialNumber is the server's 6 upper-case hex character connect code."""
    body = (await client.get("/api/serialNumber")).json()
    assert body == {"value": thread.serial_number}
    assert re.fullmatch(r"[0-9A-F]{6}", body["value"])


async def test_get_time_is_iso_with_zone(client: httpx.AsyncClient) -> None:
    """GET time answers {"time": ISO 8601 with milliseconds and Z}."""
    text = (await client.get("/api/time")).json()["time"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", text)


async def test_post_time_sets_the_clock(client: httpx.AsyncClient) -> None:
    """POST time sets the device clock and answers the new time."""
    response = await client.post("/api/time", json={"time": "2019-11-19T15:41:30.000Z"})
    assert response.status_code == 200
    assert response.json()["time"].startswith("2019-11-19T15:41:3")
    now = (await client.get("/api/time")).json()["time"]
    moment = datetime.fromisoformat(now.replace("Z", "+00:00"))
    assert moment.year == 2019 and moment.hour == 15


async def test_time_accurate_after_sync(client: httpx.AsyncClient, thread: ThreadServer) -> None:
    """timeAccurate is a boolean, false right after boot and true once synced."""
    thread.state.booted_at -= 10  # pretend the boot was long ago
    assert (await client.get("/api/timeAccurate")).json() == {"value": True}
    thread.device.reboot()
    assert (await client.get("/api/timeAccurate")).json() == {"value": False}


@pytest.mark.parametrize("path", NUMBER_PATHS)
async def test_numeric_readings(client: httpx.AsyncClient, path: str) -> None:
    """The power and environment readings answer {"value": number}."""
    body = (await client.get(f"/api/{path}")).json()
    assert set(body) == {"value"}
    assert isinstance(body["value"], float | int)


async def test_readings_are_plausible(client: httpx.AsyncClient) -> None:
    """Input above battery voltage, a 0-100 integer state of charge, daPa pressure on V12."""

    async def value(path: str) -> float:
        return float((await client.get(f"/api/{path}")).json()["value"])

    assert 12.0 < await value("chargeInputVoltage") < 16.0
    assert 11.5 < await value("batteryVoltage") < 15.0
    soc = (await client.get("/api/stateOfCharge")).json()["value"]
    assert isinstance(soc, int) and 0 <= soc <= 100
    assert 9000 < await value("pressRead") < 11000  # daPa
    assert 10 < await value("tempRead") < 60


async def test_battery_saver_get_and_put(client: httpx.AsyncClient) -> None:
    """batterySaver answers value/low/high; PUT sets them and answers the same shape."""
    assert (await client.get("/api/batterySaver")).json() == {"value": False, "low": 0, "high": 100}
    body = {"value": True, "low": 20, "high": 80}
    assert (await client.put("/api/batterySaver", json=body)).json() == body
    assert (await client.get("/api/batterySaver")).json() == body


async def test_battery_saver_true_alone_defaults(client: httpx.AsyncClient) -> None:
    """value true without thresholds sets low 10, high 100, as the seed says."""
    answer = (await client.put("/api/batterySaver", json={"value": "true"})).json()
    assert answer == {"value": True, "low": 10, "high": 100}


async def test_device_voltage_and_adc(client: httpx.AsyncClient) -> None:
    """deviceVoltage echoes portNumber/value; deviceAdcRead answers a number."""
    answer = await client.post("/api/deviceVoltage", json={"portNumber": 2, "value": 2})
    assert answer.json() == {"portNumber": 2, "value": 2}
    for option in (0, 1):
        body = (await client.get(f"/api/deviceAdcRead?port=2&option={option}")).json()
        assert isinstance(body["value"], float | int)


async def test_device_rs_sel(client: httpx.AsyncClient, thread: ThreadServer) -> None:
    """deviceRsSel sets the mode (case-insensitive) and echoes it upper-case."""
    answer = await client.post("/api/deviceRsSel", json={"portNumber": "1", "content": "usb"})
    assert answer.json() == {"portNumber": 1, "content": "USB"}
    assert thread.state.port(1).mode.value == "USB"


async def test_observation_flashes_led(client: httpx.AsyncClient, thread: ThreadServer) -> None:
    """observation answers {"value": true} and counts a flash."""
    assert (await client.post("/api/observation")).json() == {"value": True}
    assert thread.state.ephemeral.led_flashes == 1
    assert thread.state.ephemeral.last_flash is not None


async def test_configure_get_put_delete(client: httpx.AsyncClient) -> None:
    """configure shows set properties; PUT adds/changes; DELETE removes; both answer all."""
    props = (await client.get("/api/configure?port=1")).json()
    assert props == {
        "COMM_TYPE": "RS232",
        "BAUD_RATE": 9600,
        "DATA_BITS": 8,
        "PARITY_BIT": "NONE",
        "DELIMITERS_HEX": ["0D0A"],
    }
    change = {"COMM_TYPE": "USB", "PORT": 1212, "HOST": "192.168.254.3", "DELIMITERS_HEX": "0d"}
    after = (await client.put("/api/configure?port=1", json=change)).json()
    assert after["COMM_TYPE"] == "USB" and after["PORT"] == "1212"
    assert after["HOST"] == "192.168.254.3" and after["DELIMITERS_HEX"] == ["0D"]
    removed = await client.request(
        "DELETE", "/api/configure?port=1", content=b'{"resources": ["HOST", "PORT"]}'
    )
    assert removed.status_code == 200
    assert "HOST" not in removed.json() and "PORT" not in removed.json()
    assert (await client.get("/api/configure?port=1")).json() == removed.json()


async def test_interface_priority(client: httpx.AsyncClient) -> None:
    """interfacePriority is eth0 by default; PUT cellular/ethernet switch ppp0/eth0."""
    assert (await client.get("/api/interfacePriority")).json() == {"content": "eth0"}
    assert (await client.put("/api/interfacePriority/cellular")).json() == {"content": "ppp0"}
    assert (await client.get("/api/interfacePriority")).json() == {"content": "ppp0"}
    assert (await client.put("/api/interfacePriority/ethernet")).json() == {"content": "eth0"}


async def test_message_echo(client: httpx.AsyncClient) -> None:
    """message echoes portNumber (int or numeric string) and the message."""
    answer = await client.post("/api/message", json={"portNumber": "1", "message": "hello world"})
    assert answer.json() == {"portNumber": 1, "message": "hello world"}


@pytest.mark.parametrize(
    ("path", "value"), [("version", "7.18.0"), ("firmware", "4.2.1"), ("hardware", "V12")]
)
async def test_versions(client: httpx.AsyncClient, path: str, value: str) -> None:
    """version, firmware and hardware answer {"value": text} from the scenario."""
    assert (await client.get(f"/api/{path}")).json() == {"value": value}


async def test_accessible_accepts_strings_and_booleans(
    client: httpx.AsyncClient, thread: ThreadServer
) -> None:
    """accessible takes "true"/"false" strings (seed) or booleans and answers a boolean."""
    assert (await client.post("/api/accessible", json={"value": "true"})).json() == {"value": True}
    assert thread.state.ephemeral.accessible is True
    assert (await client.post("/api/accessible", json={"value": False})).json() == {"value": False}


async def test_cloud_connection(client: httpx.AsyncClient) -> None:
    """cloudConnection is true by default and PUT switches it."""
    assert (await client.get("/api/cloudConnection")).json() == {"value": True}
    assert (await client.put("/api/cloudConnection", json={"value": "false"})).json() == {
        "value": False
    }
    assert (await client.get("/api/cloudConnection")).json() == {"value": False}


async def test_device_connection(client: httpx.AsyncClient) -> None:
    """deviceConnection is false by default per port and PUT switches it."""
    assert (await client.get("/api/deviceConnection?port=2")).json() == {"value": False}
    put = await client.put("/api/deviceConnection?port=3", json={"value": True})
    assert put.json() == {"value": True}
    assert (await client.get("/api/deviceConnection?port=3")).json() == {"value": True}
    assert (await client.get("/api/deviceConnection?port=2")).json() == {"value": False}


async def test_body_without_json_content_type(client: httpx.AsyncClient) -> None:
    """Bodies are JSON whatever the Content-Type, as curl -d sends them."""
    answer = await client.post(
        "/api/deviceVoltage",
        content=b'{ "portNumber": 1, "value": 1}',
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.json() == {"portNumber": 1, "value": 1}


async def test_responses_are_json(client: httpx.AsyncClient) -> None:
    """Answers carry Content-Type application/json."""
    response = await client.get("/api/serialNumber")
    assert response.headers["content-type"].startswith("application/json")
