"""Every Edge REST operation, sent by the client over loopback HTTP to the simulated THREAD."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.errors import EdgeUnreachable
from commissioner.core.edge.models import Unit
from commissioner.core.edge.rules import (
    AdcOption,
    CommType,
    NetworkInterface,
    Parity,
    PortMode,
    PortVoltage,
)
from commissioner.core.edge.transport import Exchange
from commissioner.sim.server import ThreadServer
from tests.core.edge.conftest import fast_scenario


async def test_serial_number(client: EdgeClient, thread: ThreadServer) -> None:
    """serialNumber: the 6-hex-character THREAD Connect Code."""
    serial = await client.serial_number()
    assert re.fullmatch(r"[0-9A-F]{6}", serial)
    assert serial == thread.serial_number


async def test_get_time_reports_offset(client: EdgeClient) -> None:
    """GET time: the simulated RTC starts 95 s behind, and the client measures that offset."""
    clock = await client.get_time()
    assert clock.device_time.tzinfo is not None
    assert -100 < clock.offset_s < -90


async def test_set_time_syncs_clock(client: EdgeClient) -> None:
    """POST time: syncing to this computer brings the offset to about zero."""
    await client.set_time()
    assert abs((await client.get_time()).offset_s) < 1.0
    target = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    await client.set_time(target)
    device_time = (await client.get_time()).device_time
    assert abs(device_time - target) < timedelta(seconds=2)


async def test_time_accurate_after_sync_period() -> None:
    """timeAccurate is false right after boot and true once the sync period has passed."""
    async with (
        ThreadServer(fast_scenario(time_sync_s=0.3)) as server,
        EdgeClient(server.url) as edge,
    ):
        assert await edge.time_accurate() is False
        await asyncio.sleep(0.45)
        assert await edge.time_accurate() is True


async def test_power_readings(client: EdgeClient) -> None:
    """chargeInputVoltage, chargeInputCurrent, batteryVoltage, stateOfCharge: values with units."""
    vin = await client.charge_input_voltage()
    iin = await client.charge_input_current()
    vbat = await client.battery_voltage()
    soc = await client.state_of_charge()
    assert vin.unit is Unit.VOLT and 13.5 < vin.value < 15.5
    assert iin.unit is Unit.AMPERE and 0 <= iin.value < 1.0
    assert vbat.unit is Unit.VOLT and 11.0 < vbat.value < 15.0
    assert soc.unit is Unit.PERCENT and 0 <= soc.value <= 100


async def test_battery_saver_get_and_set(client: EdgeClient) -> None:
    """batterySaver: default off 0/100; true alone is 10/100; explicit thresholds are kept."""
    default = await client.get_battery_saver()
    assert (default.enabled, default.low, default.high) == (False, 0, 100)
    enabled = await client.set_battery_saver(True)
    assert (enabled.enabled, enabled.low, enabled.high) == (True, 10, 100)
    await client.set_battery_saver(True, 20, 80)
    read = await client.get_battery_saver()
    assert (read.enabled, read.low, read.high) == (True, 20, 80)


async def test_port_voltage_and_adc(client: EdgeClient) -> None:
    """deviceVoltage sets the output; deviceAdcRead measures it (off ~0 V, 12 V, 15 V)."""
    off = await client.port_adc(2, AdcOption.VOLTAGE)
    assert off.unit is Unit.VOLT and off.value < 0.5
    await client.set_port_voltage(2, PortVoltage.V12)
    reading = await client.port_measurement(2)
    assert 11.0 < reading.voltage.value < 12.6
    assert reading.current.unit is Unit.AMPERE
    assert reading.current.value > 0.005  # the RS-485 transducer draws its load once powered
    await client.set_port_voltage(2, 2)
    assert 14.0 < (await client.port_adc(2, 0)).value < 15.6
    await client.set_port_voltage(2, PortVoltage.OFF)
    assert (await client.port_adc(2, AdcOption.CURRENT)).value < 0.003


async def test_sleep_makes_thread_unreachable_then_back(client: EdgeClient) -> None:
    """sleep: the THREAD stops answering for the duration, then answers again."""
    await client.sleep(400)
    client.transport.read_retries = 0
    with pytest.raises(EdgeUnreachable):
        await client.serial_number()
    await asyncio.sleep(0.6)
    assert await client.serial_number()


async def test_temperature(client: EdgeClient) -> None:
    """tempRead: degrees Celsius near the scenario's board temperature."""
    temperature = await client.temperature()
    assert temperature.unit is Unit.CELSIUS and 25 < temperature.value < 38


