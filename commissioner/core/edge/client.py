"""The THREAD Edge REST client: one typed method per documented operation.

Input is validated with :mod:`commissioner.core.edge.rules` before anything is sent, so a wrong
value never reaches the device; answers are decoded into typed values with units.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from commissioner.core.edge import decode, paths, rules
from commissioner.core.edge.errors import EdgeValidationError
from commissioner.core.edge.models import (
    BatterySaver,
    DeviceClock,
    InterfacePriority,
    PortMeasurement,
    PortProperties,
    Pressure,
    Quantity,
    Unit,
    Versions,
    pressure_unit_for,
    to_pascals,
)
from commissioner.core.edge.rules import AdcOption, NetworkInterface, PortMode, PortVoltage
from commissioner.core.edge.transport import EdgeTransport, ExchangeListener
from commissioner.core.lifecycle import AsyncService


def _flag(value: bool) -> str:
    """The seed's examples send ``"true"``/``"false"`` strings for accessible and cloudConnection."""
    return "true" if value else "false"


class EdgeClient(AsyncService):
    """Async client of one THREAD's Edge API at ``base_url`` (for example ``http://127.0.0.1:8080``)."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float = 5.0,
        read_retries: int = 2,
        retry_backoff_s: float = 0.25,
        on_exchange: ExchangeListener | None = None,
        http_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.transport = EdgeTransport(
            base_url,
            timeout_s=timeout_s,
            read_retries=read_retries,
            retry_backoff_s=retry_backoff_s,
            on_exchange=on_exchange,
            http_transport=http_transport,
        )
        self._hardware: str | None = None

    @property
    def base_url(self) -> str:
        return self.transport.base_url

    def _url(self, path: str) -> str:
        return f"{self.base_url}{paths.API_PREFIX}{path}"

    async def aclose(self) -> None:
        await self.transport.aclose()

    # -- identity and clock -------------------------------------------------------------------

    async def serial_number(self) -> str:
        """The THREAD Connect Code: 6 hex characters."""
        payload = await self.transport.get(paths.SERIAL_NUMBER)
        return decode.text(self._url(paths.SERIAL_NUMBER), payload, "serialNumber").upper()

    async def get_time(self) -> DeviceClock:
        before = time.time()
        payload = await self.transport.get(paths.TIME)
        after = time.time()
        device_time = decode.timestamp(self._url(paths.TIME), payload)
        return DeviceClock(device_time, device_time.timestamp() - (before + after) / 2)

    async def set_time(self, when: datetime | None = None) -> datetime:
        """Set the THREAD's clock; ``None`` means this computer's clock now (UTC)."""
        moment = (when or datetime.now(UTC)).astimezone(UTC)
        iso = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
        rules.iso_time(iso)
        await self.transport.request("POST", paths.TIME, body={paths.K_TIME: iso})
        return moment

    async def time_accurate(self) -> bool:
        """Whether the RTC and OS clock synchronisation has finished."""
        payload = await self.transport.get(paths.TIME_ACCURATE)
        return decode.boolean(self._url(paths.TIME_ACCURATE), payload)

    # -- power ---------------------------------------------------------------------------------

    async def _quantity(
        self, path: str, unit: Unit, params: Mapping[str, Any] | None = None
    ) -> Quantity:
        payload = await self.transport.get(path, params)
        return Quantity(decode.number(self._url(path), payload), unit)

    async def charge_input_voltage(self) -> Quantity:
        return await self._quantity(paths.CHARGE_INPUT_VOLTAGE, Unit.VOLT)

    async def charge_input_current(self) -> Quantity:
        return await self._quantity(paths.CHARGE_INPUT_CURRENT, Unit.AMPERE)

    async def battery_voltage(self) -> Quantity:
        return await self._quantity(paths.BATTERY_VOLTAGE, Unit.VOLT)

    async def state_of_charge(self) -> Quantity:
        return await self._quantity(paths.STATE_OF_CHARGE, Unit.PERCENT)

    async def get_battery_saver(self) -> BatterySaver:
        payload = await self.transport.get(paths.BATTERY_SAVER)
        return self._battery_saver(payload)

    async def set_battery_saver(
        self, enabled: bool, low: int | None = None, high: int | None = None
    ) -> BatterySaver:
        """Low 0-40 %, high 60-100 %, both or neither; enabling without them means 10/100."""
        rules.battery_saver(enabled, low, high)
        body: dict[str, Any] = {paths.K_VALUE: enabled}
        if low is not None and high is not None:
            body[paths.K_LOW] = low
            body[paths.K_HIGH] = high
        payload = await self.transport.request("PUT", paths.BATTERY_SAVER, body=body)
        if isinstance(payload, dict) and {"low", "high"} <= payload.keys():
            return self._battery_saver(payload)
        return await self.get_battery_saver()

    def _battery_saver(self, payload: Any) -> BatterySaver:
        url = self._url(paths.BATTERY_SAVER)
        data = decode.mapping(url, payload)
        return BatterySaver(
            enabled=decode.boolean(url, data, "value"),
            low=int(decode.number(url, data, "low")),
            high=int(decode.number(url, data, "high")),
        )

    async def sleep(self, duration_ms: int) -> None:
        """Put the THREAD in low-power mode; it stops answering for ``duration_ms``."""
        rules.sleep_duration(duration_ms)
        await self.transport.request("POST", paths.SLEEP, body={paths.K_DURATION: duration_ms})

    # -- environment ---------------------------------------------------------------------------

    async def temperature(self) -> Quantity:
        return await self._quantity(paths.TEMP_READ, Unit.CELSIUS)

    async def pressure(self) -> Pressure:
        """Pressure in pascals: daPa from current hardware, hPa from V11 and older."""
        hardware = await self.hardware_version_cached()
        unit = pressure_unit_for(hardware)
        payload = await self.transport.get(paths.PRESS_READ)
        raw = decode.number(self._url(paths.PRESS_READ), payload)
        return Pressure(to_pascals(raw, unit), raw, unit, hardware)

    # -- device ports --------------------------------------------------------------------------

    async def port_adc(self, port: int, option: AdcOption | int) -> Quantity:
        port = rules.port(port)
        opt = rules.adc_option(option)
        unit = Unit.VOLT if opt is AdcOption.VOLTAGE else Unit.AMPERE
        return await self._quantity(paths.DEVICE_ADC_READ, unit, {"port": port, "option": int(opt)})

    async def port_measurement(self, port: int) -> PortMeasurement:
        """Measured output voltage and current of a port, read concurrently."""
        voltage, current = await asyncio.gather(
            self.port_adc(port, AdcOption.VOLTAGE), self.port_adc(port, AdcOption.CURRENT)
        )
        return PortMeasurement(rules.port(port), voltage, current)

    async def set_port_voltage(self, port: int, voltage: PortVoltage | int) -> PortVoltage:
        port = rules.port(port)
        code = rules.port_voltage(voltage)
        body = {paths.K_PORT_NUMBER: port, paths.K_VALUE: int(code)}
        await self.transport.request("POST", paths.DEVICE_VOLTAGE, body=body)
        return code

    async def loop_current_420(self, port: int) -> Quantity:
        """4-20 mA loop current in amps; the THREAD reconfigures the port briefly to read it."""
        port = rules.port(port)
        return await self._quantity(paths.DEVICE_ADC_READ_420, Unit.AMPERE, {"port": port})

    async def set_port_mode(self, port: int, mode: PortMode | str) -> PortMode:
        port = rules.port(port)
        checked = rules.port_mode(port, mode.value if isinstance(mode, PortMode) else mode)
        body = {paths.K_PORT_NUMBER: port, paths.K_CONTENT: checked.value}
        await self.transport.request("POST", paths.DEVICE_RS_SEL, body=body)
        return checked

    async def get_port_properties(self, port: int) -> PortProperties:
        port = rules.port(port)
        payload = await self.transport.get(paths.CONFIGURE, {"port": port})
        return PortProperties.from_payload(decode.mapping(self._url(paths.CONFIGURE), payload))

    async def set_port_properties(
        self, port: int, properties: Mapping[str, Any] | PortProperties
    ) -> PortProperties:
        """Set 1 to N properties in one call; returns the port's properties read back."""
        port = rules.port(port)
        raw = properties.to_payload() if isinstance(properties, PortProperties) else properties
        body = rules.port_properties(port, raw)
        payload = await self.transport.request(
            "PUT", paths.CONFIGURE, params={"port": port}, body=body
        )
        if isinstance(payload, dict) and payload:
            return PortProperties.from_payload(payload)
        return await self.get_port_properties(port)

    async def delete_port_properties(self, port: int, names: Iterable[str]) -> PortProperties:
        port = rules.port(port)
        resources = rules.property_names(list(names))
        payload = await self.transport.request(
            "DELETE", paths.CONFIGURE, params={"port": port}, body={paths.K_RESOURCES: resources}
        )
        if isinstance(payload, dict):
            return PortProperties.from_payload(payload)
        return await self.get_port_properties(port)

    async def send_message(self, port: int, message: str) -> None:
        """Send text to the device on a port (the seed's Model types portNumber as integer)."""
        port = rules.port(port)
        text = rules.message_text(message)
        body = {paths.K_PORT_NUMBER: port, paths.K_MESSAGE: text}
        await self.transport.request("POST", paths.MESSAGE, body=body)

    async def get_device_connection(self, port: int) -> bool:
        port = rules.port(port)
        payload = await self.transport.get(paths.DEVICE_CONNECTION, {"port": port})
        return decode.boolean(self._url(paths.DEVICE_CONNECTION), payload)

    async def set_device_connection(self, port: int, enabled: bool) -> bool:
        """Open or close the connection to the device on a port (JSON booleans, as the seed shows)."""
        port = rules.port(port)
        rules.boolean(enabled)
        await self.transport.request(
            "PUT", paths.DEVICE_CONNECTION, params={"port": port}, body={paths.K_VALUE: enabled}
        )
        return enabled

    # -- LEDs ----------------------------------------------------------------------------------

    async def flash_led(self) -> None:
        """Flash the THREAD's LED so the installer can tell which unit they are talking to."""
        await self.transport.request("POST", paths.OBSERVATION)

    async def set_led_green(self, green: bool) -> bool:
        """Accessible LED: green (true) or red (false). Ephemeral; cloud health overrides it."""
        rules.boolean(green)
        await self.transport.request("POST", paths.ACCESSIBLE, body={paths.K_VALUE: _flag(green)})
        return green

    # -- network and cloud ---------------------------------------------------------------------

    async def get_interface_priority(self) -> InterfacePriority:
        payload = await self.transport.get(paths.INTERFACE_PRIORITY)
        route = decode.text(self._url(paths.INTERFACE_PRIORITY), payload, "content")
        try:
            interface = NetworkInterface.from_route(route)
        except EdgeValidationError as exc:
            from commissioner.core.edge.errors import EdgeMalformedResponse

            raise EdgeMalformedResponse(
                self._url(paths.INTERFACE_PRIORITY), str(exc), route
            ) from exc
        return InterfacePriority(interface, route)

    async def prioritise_interface(self, interface: NetworkInterface | str) -> NetworkInterface:
        try:
            chosen = NetworkInterface(interface)
        except ValueError:
            raise EdgeValidationError(
                "interface", f"must be ethernet or cellular, got {interface!r}"
            ) from None
        path = (
            paths.INTERFACE_PRIORITY_CELLULAR
            if chosen is NetworkInterface.CELLULAR
            else paths.INTERFACE_PRIORITY_ETHERNET
        )
        await self.transport.request("PUT", path)
        return chosen

    async def get_cloud_connection(self) -> bool:
        payload = await self.transport.get(paths.CLOUD_CONNECTION)
        return decode.boolean(self._url(paths.CLOUD_CONNECTION), payload)

    async def set_cloud_connection(self, enabled: bool) -> bool:
        """Enable or disable the iTwin IoT cloud connection (persists across reboots)."""
        rules.boolean(enabled)
        await self.transport.request(
            "PUT", paths.CLOUD_CONNECTION, body={paths.K_VALUE: _flag(enabled)}
        )
        return enabled

    # -- versions and update -------------------------------------------------------------------

    async def application_version(self) -> str:
        return decode.text(
            self._url(paths.VERSION), await self.transport.get(paths.VERSION), "version"
        )

    async def firmware_version(self) -> str:
        payload = await self.transport.get(paths.FIRMWARE)
        return decode.text(self._url(paths.FIRMWARE), payload, "firmware", "version")

    async def hardware_version(self) -> str:
        payload = await self.transport.get(paths.HARDWARE)
        self._hardware = decode.text(self._url(paths.HARDWARE), payload, "hardware", "version")
        return self._hardware

    async def hardware_version_cached(self) -> str:
        """Hardware never changes while connected, so pressure reads ask for it only once."""
        return self._hardware if self._hardware is not None else await self.hardware_version()

    async def versions(self) -> Versions:
        app, firmware, hardware = await asyncio.gather(
            self.application_version(), self.firmware_version(), self.hardware_version()
        )
        return Versions(app, firmware, hardware)

    async def update(self, *, version: str | None = None, file: str | None = None) -> str | None:
        """Start an application update: the latest, a given version, or a .jar on the THREAD.

        The THREAD restarts afterwards and is unreachable for a while. Returns the version it
        announced, when it announced one.
        """
        if version is not None and file is not None:
            raise EdgeValidationError("update", "give a version or a file, not both")
        params: dict[str, str] = {}
        if version is not None:
            params["version"] = rules.update_version(version)
        if file is not None:
            params["file"] = rules.update_file(file)
        payload = await self.transport.request("POST", paths.UPDATE, params=params or None)
        if isinstance(payload, dict) and isinstance(payload.get("version"), str):
            return str(payload["version"])
        return None
