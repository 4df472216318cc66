"""Models of the sensors a scenario plugs into THREAD ports.

Three kinds cover what installers meet most and exercise every path of the commissioning flow:

``csv``  (RS-232, streaming)
    Prints one line per interval: ``temperature,humidity,pressure`` with CR LF, for example
    ``23.41,45.20,1013.2\\r\\n`` (degrees C with two decimals, % RH with two, hPa with one).

``poll`` (RS-485, request/response, an ASCII protocol of this simulator)
    Silent until asked. A request is ``<addr><cmd>`` ended by CR, LF or CR LF; ``<addr>`` is the
    sensor's two-character address (``01`` by default):

    * ``01R`` -> ``01,+12.345,mm\\r\\n``  the current reading, signed, three decimals, then unit
    * ``01I`` -> ``01,SIM-DISP-485,1.0\\r\\n``  model and firmware
    * ``01<anything else>`` -> ``01,ERR\\r\\n``

    Requests for other addresses (other sensors on the bus) and garbage are ignored, so a request
    garbled by a wrong baud rate gets no answer at all, as on a real bus.

``analog`` (4-20 mA current loop)
    Loop current sweeping slowly between ``min_ma`` and ``max_ma`` (a sine of ``period_s`` plus
    smooth noise). It sends no bytes; ``deviceAdcRead420`` reads it.

Every sensor declares its interface, its serial framing, the supply it needs (``min_supply_v`` to
``max_supply_v``) and its load current, so the port model can decide whether it works at all.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from commissioner.core.edge.rules import Parity, PortMode
from commissioner.sim.noise import SmoothNoise
from commissioner.sim.uart import Framing

SENSOR_KINDS: tuple[str, ...] = ("csv", "poll", "analog")
MAX_REQUEST_BYTES = 64


@dataclass(frozen=True)
class SensorSpec:
    """One sensor of a scenario: where it is plugged, how it talks, what it needs."""

    port: int
    kind: str
    name: str = ""
    interface: PortMode = PortMode.RS232
    baud: int = 9600
    data_bits: int = 8
    parity: Parity = Parity.NONE
    stop_bits: int = 1
    min_supply_v: float = 9.0
    max_supply_v: float = 15.0
    load_ma: float = 30.0
    interval_s: float = 1.0
    # csv
    temperature_c: float = 23.4
    humidity_pct: float = 45.2
    pressure_hpa: float = 1013.2
    # poll
    address: str = "01"
    value: float = 12.345
    unit: str = "mm"
    model: str = "SIM-DISP-485"
    # analog
    min_ma: float = 4.0
    max_ma: float = 20.0
    period_s: float = 120.0

    @property
    def framing(self) -> Framing:
        return Framing(self.baud, self.data_bits, self.parity, self.stop_bits)

    @property
    def is_serial(self) -> bool:
        return self.kind in ("csv", "poll")


class Sensor:
    """Base: a sensor that neither prints nor answers nor sources a loop current."""

    def __init__(self, spec: SensorSpec, rng: random.Random) -> None:
        self.spec = spec
        self.interval_s = spec.interval_s
        self._rng = rng

    @property
    def framing(self) -> Framing | None:
        return self.spec.framing if self.spec.is_serial else None

    @property
    def streams(self) -> bool:
        """Whether the sensor prints on its own every ``interval_s``."""
        return False

    def sample(self, now: float) -> bytes:
        """The chunk printed at ``now`` (streaming sensors only)."""
        return b""

    def receive(self, data: bytes, now: float) -> list[bytes]:
        """Feed bytes arriving from the port; return the replies, one chunk each."""
        return []

    def load_a(self, now: float) -> float:
        """Supply current drawn while powered."""
        return self.spec.load_ma / 1000.0

    def loop_current_a(self, now: float) -> float | None:
        """The 4-20 mA loop current, for analog sensors."""
        return None

    def describe(self) -> dict[str, object]:
        spec = self.spec
        info: dict[str, object] = {
            "kind": spec.kind,
            "name": spec.name,
            "interface": spec.interface.value,
            "min_supply_v": spec.min_supply_v,
            "max_supply_v": spec.max_supply_v,
            "load_ma": spec.load_ma,
        }
        if spec.is_serial:
            info["framing"] = spec.framing.label
        if self.streams:
            info["interval_s"] = self.interval_s
        return info


class CsvSensor(Sensor):
    """RS-232 weather probe printing ``temperature,humidity,pressure`` lines."""

    def __init__(self, spec: SensorSpec, rng: random.Random) -> None:
        super().__init__(spec, rng)
        self._t = SmoothNoise(rng, 0.35, 40.0)
        self._h = SmoothNoise(rng, 1.2, 60.0)
        self._p = SmoothNoise(rng, 0.6, 300.0)

    @property
    def streams(self) -> bool:
        return True

    def sample(self, now: float) -> bytes:
        spec = self.spec
        temperature = spec.temperature_c + self._t.sample(now)
        humidity = min(100.0, max(0.0, spec.humidity_pct + self._h.sample(now)))
        pressure = spec.pressure_hpa + self._p.sample(now)
        return f"{temperature:.2f},{humidity:.2f},{pressure:.1f}\r\n".encode("ascii")


class PollSensor(Sensor):
    """RS-485 displacement transducer answering ``<addr>R`` with its reading."""

    def __init__(self, spec: SensorSpec, rng: random.Random) -> None:
        super().__init__(spec, rng)
        self._buffer = bytearray()
        self._value = SmoothNoise(rng, 0.02, 30.0)
        self.requests_answered = 0

    def receive(self, data: bytes, now: float) -> list[bytes]:
        replies: list[bytes] = []
        for byte in data:
            if byte in (0x0D, 0x0A):
                line = bytes(self._buffer)
                self._buffer.clear()
                reply = self._answer(line, now) if line else None
                if reply is not None:
                    replies.append(reply)
            elif len(self._buffer) < MAX_REQUEST_BYTES:
                self._buffer.append(byte)
            else:  # no terminator in sight: line noise, start over
                self._buffer.clear()
        return replies

    def _answer(self, line: bytes, now: float) -> bytes | None:
        address = self.spec.address.encode("ascii")
        if not line.startswith(address):
            return None
        command = line[len(address) :]
        addr = self.spec.address
        if command == b"R":
            value = self.spec.value + self._value.sample(now)
            text = f"{addr},{value:+.3f},{self.spec.unit}\r\n"
        elif command == b"I":
            text = f"{addr},{self.spec.model},1.0\r\n"
        else:
            text = f"{addr},ERR\r\n"
        self.requests_answered += 1
        return text.encode("ascii")


class AnalogSensor(Sensor):
    """4-20 mA transmitter; its loop current is also its supply current."""

    def __init__(self, spec: SensorSpec, rng: random.Random) -> None:
        super().__init__(spec, rng)
        self._noise = SmoothNoise(rng, 0.05, 10.0)
        self._phase = rng.uniform(0.0, 2.0 * math.pi)

    def loop_current_a(self, now: float) -> float:
        spec = self.spec
        middle = (spec.min_ma + spec.max_ma) / 2.0
        swing = (spec.max_ma - spec.min_ma) / 2.0
        period = max(1.0, spec.period_s)
        ma = middle + swing * math.sin(2.0 * math.pi * now / period + self._phase)
        ma += self._noise.sample(now)
        return min(20.5, max(3.8, ma)) / 1000.0

    def load_a(self, now: float) -> float:
        return self.loop_current_a(now)


def make_sensor(spec: SensorSpec, rng: random.Random) -> Sensor:
    """The model for ``spec.kind``."""
    kinds: dict[str, type[Sensor]] = {"csv": CsvSensor, "poll": PollSensor, "analog": AnalogSensor}
    try:
        return kinds[spec.kind](spec, rng)
    except KeyError:
        raise ValueError(f"unknown sensor kind {spec.kind!r} ({', '.join(SENSOR_KINDS)})") from None