async def test_pressure_in_pascals_from_dapa(client: EdgeClient) -> None:
    """pressRead on V12 hardware: daPa from the device, pascals from the client."""
    pressure = await client.pressure()
    assert pressure.raw_unit is Unit.DECAPASCAL
    assert 99_000 < pressure.pascals < 103_500
    assert pressure.pascals == pytest.approx(pressure.raw_value * 10)


async def test_pressure_in_pascals_from_hpa_on_v11() -> None:
    """pressRead on V11 hardware: hPa from the device, still pascals from the client."""
    async with ThreadServer(fast_scenario("v11")) as server, EdgeClient(server.url) as edge:
        pressure = await edge.pressure()
        assert pressure.hardware.upper().startswith("V11")
        assert pressure.raw_unit is Unit.HECTOPASCAL
        assert 99_000 < pressure.pascals < 103_500
        assert pressure.pascals == pytest.approx(pressure.raw_value * 100)


async def test_loop_current_420(client: EdgeClient) -> None:
    """deviceAdcRead420: the 4-20 mA transmitter's current once its port is powered."""
    unpowered = await client.loop_current_420(3)
    assert unpowered.value < 0.001  # no loop: near zero or negative, like the seed's -0.00429
    await client.set_port_voltage(3, PortVoltage.V12)
    powered = await client.loop_current_420(3)
    assert powered.unit is Unit.AMPERE and 0.0039 <= powered.value <= 0.0201


async def test_port_mode_and_device_connection_start_data(
    client: EdgeClient, control: httpx.AsyncClient
) -> None:
    """deviceRsSel + deviceVoltage + deviceConnection: the RS-232 sensor starts talking."""
    assert await client.get_device_connection(1) is False
    assert await client.set_port_mode(1, PortMode.RS232) is PortMode.RS232
    await client.set_port_voltage(1, PortVoltage.V12)
    assert await client.set_device_connection(1, True) is True
    assert await client.get_device_connection(1) is True
    await asyncio.sleep(0.3)
    port1 = (await control.get("/_sim/state")).json()["persistent"]["ports"]["1"]
    assert (port1["mode"], port1["voltage"], port1["device_connection"]) == ("RS232", 1, True)
    assert await client.set_device_connection(1, False) is False
    assert await client.get_device_connection(1) is False


async def test_flash_led(
    client: EdgeClient, exchanges: list[Exchange], control: httpx.AsyncClient
) -> None:
    """observation: the LED flash request reaches the THREAD, which flashes once."""
    await client.flash_led()
    assert exchanges[-1].path == "observation" and exchanges[-1].status == 200
    assert (await control.get("/_sim/state")).json()["ephemeral"]["led_flashes"] == 1


async def test_configure_get_set_delete(client: EdgeClient) -> None:
    """configure: PUT 1-N properties, GET them back, DELETE some."""
    props = await client.set_port_properties(
        1,
        {
            "COMM_TYPE": "USB",
            "BAUD_RATE": 115200,
            "DATA_BITS": 7,
            "PARITY_BIT": "EVEN",
            "DELIMITERS_HEX": ["0D0A"],
            "HOST": "127.0.0.1",
            "PORT": 1212,
        },
    )
    assert props.comm_type is CommType.USB
    read = await client.get_port_properties(1)
    assert (read.baud_rate, read.data_bits, read.parity) == (115200, 7, Parity.EVEN)
    assert read.delimiters_hex == ("0D0A",)
    assert (read.host, read.tcp_port) == ("127.0.0.1", "1212")
    after = await client.delete_port_properties(1, ["HOST", "PORT"])
    assert after.host is None and after.tcp_port is None
    assert (await client.get_port_properties(1)).host is None


