"""One device port: the wire between the THREAD's UART, its power switch and a sensor.

This is where the commissioning settings meet physics. Bytes flow between a sensor and the
port's WebSocket clients only when everything an installer has to get right is right:

* the port's interface mode (``deviceRsSel``) is the sensor's interface, and for serial sensors
  ``COMM_TYPE`` agrees with it;
* the port voltage (``deviceVoltage``) is within the sensor's supply range;
* the device connection (``deviceConnection``) is enabled.

Baud rate, data bits and parity are *not* gates: a mismatch garbles the bytes in both directions
through :mod:`commissioner.sim.uart`, exactly what a real UART would show. The port also answers
the analog readings: the output voltage and current (``deviceAdcRead``) and the 4-20 mA loop
current (``deviceAdcRead420``).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from typing import Protocol

from commissioner.core.edge.rules import PortMode, PortVoltage
from commissioner.sim.sensors import Sensor
from commissioner.sim.state import PortConfig
from commissioner.sim.uart import transmit

OUTPUT_OHM = 0.45  # output resistance of the port supply: voltage drop per amp of load
OPEN_420_A = -0.00429  # what deviceAdcRead420 reads with no loop current (the seed's example)
SERIAL_MODES = (PortMode.RS232, PortMode.RS485)


class Subscriber(Protocol):
    """A receiver of the bytes a port delivers (a WebSocket client)."""

    def deliver(self, chunk: bytes) -> None: ...


class PortLink:
    """Port ``number`` of a THREAD and the sensor plugged into it (if any)."""

    def __init__(
        self,
        number: int,
        config: Callable[[], PortConfig],
        sensor: Sensor | None,
        rng: random.Random,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.number = number
        self._config = config
        self.sensor = sensor
        self.attached = sensor is not None
        self._rng = rng
        self._monotonic = monotonic
        self._subscribers: set[Subscriber] = set()
        self._wake = asyncio.Event()
        self.bytes_from_sensor = 0
        self.bytes_to_clients = 0
        self.bytes_from_clients = 0
        self.bytes_to_sensor = 0

    @property
    def config(self) -> PortConfig:
        return self._config()

    # -- subscribers -----------------------------------------------------------------------------

    def subscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.add(subscriber)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    # -- gates -----------------------------------------------------------------------------------

    def powered(self) -> bool:
        """The sensor is attached and the port voltage reaches its minimum supply."""
        sensor = self.sensor
        if sensor is None or not self.attached:
            return False
        volts = self.config.voltage.volts
        return volts > 0 and volts >= sensor.spec.min_supply_v

    def supply_ok(self) -> bool:
        sensor = self.sensor
        return (
            sensor is not None
            and self.powered()
            and self.config.voltage.volts <= sensor.spec.max_supply_v
        )

    def blocked_by(self) -> str | None:
        """Why no data flows between the port and its sensor, or None when it does."""
        sensor, cfg = self.sensor, self.config
        if sensor is None or not self.attached:
            return "no sensor attached"
        spec = sensor.spec
        if not spec.is_serial:
            return "the sensor is analog: read it with deviceAdcRead420"
        if cfg.mode is not spec.interface:
            return f"port mode is {cfg.mode.value}, the sensor needs {spec.interface.value}"
        comm = cfg.effective("COMM_TYPE")
        if comm != spec.interface.value:
            return f"COMM_TYPE is {comm}, the sensor needs {spec.interface.value}"
        volts = cfg.voltage.volts
        if not self.powered():
            return f"port supply is {cfg.voltage.label}, the sensor needs at least {spec.min_supply_v:g} V"
        if not self.supply_ok():
            return f"port supply is {cfg.voltage.label}, above the sensor's {spec.max_supply_v:g} V maximum ({volts:g} V)"
        if not cfg.device_connection:
            return "the device connection is disabled"
        return None

    # -- data ------------------------------------------------------------------------------------

    def emit_from_sensor(self, chunk: bytes) -> None:
        """The sensor sends ``chunk``; clients get what the port's UART makes of it."""
        sensor = self.sensor
        if not chunk or sensor is None or sensor.framing is None or self.blocked_by() is not None:
            return
        self.bytes_from_sensor += len(chunk)
        received = transmit(chunk, sensor.framing, self.config.framing())
        if received:
            self._broadcast(received)

    def send_to_device(self, data: bytes) -> int:
        """A client sends ``data`` to the port; returns how many bytes reached a sensor."""
        self.bytes_from_clients += len(data)
        sensor = self.sensor
        if not data or sensor is None or sensor.framing is None or self.blocked_by() is not None:
            return 0
        arrived = transmit(data, self.config.framing(), sensor.framing)
        self.bytes_to_sensor += len(arrived)
        for reply in sensor.receive(arrived, self._monotonic()):
            self.emit_from_sensor(reply)
        return len(arrived)

    def _broadcast(self, chunk: bytes) -> None:
        self.bytes_to_clients += len(chunk) * len(self._subscribers)
        for subscriber in list(self._subscribers):
            subscriber.deliver(chunk)

    def set_interval(self, interval_s: float) -> None:
        """Change the streaming interval now (wakes the streaming loop)."""
        if self.sensor is None:
            raise ValueError(f"no sensor on port {self.number}")
        if interval_s <= 0:
            raise ValueError("interval_s must be positive")
        self.sensor.interval_s = interval_s
        self._wake.set()

    async def run(self) -> None:
        """Let a streaming sensor print every ``interval_s`` until cancelled."""
        sensor = self.sensor
        if sensor is None or not sensor.streams:
            return
        while True:
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=sensor.interval_s)
                continue  # the interval changed: restart the wait with the new one
            except TimeoutError:
                pass
            self.emit_from_sensor(sensor.sample(self._monotonic()))

    # -- analog readings -------------------------------------------------------------------------

    def load_a(self) -> float:
        """Current the sensor draws from the port supply."""
        sensor = self.sensor
        if sensor is None or not self.powered():
            return 0.0
        return sensor.load_a(self._monotonic())

    def adc_voltage(self) -> float:
        volts = self.config.voltage.volts
        if volts <= 0:
            return round(abs(self._rng.gauss(0.0, 0.004)), 4)
        return round(volts - self.load_a() * OUTPUT_OHM + self._rng.gauss(0.0, 0.012), 4)

    def adc_current(self) -> float:
        if self.config.voltage is PortVoltage.OFF:
            return round(abs(self._rng.gauss(0.0, 0.0002)), 5)
        return round(max(0.0, self.load_a() + self._rng.gauss(0.0, 0.0003)), 5)

    def loop_current(self) -> float:
        sensor = self.sensor
        current = sensor.loop_current_a(self._monotonic()) if sensor is not None else None
        if current is None or not self.supply_ok():
            return round(OPEN_420_A + self._rng.gauss(0.0, 0.00004), 5)
        return round(current + self._rng.gauss(0.0, 0.00001), 6)

    def to_dict(self) -> dict[str, object]:
        return {
            "sensor": self.sensor.describe() if self.sensor is not None else None,
            "attached": self.attached,
            "data_blocked_by": self.blocked_by(),
            "clients": self.subscriber_count,
            "bytes_from_sensor": self.bytes_from_sensor,
            "bytes_to_clients": self.bytes_to_clients,
            "bytes_from_clients": self.bytes_from_clients,
            "bytes_to_sensor": self.bytes_to_sensor,
        }