async def test_interface_priority(client: EdgeClient) -> None:
    """interfacePriority: eth0 by default; PUT cellular makes ppp0 preferred, ethernet eth0."""
    assert (await client.get_interface_priority()).route == "eth0"
    await client.prioritise_interface(NetworkInterface.CELLULAR)
    priority = await client.get_interface_priority()
    assert (priority.interface, priority.route) == (NetworkInterface.CELLULAR, "ppp0")
    await client.prioritise_interface("ethernet")
    assert (await client.get_interface_priority()).route == "eth0"


async def test_versions(client: EdgeClient) -> None:
    """version, firmware, hardware: the scenario's identity."""
    versions = await client.versions()
    assert (versions.application, versions.firmware, versions.hardware) == (
        "7.18.0",
        "4.2.1",
        "V12",
    )


async def test_update_to_latest_then_back_with_new_version(client: EdgeClient) -> None:
    """update: the API goes away while restarting, then reports the latest version."""
    await client.update()
    client.transport.read_retries = 0
    with pytest.raises(EdgeUnreachable):
        await client.application_version()
    await asyncio.sleep(0.6)
    assert await client.application_version() == "7.19.0"


async def test_update_to_version_and_file(client: EdgeClient) -> None:
    """update?version= and update?file= install what they name."""
    await client.update(version="7.18.5")
    await asyncio.sleep(0.6)
    assert await client.application_version() == "7.18.5"
    await client.update(file="/tmp/snoopy-1.2.3.jar")
    await asyncio.sleep(0.6)
    assert await client.application_version() == "1.2.3"


async def test_accessible_led(
    client: EdgeClient, exchanges: list[Exchange], control: httpx.AsyncClient
) -> None:
    """accessible: the LED colour is sent as the seed's "true"/"false" strings."""
    assert await client.set_led_green(True) is True
    assert exchanges[-1].body == {"value": "true"}
    assert (await control.get("/_sim/state")).json()["ephemeral"]["accessible"] is True
    assert await client.set_led_green(False) is False
    assert exchanges[-1].body == {"value": "false"}


async def test_cloud_connection(client: EdgeClient, exchanges: list[Exchange]) -> None:
    """cloudConnection: read, disable and enable, with string booleans as documented."""
    assert await client.get_cloud_connection() is True
    await client.set_cloud_connection(False)
    assert exchanges[-1].body == {"value": "false"}
    assert await client.get_cloud_connection() is False
    await client.set_cloud_connection(True)
    assert await client.get_cloud_connection() is True


async def test_device_connection_each_port(client: EdgeClient, exchanges: list[Exchange]) -> None:
    """deviceConnection: per port, JSON booleans as the seed's curl shows."""
    for port in (1, 2, 3):
        await client.set_device_connection(port, True)
        assert exchanges[-1].body == {"value": True}
        assert exchanges[-1].params == {"port": port}
    assert [await client.get_device_connection(p) for p in (1, 2, 3)] == [True, True, True]


async def test_settings_across_reboot_and_factory_reset(
    client: EdgeClient, control: httpx.AsyncClient
) -> None:
    """Cloud connection survives a reboot, the accessible LED does not; a factory reset clears both."""
    await client.set_cloud_connection(False)
    await client.set_led_green(True)
    await client.set_port_properties(1, {"BAUD_RATE": 19200})
    (await control.post("/_sim/reboot")).raise_for_status()
    state = (await control.get("/_sim/state")).json()
    assert state["boots"] == 2
    assert state["ephemeral"]["accessible"] is False
    assert await client.get_cloud_connection() is False
    assert (await client.get_port_properties(1)).baud_rate == 19200
    (await control.post("/_sim/factory-reset")).raise_for_status()
    assert await client.get_cloud_connection() is True
    assert (await client.get_port_properties(1)).baud_rate == 9600
